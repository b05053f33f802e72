package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.buffer;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.values;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * {@link Fusion}'s folded weights and biases against PyTorch 1.13's {@code fuse_conv_bn_eval} and
 * {@code fuse_linear_bn_eval} (printed by {@code models/src/test/pytorch/fusion.py}): each pair is a
 * {@code Sequential(layer, batchNorm)} filled as {@link PyTorchParity} says, with running mean
 * {@code pattern(channels, 10)} and running variance {@code 1 + pattern(channels, 11)}.
 */
class FusionPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** Sets the batch norm's running statistics as fusion.py does and puts the pair in evaluation mode. */
    private static void statistics(Sequential pair, int channels, DType dtype) {
        buffer(pair, "1.running_mean").assign(values(10, channels).to(dtype));
        buffer(pair, "1.running_var").assign(values(11, channels).add(1).to(dtype));
        pair.eval();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void conv2dWithBias(DType dtype) {
        Sequential pair = new Sequential(new Conv2d(3, 4, 3, 2, 1, 1, true), new BatchNorm2d(4, 1e-3, 0.1));
        pair.to(dtype);
        load(pair,
                key("0.weight", 1, 4, 3, 3, 3),
                key("0.bias", 2, 4),
                key("1.weight", 3, 4),
                key("1.bias", 4, 4));
        statistics(pair, 4, dtype);
        Conv2d fused = Fusion.fuseConvBatchNorm((Conv2d) pair.get(0), (BatchNorm) pair.get(1));
        assertValues("fused weight", fused.weight(),
                -0.15306120492696115, -0.1340746886856043, -0.0520307513806077, 0.05448406130160536,
                0.13537416861673177, 0.15259568915167523, 0.09804907270517063, -0.002611554693598205,
                -0.10204392711330007, -0.15348344613127246, -0.13273730218870655, -0.049562730949232525,
                0.05692196709469931, 0.13663537458372368, 0.15208703041940183, 0.09600977942343185,
                -0.005222371029563893, -0.10399835878555745, -0.15386229338552174, -0.13136238724162275,
                -0.04708069778406754, 0.05934377949753043, 0.13785795000930645, 0.1515353725418169,
                0.09394334156239978, -0.007831710859018083, -0.10592338728958149, -0.21879240486930987,
                -0.1843876848840798, -0.06326255556081552, 0.08761594214739923, 0.1972872932268309,
                0.21417134760269213, 0.13032727068138833, -0.014811758061150745, -0.15298458554742728,
                -0.21920637200065904, -0.18233197650793553, -0.05970400344780788, 0.09100369533461146,
                0.19891093422919917, 0.2132672526867114, 0.1273206498129171, -0.018506844107923446,
                -0.155630280067391, -0.21955836352095925, -0.1802247179165557, -0.05612857138709703,
                0.09436571929883282, 0.20047833769348491, 0.21230286131045306, 0.12427803192940022,
                -0.022196697765866028, -0.15823197366887443, -0.19720267042686757, -0.15972465325501303,
                -0.04712563589077455, 0.08763730439126925, 0.18118305104744342, 0.18951557773273883,
                0.10871596694773883, -0.023214461826624434, -0.1442267664679553, -0.19740696923401502,
                -0.15774358980033648, -0.04389093527197735, 0.09060431192957329, 0.1824869354992202,
                0.18854310186656031, 0.10592450135882388, -0.026512047253957467, -0.1464795657810359,
                -0.19755545571494262, -0.15571792793696543, -0.04064382549049083, 0.09354570316145347,
                0.1837392259246331, 0.18751731973085742, 0.10310308802871489, -0.02980213700352333,
                -0.14869095133176832, -0.05668925338907669, -0.044069255232564046, -0.01072279773906888,
                0.027666759079447115, 0.05304420679786325, 0.05347413522064997, 0.028754342292753397,
                -0.009489067114416922, -0.0432696199869136, -0.05669979447310215, -0.04346316965986324,
                -0.009785137024831723, 0.02849499844996235, 0.05337349090710624, 0.053149596606837234,
                0.027928616537017496, -0.01042762828683322, -0.04387959659119971, -0.05669430498111495,
                -0.04284479586545974, -0.008844709785876953, 0.029315181508407003, 0.05368768487694044,
                0.05281003115463176, 0.027094994600800434, -0.01136324128475586, -0.04447716723854924);
        assertValues("fused bias", fused.bias(),
                -0.40350897037325656, 0.12458795600843331, 0.5490017351549596, 0.5334153772043941);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void groupedConv1dWithoutBias(DType dtype) {
        Sequential pair = new Sequential(new Conv1d(4, 6, 3, 1, 0, 1, 2, false), new BatchNorm1d(6));
        pair.to(dtype);
        load(pair,
                key("0.weight", 1, 6, 2, 3),
                key("1.weight", 2, 6),
                key("1.bias", 3, 6));
        statistics(pair, 6, dtype);
        Conv1d fused = Fusion.fuseConvBatchNorm((Conv1d) pair.get(0), (BatchNorm) pair.get(1));
        assertValues("fused weight", fused.weight(),
                0.08646524431998996, 0.07573964101392841, 0.029392501074479938, -0.030778391390794527,
                -0.07647372545934669, -0.08620227150944587, 0.03556798425853221, -0.0009473596605192413,
                -0.03701714552832546, -0.055677189445306086, -0.048151381186075974, -0.017979225968948975,
                0.07675427863122265, 0.18424081504831216, 0.20507601730603311, 0.12946076422356365,
                -0.0070419091534891665, -0.1402326626227903, -0.30739031065702294, -0.26243938091884844,
                -0.09405910960609497, 0.11855863066853435, 0.27541639441004584, 0.30274152436063956,
                0.1506384256776151, -0.012558171495114843, -0.1698484643868491, -0.2472563705219837,
                -0.208375742113267, -0.0714927462278957, 0.010720087622250274, 0.02413872428136629,
                0.02620454173298452, 0.01594595375032081, -0.001812265443519186, -0.0187181478818435);
        assertValues("fused bias", fused.bias(),
                -0.42303217752761296, -0.44679019423774347, -0.19058065548791053, 0.05985064152535134,
                0.19952182765730003, 0.4480117272780456);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void conv3d(DType dtype) {
        Sequential pair = new Sequential(new Conv3d(2, 3, 2), new BatchNorm3d(3));
        pair.to(dtype);
        load(pair,
                key("0.weight", 1, 3, 2, 2, 2, 2),
                key("0.bias", 2, 3),
                key("1.weight", 3, 3),
                key("1.bias", 4, 3));
        statistics(pair, 3, dtype);
        Conv3d fused = Fusion.fuseConvBatchNorm((Conv3d) pair.get(0), (BatchNorm) pair.get(1));
        assertValues("fused weight", fused.weight(),
                -0.15311229116114652, -0.13411943791482792, -0.05204811734313973, 0.05450224608929439,
                0.13541935156484655, 0.15264662001371435, 0.09808179790090042, -0.0026124263350747546,
                -0.10207798564537676, -0.1535346732941344, -0.13278160504721326, -0.04957927317677703,
                0.05694096556621061, 0.13668097847627972, 0.152137791509753, 0.09604182397762212,
                -0.0074129213532273105, -0.1476210039803381, -0.2184006217936808, -0.18646301457360406,
                -0.06682893803458857, 0.08423583229305563, 0.19568317447208833, 0.21509766206295294,
                0.13334835819192917, -0.011116762162332506, -0.15035349556744823, -0.2188766306690191,
                -0.18445866632525543, -0.06328690896255697, 0.08764967057046334, 0.19736324047031237,
                0.1922101422963092, 0.11696346651014103, -0.013292955180324518, -0.1372974923413297,
                -0.19672887352171073, -0.1636355915113879, -0.053581933936611405, 0.08167214440936621,
                0.17851453707716028, 0.1913987535909797, 0.11426514560293934, -0.01660914580431422,
                -0.1396718964147362, -0.19704477170772536, -0.16174441195708253, -0.050373127936870946);
        assertValues("fused bias", fused.bias(),
                -0.4035047566930292, 0.12468969864952606, 0.5491815054395053);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void linear(DType dtype) {
        Sequential pair = new Sequential(new Linear(5, 3), new BatchNorm1d(3, 1e-2, 0.1));
        pair.to(dtype);
        load(pair,
                key("0.weight", 1, 3, 5),
                key("0.bias", 2, 3),
                key("1.weight", 3, 3),
                key("1.bias", 4, 3));
        statistics(pair, 3, dtype);
        Linear fused = Fusion.fuseLinearBatchNorm((Linear) pair.get(0), (BatchNorm) pair.get(1));
        assertValues("fused weight", fused.weight(),
                -0.15259911801605297, -0.1336699214635295, -0.051873672196570374, 0.0543195756529225,
                0.13496547830606345, 0.2157660361210845, 0.13863864621964936, -0.0036926652874906063,
                -0.14428725861043698, -0.21702129965828787, -0.16815140099648812, -0.06278598787910668,
                0.07210865639594143, 0.1730894728391418, 0.19266360560847498);
        assertValues("fused bias", fused.bias(),
                -0.40354708409431744, 0.12366837838595751, 0.5473801822374517);
    }
}
