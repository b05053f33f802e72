package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.io.SafeTensors;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QatBasicBlock} against PyTorch 1.13's eager-mode quantisation-aware training of torchvision's quantizable
 * ResNet blocks ({@code fuse_modules_qat} of [conv1, bn1, relu], [conv2, bn2], [downsample.0, downsample.1],
 * {@code prepare_qat} with the qconfig of {@link QuantizationAwareTrainingPyTorchParityTest}, the residual sum through
 * {@code FloatFunctional.add_relu}'s fake quantisation), printed by
 * {@code models/src/test/pytorch/quantize_qat_resnet.py}: a small residual net (a conv-bn-relu stem, a block and a
 * downsampling block, average pooling, a linear head) over five SGD steps, the batch norms' statistics frozen after the
 * third: the same gradients of the first step and losses, batch norm weights and statistics and every fake
 * quantisation's qparams to float tolerance (the two train in F32 with sums in different orders), the trained and the
 * converted models' outputs within one step of the last layer's grid, the converted blocks
 * {@link QuantizedBasicBlock}s; and PyTorch's own checkpoint of the trained model
 * ({@code resources/qat/resnet_trained.safetensors}) loads under PyTorch's state-dict keys and gives the same
 * outputs.
 */
class QatBasicBlockPyTorchParityTest {
    private static final List<String> PYTORCH_KEYS = List.of(
            "0.input_fake_quant.fake_quant_enabled",
            "0.input_fake_quant.observer_enabled",
            "0.input_fake_quant.scale",
            "0.input_fake_quant.zero_point",
            "0.input_fake_quant.activation_post_process.eps",
            "0.input_fake_quant.activation_post_process.min_val",
            "0.input_fake_quant.activation_post_process.max_val",
            "0.weight",
            "0.bn.weight",
            "0.bn.bias",
            "0.bn.running_mean",
            "0.bn.running_var",
            "0.bn.num_batches_tracked",
            "0.weight_fake_quant.fake_quant_enabled",
            "0.weight_fake_quant.observer_enabled",
            "0.weight_fake_quant.scale",
            "0.weight_fake_quant.zero_point",
            "0.weight_fake_quant.activation_post_process.eps",
            "0.weight_fake_quant.activation_post_process.min_val",
            "0.weight_fake_quant.activation_post_process.max_val",
            "0.activation_post_process.fake_quant_enabled",
            "0.activation_post_process.observer_enabled",
            "0.activation_post_process.scale",
            "0.activation_post_process.zero_point",
            "0.activation_post_process.activation_post_process.eps",
            "0.activation_post_process.activation_post_process.min_val",
            "0.activation_post_process.activation_post_process.max_val",
            "3.conv1.weight",
            "3.conv1.bn.weight",
            "3.conv1.bn.bias",
            "3.conv1.bn.running_mean",
            "3.conv1.bn.running_var",
            "3.conv1.bn.num_batches_tracked",
            "3.conv1.weight_fake_quant.fake_quant_enabled",
            "3.conv1.weight_fake_quant.observer_enabled",
            "3.conv1.weight_fake_quant.scale",
            "3.conv1.weight_fake_quant.zero_point",
            "3.conv1.weight_fake_quant.activation_post_process.eps",
            "3.conv1.weight_fake_quant.activation_post_process.min_val",
            "3.conv1.weight_fake_quant.activation_post_process.max_val",
            "3.conv1.activation_post_process.fake_quant_enabled",
            "3.conv1.activation_post_process.observer_enabled",
            "3.conv1.activation_post_process.scale",
            "3.conv1.activation_post_process.zero_point",
            "3.conv1.activation_post_process.activation_post_process.eps",
            "3.conv1.activation_post_process.activation_post_process.min_val",
            "3.conv1.activation_post_process.activation_post_process.max_val",
            "3.conv2.weight",
            "3.conv2.bn.weight",
            "3.conv2.bn.bias",
            "3.conv2.bn.running_mean",
            "3.conv2.bn.running_var",
            "3.conv2.bn.num_batches_tracked",
            "3.conv2.weight_fake_quant.fake_quant_enabled",
            "3.conv2.weight_fake_quant.observer_enabled",
            "3.conv2.weight_fake_quant.scale",
            "3.conv2.weight_fake_quant.zero_point",
            "3.conv2.weight_fake_quant.activation_post_process.eps",
            "3.conv2.weight_fake_quant.activation_post_process.min_val",
            "3.conv2.weight_fake_quant.activation_post_process.max_val",
            "3.conv2.activation_post_process.fake_quant_enabled",
            "3.conv2.activation_post_process.observer_enabled",
            "3.conv2.activation_post_process.scale",
            "3.conv2.activation_post_process.zero_point",
            "3.conv2.activation_post_process.activation_post_process.eps",
            "3.conv2.activation_post_process.activation_post_process.min_val",
            "3.conv2.activation_post_process.activation_post_process.max_val",
            "3.add_relu.activation_post_process.fake_quant_enabled",
            "3.add_relu.activation_post_process.observer_enabled",
            "3.add_relu.activation_post_process.scale",
            "3.add_relu.activation_post_process.zero_point",
            "3.add_relu.activation_post_process.activation_post_process.eps",
            "3.add_relu.activation_post_process.activation_post_process.min_val",
            "3.add_relu.activation_post_process.activation_post_process.max_val",
            "4.conv1.weight",
            "4.conv1.bn.weight",
            "4.conv1.bn.bias",
            "4.conv1.bn.running_mean",
            "4.conv1.bn.running_var",
            "4.conv1.bn.num_batches_tracked",
            "4.conv1.weight_fake_quant.fake_quant_enabled",
            "4.conv1.weight_fake_quant.observer_enabled",
            "4.conv1.weight_fake_quant.scale",
            "4.conv1.weight_fake_quant.zero_point",
            "4.conv1.weight_fake_quant.activation_post_process.eps",
            "4.conv1.weight_fake_quant.activation_post_process.min_val",
            "4.conv1.weight_fake_quant.activation_post_process.max_val",
            "4.conv1.activation_post_process.fake_quant_enabled",
            "4.conv1.activation_post_process.observer_enabled",
            "4.conv1.activation_post_process.scale",
            "4.conv1.activation_post_process.zero_point",
            "4.conv1.activation_post_process.activation_post_process.eps",
            "4.conv1.activation_post_process.activation_post_process.min_val",
            "4.conv1.activation_post_process.activation_post_process.max_val",
            "4.conv2.weight",
            "4.conv2.bn.weight",
            "4.conv2.bn.bias",
            "4.conv2.bn.running_mean",
            "4.conv2.bn.running_var",
            "4.conv2.bn.num_batches_tracked",
            "4.conv2.weight_fake_quant.fake_quant_enabled",
            "4.conv2.weight_fake_quant.observer_enabled",
            "4.conv2.weight_fake_quant.scale",
            "4.conv2.weight_fake_quant.zero_point",
            "4.conv2.weight_fake_quant.activation_post_process.eps",
            "4.conv2.weight_fake_quant.activation_post_process.min_val",
            "4.conv2.weight_fake_quant.activation_post_process.max_val",
            "4.conv2.activation_post_process.fake_quant_enabled",
            "4.conv2.activation_post_process.observer_enabled",
            "4.conv2.activation_post_process.scale",
            "4.conv2.activation_post_process.zero_point",
            "4.conv2.activation_post_process.activation_post_process.eps",
            "4.conv2.activation_post_process.activation_post_process.min_val",
            "4.conv2.activation_post_process.activation_post_process.max_val",
            "4.downsample.0.weight",
            "4.downsample.0.bn.weight",
            "4.downsample.0.bn.bias",
            "4.downsample.0.bn.running_mean",
            "4.downsample.0.bn.running_var",
            "4.downsample.0.bn.num_batches_tracked",
            "4.downsample.0.weight_fake_quant.fake_quant_enabled",
            "4.downsample.0.weight_fake_quant.observer_enabled",
            "4.downsample.0.weight_fake_quant.scale",
            "4.downsample.0.weight_fake_quant.zero_point",
            "4.downsample.0.weight_fake_quant.activation_post_process.eps",
            "4.downsample.0.weight_fake_quant.activation_post_process.min_val",
            "4.downsample.0.weight_fake_quant.activation_post_process.max_val",
            "4.downsample.0.activation_post_process.fake_quant_enabled",
            "4.downsample.0.activation_post_process.observer_enabled",
            "4.downsample.0.activation_post_process.scale",
            "4.downsample.0.activation_post_process.zero_point",
            "4.downsample.0.activation_post_process.activation_post_process.eps",
            "4.downsample.0.activation_post_process.activation_post_process.min_val",
            "4.downsample.0.activation_post_process.activation_post_process.max_val",
            "4.add_relu.activation_post_process.fake_quant_enabled",
            "4.add_relu.activation_post_process.observer_enabled",
            "4.add_relu.activation_post_process.scale",
            "4.add_relu.activation_post_process.zero_point",
            "4.add_relu.activation_post_process.activation_post_process.eps",
            "4.add_relu.activation_post_process.activation_post_process.min_val",
            "4.add_relu.activation_post_process.activation_post_process.max_val",
            "7.weight",
            "7.bias",
            "7.weight_fake_quant.fake_quant_enabled",
            "7.weight_fake_quant.observer_enabled",
            "7.weight_fake_quant.scale",
            "7.weight_fake_quant.zero_point",
            "7.weight_fake_quant.activation_post_process.eps",
            "7.weight_fake_quant.activation_post_process.min_val",
            "7.weight_fake_quant.activation_post_process.max_val",
            "7.activation_post_process.fake_quant_enabled",
            "7.activation_post_process.observer_enabled",
            "7.activation_post_process.scale",
            "7.activation_post_process.zero_point",
            "7.activation_post_process.activation_post_process.eps",
            "7.activation_post_process.activation_post_process.min_val",
            "7.activation_post_process.activation_post_process.max_val");
    private static final long[] TARGETS = {0, 3, 4};
    private static final float STEP = 0.008116125129163265f;
    private static final int FROZEN_AFTER = 3;
    private static final float[] TRAINED = {
            1.3066961765289307f, 0.8765414953231812f, 0.41392236948013306f, 0.7466835379600525f,
            -0.02434837445616722f, 1.3066961765289307f, 0.9090059995651245f, 0.4788513779640198f,
            0.7142190337181091f, -0.04869674891233444f, 1.3066961765289307f, 0.8521931171417236f,
            0.5113158822059631f, 0.933354377746582f, 0.1623225063085556f};
    private static final float[] CONVERTED = {
            1.3066961765289307f, 0.884657621383667f, 0.41392236948013306f, 0.7466835379600525f,
            -0.02434837445616722f, 1.3066961765289307f, 0.9008898735046387f, 0.47073525190353394f,
            0.7061029076576233f, -0.05681287497282028f, 1.3066961765289307f, 0.8521931171417236f,
            0.519432008266449f, 0.9414705038070679f, 0.1623225063085556f};
    private Scope scope;

    @TempDir
    Path dir;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** parity.py's {@code (scale * pattern(n, seed) + shift).reshape(3, 2, 10, 10).float()}, computed in F64. */
    private static Tensor batch(int seed, double scale, double shift) {
        return PyTorchParity.values(seed, 3, 2, 10, 10).mul(scale).add(shift).to(DType.F32);
    }

    private static FakeQuantize fakeQuant(Module qat, String path) {
        return (FakeQuantize) qat.getSubmodule(path);
    }

    private static void assertGrid(String what, Uint8Grid grid, float scale, int zeroPoint) {
        assertEquals(scale, grid.scale(), 2e-6f * scale, what + " scale");
        assertEquals(zeroPoint, grid.zeroPoint(), what + " zero point");
    }

    private static void assertScales(String what, float[] actual, float... expected) {
        assertArrayEquals(expected, actual, 2e-6f * expected[0], what + " scales");
    }

    private static void assertClose(String what, Tensor actual, float... expected) {
        assertArrayEquals(expected, actual.toFloatArray(), 1e-5f, what);
    }

    private static void assertWithinOneStep(String what, float[] expected, Tensor actual) {
        assertArrayEquals(expected, actual.toFloatArray(), STEP * 1.0001f, what);
    }

    /** The script's model before fusion, its parameters and batch norms set as the script sets them. */
    private static Sequential model() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(), new BatchNorm2d(4),
                new ReLU(), new BasicBlock(4), new BasicBlock(4, 8, 2), new AdaptiveAvgPool2d(1), new Flatten(),
                new Linear(8, 5));
        load(model,
                key("0.weight", 1, 4, 2, 3, 3),
                key("1.weight", 2, 4),
                key("1.bias", 3, 4),
                key("3.conv1.weight", 4, 4, 4, 3, 3),
                key("3.bn1.weight", 5, 4),
                key("3.bn1.bias", 6, 4),
                key("3.conv2.weight", 7, 4, 4, 3, 3),
                key("3.bn2.weight", 8, 4),
                key("3.bn2.bias", 9, 4),
                key("4.conv1.weight", 10, 8, 4, 3, 3),
                key("4.bn1.weight", 11, 8),
                key("4.bn1.bias", 12, 8),
                key("4.conv2.weight", 13, 8, 8, 3, 3),
                key("4.bn2.weight", 14, 8),
                key("4.bn2.bias", 15, 8),
                key("4.downsample.0.weight", 16, 8, 4, 1, 1),
                key("4.downsample.1.weight", 17, 8),
                key("4.downsample.1.bias", 18, 8),
                key("7.weight", 19, 5, 8),
                key("7.bias", 20, 5));
        String[] norms = {"1", "3.bn1", "3.bn2", "4.bn1", "4.bn2", "4.downsample.1"};
        for (int k = 0; k < norms.length; k++) {
            BatchNorm2d norm = (BatchNorm2d) model.getSubmodule(norms[k]);
            try (var g = Autograd.noGrad()) {
                norm.weight().assign(norm.weight().add(1.0));
                norm.runningMean().assign(PyTorchParity.values(40 + k, norm.channels()).mul(0.3).to(DType.F32));
                norm.runningVar().assign(PyTorchParity.values(50 + k, norm.channels()).mul(0.5).add(1.0)
                        .to(DType.F32));
            }
        }
        return model;
    }

    /** The converted model's blocks are the static int8 ones. */
    private static void assertQuantisedBlocks(Module int8) {
        assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("3"));
        assertInstanceOf(QuantizedBasicBlock.class, int8.getSubmodule("4"));
    }

    @Test
    void smallResidualNetTrainsFreezesAndConvertsAsPyTorch() {
        Module qat = QuantizationAwareTraining.prepareQat(model());
        assertInstanceOf(QatBasicBlock.class, qat.getSubmodule("3"));
        assertEquals(new TreeSet<>(PYTORCH_KEYS), new TreeSet<>(qat.stateDict().keySet()), "PyTorch's state-dict keys");
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        Tensor[] batches = {
                batch(11, 2.0, 0.3),
                batch(12, 1.5, -0.2),
                batch(13, 2.5, 0.1),
                batch(14, 1.0, 0.5),
                batch(16, 2.0, -0.4)};
        double[] losses = new double[batches.length];
        for (int i = 0; i < batches.length; i++) {
            if (i == FROZEN_AFTER) {
                QuantizationAwareTraining.freezeBatchNormStats(qat);
            }
            sgd.zeroGrad();
            Tensor loss = new CrossEntropyLoss().compute(qat.forward(batches[i]), targets);
            loss.backward();
            if (i == 0) {
                assertClose("3.conv1.weight gradient", qat.getParameter("3.conv1.weight").grad(),
                        0.0009645785903558135f, 0.0026870728470385075f, 0.0005288023385219276f, 0.0012811576016247272f,
                        0.0003349693142808974f, -0.00042175230919383466f, 0.0004266528703738004f, 0.0007676365203224123f,
                        -0.0008450359455309808f, 0.001036686822772026f, 0.0010217339731752872f, -8.192890163627453e-06f,
                        0.0006760767428204417f, -0.00010376055433880538f, 0.00015155741130001843f, 0.0007002589991316199f,
                        0.0016695043304935098f, -0.0013711677165701985f, 0.0005929612671025097f, 0.0002824409166350961f,
                        -7.556740456493571e-05f, 0.00013550135190598667f, -0.00013250387564767152f, 0.00018636621825862676f,
                        0.0003913113323505968f, 0.0011386907426640391f, -0.0007969441940076649f, 9.155082079814747e-05f,
                        0.0014357769396156073f, 0.0006468449719250202f, 0.000645156076643616f, 0.00038622881402261555f,
                        -0.0006080535240471363f, 0.00010258547990815714f, -0.00010642605775501579f, -0.00022943629301153123f,
                        0.0016930937999859452f, 0.0034557280596345663f, -0.0004968733992427588f, 0.0017841350054368377f,
                        -0.0006872288067825139f, -0.002154292305931449f, 0.002077532699331641f, -0.00043808011105284095f,
                        -0.0026443360839039087f, 0.0015199106419458985f, 0.001329001854173839f, -0.0004544025578070432f,
                        0.000929699803236872f, -0.0006516493740491569f, -0.000694266171194613f, 0.0020521357655525208f,
                        0.0012549457605928183f, -0.002469730796292424f, 0.0008802320226095617f, 0.00040087781962938607f,
                        -0.0002908307942561805f, 0.00022978011111263186f, -0.00039065422606654465f, -0.00030543431057594717f,
                        0.0012841308489441872f, 0.0009445652249269187f, -0.0014489684253931046f, 0.00038998707896098495f,
                        0.0018441706197336316f, 0.0003205626562703401f, 0.0009223104570992291f, 7.142675895011052e-05f,
                        -0.00148456497117877f, 0.0008928547613322735f, -0.0006224120152182877f, -0.0009686885168775916f,
                        0.0011018679942935705f, 0.0028766810428351164f, -0.00012046350457239896f, 0.0015021178405731916f,
                        -0.0003010026994161308f, -0.00011616924166446552f, 0.001512237940914929f, 0.0002780516806524247f,
                        -0.002047875663265586f, 0.0011844495311379433f, 0.0011753443395718932f, -0.0003596821043174714f,
                        0.0006695357733406126f, -0.0005943157011643052f, 0.0003762014675885439f, 0.0015731286257505417f,
                        0.0013301530852913857f, -0.0012566247023642063f, 0.0007183580310083926f, 0.00033084250753745437f,
                        -0.0002690279216039926f, 5.2808434702456e-05f, -0.0003571632842067629f, 0.00033012827043421566f,
                        0.0009388404432684183f, 0.000905582623090595f, -0.0007123912801034749f, 0.0006372806383296847f,
                        0.0014347763499245048f, 0.000535168161150068f, 0.0006628753617405891f, 0.0002723078359849751f,
                        -0.0005846549174748361f, 0.0006302777910605073f, -0.0003465158224571496f, -0.0004790412785951048f,
                        0.001888275844976306f, 0.002617228776216507f, 0.0004930761060677469f, 0.00252588652074337f,
                        0.00041358915041200817f, 0.001153398072347045f, 0.002731843153014779f, 0.001482635852880776f,
                        -0.001441046828404069f, 0.0016944441013038158f, 0.0007984229596331716f, 4.692280344897881e-05f,
                        0.0010461389319971204f, -0.00010553020547376946f, 0.0010342984460294247f, 0.0019830476958304644f,
                        0.001911061117425561f, -0.0009451488731428981f, 0.0010353880934417248f, 0.00012586949742399156f,
                        -3.585590093280189e-05f, 0.00033946597250178456f, -9.466056508244947e-05f, 0.0007132980972528458f,
                        0.001165950670838356f, 0.001261022873222828f, -0.0005210901726968586f, 0.0009088804363273084f,
                        0.0012817435199394822f, 0.0005662639741785824f, 0.0010352663230150938f, 0.0004896798054687679f,
                        3.961252514272928e-05f, 0.0012263304088264704f, 0.0002530096098780632f, -0.0001413056015735492f);
                assertClose("3.conv1.bn.weight gradient", qat.getParameter("3.conv1.bn.weight").grad(),
                        -0.001395359286107123f, -0.0005808699643239379f, 0.00017156361718662083f, 0.0005785586545243859f);
                assertClose("4.conv2.bn.bias gradient", qat.getParameter("4.conv2.bn.bias").grad(),
                        -0.05617273598909378f, 0.010491102933883667f, 0.1441764235496521f, 0.16456985473632812f,
                        0.12401363253593445f, 0.021958351135253906f, -0.02890072390437126f, -0.1364336907863617f);
                assertClose("4.downsample.0.weight gradient", qat.getParameter("4.downsample.0.weight").grad(),
                        -0.0f, -0.05248340219259262f, -0.046284157782793045f, -0.07605090737342834f, -0.0021769599989056587f,
                        -0.0023764208890497684f, -0.007649734150618315f, -0.006408967077732086f, 0.0f, -0.0006770439795218408f,
                        -0.009450312703847885f, -0.012016337364912033f, 0.0032066020648926497f, 0.001990602584555745f,
                        -0.0069520254619419575f, -0.008351326920092106f, 0.005795907694846392f, 0.0f, -0.005253673996776342f,
                        -0.00781220430508256f, 0.002327660331502557f, 0.0008567484328523278f, -0.0008420714293606579f,
                        -0.0010640097316354513f, -0.009272216819226742f, -0.005154299084097147f, 0.0f, 0.0031200347002595663f,
                        -0.008100133389234543f, -0.005697091110050678f, 0.0015681757358834147f, -0.0020699594169855118f);
                assertClose("4.downsample.0.bn.weight gradient", qat.getParameter("4.downsample.0.bn.weight").grad(),
                        -0.008307628333568573f, 0.02422257699072361f, 0.0524786040186882f, 0.031944382935762405f,
                        0.052606429904699326f, 0.014507154002785683f, -0.05820159241557121f, -0.08527477085590363f);
                assertClose("7.bias gradient", qat.getParameter("7.bias").grad(),
                        -0.05835948884487152f, 0.3344227373600006f, 0.23288282752037048f, -0.2244361788034439f,
                        -0.28450989723205566f);
            }
            sgd.step();
            losses[i] = loss.item();
        }
        assertArrayEquals(new double[] {
                2.12636137008667, 1.9974713325500488, 1.9473247528076172, 2.0534441471099854, 1.7780472040176392},
                losses, 1e-5, "losses");
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        assertGrid("0.input_fake_quant",
                fakeQuant(qat, "0.input_fake_quant").grid(), 0.007804450578987598f, 91);
        assertScales("0.weight_fake_quant",
                fakeQuant(qat, "0.weight_fake_quant").scales(),
                0.004311989527195692f, 0.003324912628158927f, 0.0024671663995832205f, 0.002244924660772085f);
        assertGrid("0.activation_post_process",
                fakeQuant(qat, "0.activation_post_process").grid(), 0.00637365086004138f, 0);
        assertScales("3.conv1.weight_fake_quant",
                fakeQuant(qat, "3.conv1.weight_fake_quant").scales(),
                0.004764970857650042f, 0.0063226534985005856f, 0.006694161798804998f, 0.005589006002992392f);
        assertGrid("3.conv1.activation_post_process",
                fakeQuant(qat, "3.conv1.activation_post_process").grid(), 0.01936340145766735f, 0);
        assertScales("3.conv2.weight_fake_quant",
                fakeQuant(qat, "3.conv2.weight_fake_quant").scales(),
                0.0024666031822562218f, 0.002133060246706009f, 0.0026365735102444887f, 0.0035823052749037743f);
        assertGrid("3.conv2.activation_post_process",
                fakeQuant(qat, "3.conv2.activation_post_process").grid(), 0.02671152912080288f, 104);
        assertGrid("3.add_relu.activation_post_process",
                fakeQuant(qat, "3.add_relu.activation_post_process").grid(), 0.017264410853385925f, 0);
        assertScales("4.conv1.weight_fake_quant",
                fakeQuant(qat, "4.conv1.weight_fake_quant").scales(),
                0.0058035883121192455f, 0.0046366495080292225f, 0.00327315554022789f, 0.002236980013549328f,
                0.0018370579928159714f, 0.0023592952638864517f, 0.00376865710131824f, 0.005357272457331419f);
        assertGrid("4.conv1.activation_post_process",
                fakeQuant(qat, "4.conv1.activation_post_process").grid(), 0.01291623990982771f, 0);
        assertScales("4.conv2.weight_fake_quant",
                fakeQuant(qat, "4.conv2.weight_fake_quant").scales(),
                0.0025509626138955355f, 0.0037119728513062f, 0.004965043626725674f, 0.00582912378013134f,
                0.005899201147258282f, 0.0048334840685129166f, 0.003227694658562541f, 0.00209442968480289f);
        assertGrid("4.conv2.activation_post_process",
                fakeQuant(qat, "4.conv2.activation_post_process").grid(), 0.024765893816947937f, 128);
        assertScales("4.downsample.0.weight_fake_quant",
                fakeQuant(qat, "4.downsample.0.weight_fake_quant").scales(),
                0.0029191237408667803f, 0.002375997370108962f, 0.0021135450806468725f, 0.0028185686096549034f,
                0.00404760567471385f, 0.005093972198665142f, 0.005458152387291193f, 0.005105664022266865f);
        assertGrid("4.downsample.0.activation_post_process",
                fakeQuant(qat, "4.downsample.0.activation_post_process").grid(), 0.04199597239494324f, 124);
        assertGrid("4.add_relu.activation_post_process",
                fakeQuant(qat, "4.add_relu.activation_post_process").grid(), 0.02227170020341873f, 0);
        assertScales("7.weight_fake_quant",
                fakeQuant(qat, "7.weight_fake_quant").scales(),
                0.0038775422144681215f, 0.0038327155634760857f, 0.003892243839800358f, 0.003890153020620346f,
                0.003886681981384754f);
        assertGrid("7.activation_post_process",
                fakeQuant(qat, "7.activation_post_process").grid(), 0.008116125129163265f, 94);
        assertClose("0.bn.weight", qat.stateDict().get("0.bn.weight"),
                1.2316769361495972f, 0.8908494710922241f, 0.6124643087387085f, 0.5240693092346191f);
        assertClose("0.bn.bias", qat.stateDict().get("0.bn.bias"),
                -0.3435359001159668f, -0.4761008620262146f, -0.3685295283794403f, -0.06835785508155823f);
        assertClose("0.bn.running_mean", qat.stateDict().get("0.bn.running_mean"),
                0.10029605031013489f, 0.056965284049510956f, -0.015589291229844093f, -0.08353564888238907f);
        assertClose("0.bn.running_var", qat.stateDict().get("0.bn.running_var"),
                1.200151801109314f, 1.0820560455322266f, 0.9500206112861633f, 0.8605778813362122f);
        assertEquals(3, qat.stateDict().get("0.bn.num_batches_tracked").toLongArray()[0],
                "0.bn.num_batches_tracked");
        assertClose("3.conv1.bn.weight", qat.stateDict().get("3.conv1.bn.weight"),
                1.1621309518814087f, 1.4324289560317993f, 1.501829743385315f, 1.3376336097717285f);
        assertClose("3.conv1.bn.bias", qat.stateDict().get("3.conv1.bn.bias"),
                0.5007252097129822f, 0.36832308769226074f, 0.062125612050294876f, -0.26400813460350037f);
        assertClose("3.conv1.bn.running_mean", qat.stateDict().get("3.conv1.bn.running_mean"),
                0.030029674991965294f, -0.04058888554573059f, -0.07937365770339966f, -0.06696997582912445f);
        assertClose("3.conv1.bn.running_var", qat.stateDict().get("3.conv1.bn.running_var"),
                1.1395580768585205f, 1.058601975440979f, 1.0555888414382935f, 1.1389518976211548f);
        assertEquals(3, qat.stateDict().get("3.conv1.bn.num_batches_tracked").toLongArray()[0],
                "3.conv1.bn.num_batches_tracked");
        assertClose("3.conv2.bn.weight", qat.stateDict().get("3.conv2.bn.weight"),
                0.579312801361084f, 0.5243359208106995f, 0.6972799301147461f, 1.0154380798339844f);
        assertClose("3.conv2.bn.bias", qat.stateDict().get("3.conv2.bn.bias"),
                -0.33675724267959595f, -0.02737351320683956f, 0.311429500579834f, 0.5007061958312988f);
        assertClose("3.conv2.bn.running_mean", qat.stateDict().get("3.conv2.bn.running_mean"),
                -0.16181012988090515f, -0.14928576350212097f, -0.0894196406006813f, -0.008398327976465225f);
        assertClose("3.conv2.bn.running_var", qat.stateDict().get("3.conv2.bn.running_var"),
                8.620369911193848f, 8.735954284667969f, 8.883785247802734f, 9.066353797912598f);
        assertEquals(3, qat.stateDict().get("3.conv2.bn.num_batches_tracked").toLongArray()[0],
                "3.conv2.bn.num_batches_tracked");
        assertClose("4.conv1.bn.weight", qat.stateDict().get("4.conv1.bn.weight"),
                1.4809246063232422f, 1.2866398096084595f, 0.9592602849006653f, 0.6507085561752319f, 0.5069885849952698f,
                0.5985300540924072f, 0.8785228729248047f, 1.217678189277649f);
        assertClose("4.conv1.bn.bias", qat.stateDict().get("4.conv1.bn.bias"),
                -0.001674267346970737f, -0.3236413598060608f, -0.4919489920139313f, -0.43297648429870605f,
                -0.17269054055213928f, 0.16792865097522736f, 0.42893826961517334f, 0.4865894019603729f);
        assertClose("4.conv1.bn.running_mean", qat.stateDict().get("4.conv1.bn.running_mean"),
                -0.16165904700756073f, -0.10175155848264694f, -0.04856181889772415f, -0.03331658989191055f,
                -0.06966937333345413f, -0.1447007656097412f, -0.23038959503173828f, -0.28674063086509705f);
        assertClose("4.conv1.bn.running_var", qat.stateDict().get("4.conv1.bn.running_var"),
                3.5511391162872314f, 3.7300124168395996f, 3.8524272441864014f, 3.902143716812134f, 3.865478038787842f,
                3.7801496982574463f, 3.73111891746521f, 3.73058819770813f);
        assertEquals(3, qat.stateDict().get("4.conv1.bn.num_batches_tracked").toLongArray()[0],
                "4.conv1.bn.num_batches_tracked");
        assertClose("4.conv2.bn.weight", qat.stateDict().get("4.conv2.bn.weight"),
                0.7728652954101562f, 1.07388436794281f, 1.3477894067764282f, 1.4635246992111206f, 1.3597193956375122f,
                1.095916509628296f, 0.784575343132019f, 0.6024807095527649f);
        assertClose("4.conv2.bn.bias", qat.stateDict().get("4.conv2.bn.bias"),
                0.36763930320739746f, 0.4907442331314087f, 0.3738934397697449f, 0.08251813799142838f,
                -0.24627836048603058f, -0.45021572709083557f, -0.4483942687511444f, -0.2382662147283554f);
        assertClose("4.conv2.bn.running_mean", qat.stateDict().get("4.conv2.bn.running_mean"),
                0.24828672409057617f, 0.2737261950969696f, 0.2435724288225174f, 0.17042386531829834f,
                0.07763798534870148f, 0.001572873443365097f, -0.027894439175724983f, -0.009384943172335625f);
        assertClose("4.conv2.bn.running_var", qat.stateDict().get("4.conv2.bn.running_var"),
                6.825395584106445f, 6.724874973297119f, 6.591355323791504f, 6.46375036239624f, 6.4249749183654785f,
                6.4992852210998535f, 6.707813739776611f, 7.017045021057129f);
        assertEquals(3, qat.stateDict().get("4.conv2.bn.num_batches_tracked").toLongArray()[0],
                "4.conv2.bn.num_batches_tracked");
        assertClose("4.downsample.0.bn.weight", qat.stateDict().get("4.downsample.0.bn.weight"),
                0.9025359749794006f, 0.6020857691764832f, 0.4824223220348358f, 0.6261521577835083f, 0.9077767133712769f,
                1.2663272619247437f, 1.5003935098648071f, 1.487902283668518f);
        assertClose("4.downsample.0.bn.bias", qat.stateDict().get("4.downsample.0.bn.bias"),
                -0.46954983472824097f, -0.4091082811355591f, -0.16814038157463074f, 0.15387697517871857f,
                0.4075011610984802f, 0.4758976697921753f, 0.30982816219329834f, -0.0041480762884020805f);
        assertClose("4.downsample.0.bn.running_mean", qat.stateDict().get("4.downsample.0.bn.running_mean"),
                0.022673247382044792f, 0.04902925342321396f, 0.03332899138331413f, -0.22310851514339447f,
                0.07185213267803192f, -0.2809387445449829f, 0.2069004774093628f, -0.11964038759469986f);
        assertClose("4.downsample.0.bn.running_var", qat.stateDict().get("4.downsample.0.bn.running_var"),
                0.8515025973320007f, 0.7298750281333923f, 0.6601958870887756f, 0.67561274766922f, 0.7712762355804443f,
                0.9016847610473633f, 1.0052175521850586f, 1.0332117080688477f);
        assertEquals(3, qat.stateDict().get("4.downsample.0.bn.num_batches_tracked").toLongArray()[0],
                "4.downsample.0.bn.num_batches_tracked");
        Tensor x = batch(15, 1.0, 0.1);
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertQuantisedBlocks(int8);
            assertWithinOneStep("trained model's outputs", TRAINED, qat.forward(x));
            assertWithinOneStep("converted model's outputs", CONVERTED, int8.forward(x));
        }
        qat.close();
        sgd.close();
    }

    @Test
    void pyTorchsTrainedCheckpointLoadsAndConvertsAsPyTorchs() throws IOException {
        Path file = dir.resolve("resnet_trained.safetensors");
        try (InputStream in = getClass().getResourceAsStream("/qat/resnet_trained.safetensors")) {
            Files.copy(in, file);
        }
        Module qat = QuantizationAwareTraining.prepareQat(model());
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(file)) {
            Map<String, Tensor> kiln = new LinkedHashMap<>();
            checkpoint.tensors().forEach((key, t) -> kiln.put(key.startsWith("quant.activation_post_process.")
                    ? "0.input_fake_quant." + key.substring("quant.activation_post_process.".length())
                    : key.substring("model.".length()), t));
            qat.loadStateDict(kiln, true);
        }
        qat.eval();
        Tensor x = batch(15, 1.0, 0.1);
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertQuantisedBlocks(int8);
            assertWithinOneStep("loaded model's outputs", TRAINED, qat.forward(x));
            assertWithinOneStep("converted model's outputs", CONVERTED, int8.forward(x));
        }
        qat.close();
    }
}
