package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertGradient;
import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link WeightNormParametrization} against PyTorch's own numbers (printed by
 * {@code models/src/test/pytorch/weight_norm_parametrization.py}: PyTorch 2.1's weight-norm parametrization registered by
 * PyTorch 1.13's {@code register_parametrization}), in F64: a Linear over dim 0, a Conv1d over dim 1 and a Linear with
 * one norm of the whole weight (dim None). For each: the state-dict keys and the originals g and v that registration
 * leaves; then, with the parameters loaded from the pattern (see {@link PyTorchParity}), the output, the weight and the
 * gradients of the input, g, v and the bias; two SGD steps with momentum; and the weight that removing it leaves.
 */
class WeightNormParametrizationPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** {@code layer} in F64 with its weight and bias from the pattern of seeds 1 and 2, then weight-normalised. */
    private static <M extends Module> M normalised(M layer, int[] weightDims, int outputs, int dim) {
        layer.to(DType.F64);
        load(layer, key("weight", 1, weightDims), key("bias", 2, outputs));
        return WeightNormParametrization.apply(layer, "weight", dim);
    }

    @Test
    void linearOverOutputsRegistrationStartsFromTheWeightsNormAndTheWeight() {
        // weight_norm(Linear(3, 4), 'weight', dim=0), PyTorch 2.1's on 1.13
        Module layer = normalised(new Linear(3, 4), new int[] {4, 3}, 4, 0);
        assertEquals(List.of("bias", "parametrizations.weight.original0", "parametrizations.weight.original1"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original0", layer.stateDict().get("parametrizations.weight.original0"),
                0.6761025517163712, 0.6796885933902133, 0.4556346305528712, 0.6724283450679539);
        assertValues("original1", layer.stateDict().get("parametrizations.weight.original1"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606);
        assertValues("weight", layer.param("weight"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606);
    }

    @Test
    void linearOverOutputsForwardAndBackward() {
        // weight_norm(Linear(3, 4), 'weight', dim=0), PyTorch 2.1's on 1.13
        // the parameters loaded from the pattern, then forward and backward
        Module layer = normalised(new Linear(3, 4), new int[] {4, 3}, 4, 0);
        load(layer,
                key("bias", 1, 4),
                key("parametrizations.weight.original0", 2, 4, 1),
                key("parametrizations.weight.original1", 3, 4, 3));
        Tensor x = tensor(DType.F64, 100, 2, 3);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.6358743897211947, 0.47201761429353556, 0.4111678923550653, -0.5100328812736349,
                0.3639881752464367, 0.3548738152641127, 0.07841529950302077, 0.12331727181592028);
        assertValues("weight", layer.param("weight"),
                -0.10978945624569092, -0.14505902321412778, -0.11210506495519879, 0.021636659404988132,
                -0.05868914861905002, -0.1114125330043054, -0.3563810181244373, -0.18980389406742615,
                0.0660409671371498, 0.2595736912511806, 0.3381215932717773, 0.2576456266810239);
        assertValues("input gradient", x.grad(),
                -0.04146502564374472, -0.1458650343284183, -0.18166243816440394, 0.08849539058711767,
                0.1829269160572502, 0.1913250545937487);
        assertGradient(layer, "bias",
                -0.11558352890537726, -0.16868332654294904, -0.1424487199576907, -0.049218254553687946);
        assertGradient(layer, "parametrizations.weight.original0",
                0.4557425446485822, -0.07939213448603219, 0.2455218906607097, -0.6014692661641108);
        assertGradient(layer, "parametrizations.weight.original1",
                0.010357304562515234, 7.576651318423688e-05, -0.010241405711180264, 0.004769439739307272,
                0.0027696556918398495, -0.0005327407045640562, 0.01936252321945329, -0.09212622044405164,
                -0.16028656312081319, 0.012693275972258467, -3.34228118758267e-05, -0.012744402325334773);
    }

    @Test
    void linearOverOutputsTwoSgdSteps() {
        // weight_norm(Linear(3, 4), 'weight', dim=0), PyTorch 2.1's on 1.13
        // the parameters loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = normalised(new Linear(3, 4), new int[] {4, 3}, 4, 0);
        load(layer,
                key("bias", 1, 4),
                key("parametrizations.weight.original0", 2, 4, 1),
                key("parametrizations.weight.original1", 3, 4, 3));
        Tensor x = tensor(DType.F64, 100, 2, 3).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("bias", layer.stateDict().get("bias"),
                0.5262440883767895, 0.48052284802189205, 0.20880420386568263, -0.16111832002424023);
        assertValues("parametrizations.weight.original0", layer.stateDict().get("parametrizations.weight.original0"),
                0.08153461995627408, -0.10474923915343022, -0.4811694229821461, -0.32366289228625317);
        assertValues("parametrizations.weight.original1", layer.stateDict().get("parametrizations.weight.original1"),
                -0.3811974119370663, -0.49998052609347093, -0.3836149864168931, -0.09243623081685926,
                0.24626952790975146, 0.46915087959288465, 0.46413871453083805, 0.27712344208547274,
                -0.04022731534591984, -0.3874301726635767, -0.49998288534725105, -0.37738583460402664);
        assertValues("weight", layer.param("weight"),
                -0.042199874236023414, -0.05534957652096717, -0.042467508107110016, 0.018002056795975944,
                -0.04796125923106049, -0.09136764562638128, -0.41199322460766163, -0.24598891871059952,
                0.03570781933893952, 0.1702489496404432, 0.21970813600643996, 0.16583515297428414);
    }

    @Test
    void linearOverOutputsRemovingItLeavesTheWeight() {
        // weight_norm(Linear(3, 4), 'weight', dim=0), PyTorch 2.1's on 1.13
        // the parameters loaded, then remove_parametrizations(m, 'weight')
        Module layer = normalised(new Linear(3, 4), new int[] {4, 3}, 4, 0);
        load(layer,
                key("bias", 1, 4),
                key("parametrizations.weight.original0", 2, 4, 1),
                key("parametrizations.weight.original1", 3, 4, 3));
        Parametrize.removeParametrizations(layer, "weight");
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
        assertValues("weight", layer.param("weight"),
                -0.10978945624569092, -0.14505902321412778, -0.11210506495519879, 0.021636659404988132,
                -0.05868914861905002, -0.1114125330043054, -0.3563810181244373, -0.18980389406742615,
                0.0660409671371498, 0.2595736912511806, 0.3381215932717773, 0.2576456266810239);
    }

    @Test
    void conv1dOverInputChannelsRegistrationStartsFromTheWeightsNormAndTheWeight() {
        // weight_norm(Conv1d(2, 3, 3), 'weight', dim=1), PyTorch 2.1's on 1.13
        Module layer = normalised(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, 1);
        assertEquals(List.of("bias", "parametrizations.weight.original0", "parametrizations.weight.original1"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original0", layer.stateDict().get("parametrizations.weight.original0"),
                1.063700018278306, 1.0592560500440347);
        assertValues("original1", layer.stateDict().get("parametrizations.weight.original1"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606,
                -0.18323956462596339, -0.439847879985835, -0.4895888645756587, -0.30906855611851664,
                0.016811523610568348, 0.3347848810983005);
        assertValues("weight", layer.param("weight"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606,
                -0.18323956462596339, -0.439847879985835, -0.4895888645756587, -0.30906855611851664,
                0.016811523610568348, 0.3347848810983005);
    }

    @Test
    void conv1dOverInputChannelsForwardAndBackward() {
        // weight_norm(Conv1d(2, 3, 3), 'weight', dim=1), PyTorch 2.1's on 1.13
        // the parameters loaded from the pattern, then forward and backward
        Module layer = normalised(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, 1);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original0", 2, 1, 2, 1),
                key("parametrizations.weight.original1", 3, 3, 2, 3));
        Tensor x = tensor(DType.F64, 100, 2, 2, 5);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.5843783964429862, 0.5582690683220858, 0.5013332772196665, 0.41346622094781227,
                0.3812944637136465, 0.3727843888813016, 0.09362569855443909, 0.15128013092653086,
                0.2165602345829026, 0.5571760756266426, 0.4997932175813865, 0.43908600286833455,
                0.38077068355959326, 0.3729316060327767, 0.3926873935483504, 0.15288670139903018,
                0.21795594461798734, 0.2592921821038042);
        assertValues("weight", layer.param("weight"),
                -0.07612726440483152, -0.10058294295415929, -0.07773289178030869, 0.01100358543025425,
                -0.029847077987913608, -0.056660194254907356, 0.0946287099554641, 0.05039801989075835,
                -0.017535646419354456, 0.046372311497813866, 0.06040473428473722, 0.0460278666875396,
                -0.016658233725521943, 0.05116659370298302, 0.09492697261289434, -0.05647264047502426,
                -0.029381071298690387, 0.011528874801320513);
        assertValues("input gradient", x.grad(),
                -0.07335002361228561, -0.09070424467907344, 0.012107235741110492, 0.10341914735235902,
                0.07512373615211976, -0.03082904594421739, -0.08977524940788366, -0.11340244567318503,
                -0.02566312020383367, 0.01820661518767393, -0.07305725451528879, -0.08866570202769389,
                0.015907930723084933, 0.10525959771990898, 0.07526499591346836, -0.031382161063826325,
                -0.08994478260610028, -0.11213321992128847, -0.02420153054170044, 0.018901051644304938);
        assertGradient(layer, "bias",
                -0.14213159741279496, -2.1083659625746614, 2.270932283966304);
        assertGradient(layer, "parametrizations.weight.original0",
                1.179654038085381, 0.24717507460213314);
        assertGradient(layer, "parametrizations.weight.original1",
                0.037222351918420306, 0.03432705481482183, 0.01528720745678551, -0.042651229541165674,
                -0.040416932093861185, -0.019173919950828747, 0.04659186011188986, 0.0024874836941302936,
                -0.04278679517298417, 0.055642967497636336, -0.0162212583853947, -0.08045637298562092,
                -0.08733146449524185, -0.03847138603034028, 0.02848238641661953, -0.013847183634701728,
                0.05638360212315362, 0.10009629878440392);
    }

    @Test
    void conv1dOverInputChannelsTwoSgdSteps() {
        // weight_norm(Conv1d(2, 3, 3), 'weight', dim=1), PyTorch 2.1's on 1.13
        // the parameters loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = normalised(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, 1);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original0", 2, 1, 2, 1),
                key("parametrizations.weight.original1", 3, 3, 2, 3));
        Tensor x = tensor(DType.F64, 100, 2, 2, 5).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("bias", layer.stateDict().get("bias"),
                0.5339430282439407, 1.0430308124710888, -0.49107628727227587);
        assertValues("parametrizations.weight.original0", layer.stateDict().get("parametrizations.weight.original0"),
                -0.12761844928050264, -0.2015646012393727);
        assertValues("parametrizations.weight.original1", layer.stateDict().get("parametrizations.weight.original1"),
                -0.38715210167654895, -0.5080215601101489, -0.3899605407680999, -0.07787731308805135,
                0.25947303874724265, 0.474789166081639, 0.4593476142428763, 0.2499069108479291,
                -0.07706891762199614, -0.400924239126624, -0.49483949071681477, -0.3560239977425576,
                -0.062204870054029755, 0.26338451234105914, 0.46510004308561703, 0.47159137627519904,
                0.22570882878578835, -0.1263281076793139);
        assertValues("weight", layer.param("weight"),
                0.04649960356172828, 0.0610168485296474, 0.046836916219515384, 0.014829405589946222,
                -0.04940888146575081, -0.09040939953303594, -0.05517077620610332, -0.03001552162946394,
                0.009256501774975098, 0.07634403290374309, 0.0942273843149317, 0.0677941245393138,
                0.007471228451544824, -0.03163427333888147, -0.055861682078875693, -0.0898004760847208,
                -0.042979497296109614, 0.024055410644032296);
    }

    @Test
    void conv1dOverInputChannelsRemovingItLeavesTheWeight() {
        // weight_norm(Conv1d(2, 3, 3), 'weight', dim=1), PyTorch 2.1's on 1.13
        // the parameters loaded, then remove_parametrizations(m, 'weight')
        Module layer = normalised(new Conv1d(2, 3, 3), new int[] {3, 2, 3}, 3, 1);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original0", 2, 1, 2, 1),
                key("parametrizations.weight.original1", 3, 3, 2, 3));
        Parametrize.removeParametrizations(layer, "weight");
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
        assertValues("weight", layer.param("weight"),
                -0.07612726440483152, -0.10058294295415929, -0.07773289178030869, 0.01100358543025425,
                -0.029847077987913608, -0.056660194254907356, 0.0946287099554641, 0.05039801989075835,
                -0.017535646419354456, 0.046372311497813866, 0.06040473428473722, 0.0460278666875396,
                -0.016658233725521943, 0.05116659370298302, 0.09492697261289434, -0.05647264047502426,
                -0.029381071298690387, 0.011528874801320513);
    }

    @Test
    void linearOverTheWholeWeightRegistrationStartsFromTheWeightsNormAndTheWeight() {
        // weight_norm(Linear(4, 3), 'weight', dim=None), PyTorch 2.1's on 1.13
        Module layer = normalised(new Linear(4, 3), new int[] {3, 4}, 3, WeightNorm.WHOLE_TENSOR);
        assertEquals(List.of("bias", "parametrizations.weight.original0", "parametrizations.weight.original1"),
                List.copyOf(layer.stateDict().keySet()));
        assertValues("original0", layer.stateDict().get("parametrizations.weight.original0"),
                1.25652458799342);
        assertValues("original1", layer.stateDict().get("parametrizations.weight.original1"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606);
        assertValues("weight", layer.param("weight"),
                0.4927248649942301, 0.43160468332443686, 0.16749407507795233, -0.17539161384480972,
                -0.4357878862067939, -0.4912263063121663, -0.31563331893616114, 0.008406950242174412,
                0.3284932993593942, 0.49408411693850013, 0.4272994540441402, 0.15954918117467606);
    }

    @Test
    void linearOverTheWholeWeightForwardAndBackward() {
        // weight_norm(Linear(4, 3), 'weight', dim=None), PyTorch 2.1's on 1.13
        // the parameters loaded from the pattern, then forward and backward
        Module layer = normalised(new Linear(4, 3), new int[] {3, 4}, 3, WeightNorm.WHOLE_TENSOR);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original0", 2),
                key("parametrizations.weight.original1", 3, 3, 4));
        Tensor x = tensor(DType.F64, 100, 2, 4);
        Tensor y = layer.forward(x);
        backward(200, y);

        assertValues("output", y,
                0.572523647683998, 0.3649038378158552, 0.213389345947533, 0.40258645534618553, 0.5164222219797954,
                0.09779852512278445);
        assertValues("weight", layer.param("weight"),
                -0.06265029892251398, -0.08277653862712968, -0.06397167879631163, -0.015079938842533806,
                0.04090413197943193, 0.07765035038677802, 0.07787639568702852, 0.04147595524342031,
                -0.014431275030846158, -0.06355125116321311, -0.08278208085782952, -0.06307920441931429);
        assertValues("input gradient", x.grad(),
                -0.015082681236710574, -0.005366715065150357, 0.00687330105878617, 0.01588069629648394,
                0.016037222443962787, 0.017737871074787064, 0.011096121777258012, -0.0007643069738008886);
        assertGradient(layer, "bias",
                -0.19275905276724603, -0.44294358594711863, -0.4848048294716184);
        assertGradient(layer, "parametrizations.weight.original0",
                0.13796620751408797);
        assertGradient(layer, "parametrizations.weight.original1",
                -0.05096144476932443, -0.05498941214481741, -0.03315499975533657, 0.0042727270802410885,
                -0.030749188541478168, -0.04106993473600768, -0.03207484888876097, -0.007994460425790417,
                0.01885305394127911, 0.020504248711509306, 0.012511974924992241, -0.0013648761737491072);
    }

    @Test
    void linearOverTheWholeWeightTwoSgdSteps() {
        // weight_norm(Linear(4, 3), 'weight', dim=None), PyTorch 2.1's on 1.13
        // the parameters loaded from the pattern, then two steps of SGD(lr=0.1, momentum=0.9)
        Module layer = normalised(new Linear(4, 3), new int[] {3, 4}, 3, WeightNorm.WHOLE_TENSOR);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original0", 2),
                key("parametrizations.weight.original1", 3, 3, 4));
        Tensor x = tensor(DType.F64, 100, 2, 4).requiresGrad(false);
        try (Optimizer sgd = new SGD(layer.trainableParameters(), 0.1, 0.9, false, 0)) {
            for (int step = 0; step < 2; step++) {
                sgd.zeroGrad();
                backward(200, layer.forward(x));
                sgd.step();
            }
        }
        assertValues("bias", layer.stateDict().get("bias"),
                0.5486249902967314, 0.5600583232491013, 0.30808747562472166);
        assertValues("parametrizations.weight.original0", layer.stateDict().get("parametrizations.weight.original0"),
                0.1742135668329938);
        assertValues("parametrizations.weight.original1", layer.stateDict().get("parametrizations.weight.original1"),
                -0.3639192486102254, -0.48432910390694234, -0.37695141378521857, -0.09228758373199167,
                0.25576436819049314, 0.48062144343100865, 0.47943474390870844, 0.252762392951621,
                -0.09250640577619625, -0.38963534315856624, -0.5035126904332841, -0.38058015179441484);
        assertValues("weight", layer.param("weight"),
                -0.04911134077501022, -0.06536079572615615, -0.05087004715668559, -0.012454320543012853,
                0.034515709439051516, 0.06486044248073977, 0.06470029595136603, 0.0341105892660532,
                -0.012483850841349795, -0.05258175869763741, -0.06794964382578259, -0.05135974972018957);
    }

    @Test
    void linearOverTheWholeWeightRemovingItLeavesTheWeight() {
        // weight_norm(Linear(4, 3), 'weight', dim=None), PyTorch 2.1's on 1.13
        // the parameters loaded, then remove_parametrizations(m, 'weight')
        Module layer = normalised(new Linear(4, 3), new int[] {3, 4}, 3, WeightNorm.WHOLE_TENSOR);
        load(layer,
                key("bias", 1, 3),
                key("parametrizations.weight.original0", 2),
                key("parametrizations.weight.original1", 3, 3, 4));
        Parametrize.removeParametrizations(layer, "weight");
        assertEquals(List.of("bias", "weight"), List.copyOf(layer.stateDict().keySet()));
        assertValues("weight", layer.param("weight"),
                -0.06265029892251398, -0.08277653862712968, -0.06397167879631163, -0.015079938842533806,
                0.04090413197943193, 0.07765035038677802, 0.07787639568702852, 0.04147595524342031,
                -0.014431275030846158, -0.06355125116321311, -0.08278208085782952, -0.06307920441931429);
    }
}
