package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.key;
import static dev.kiln.nn.PyTorchParity.load;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.io.SafeTensors;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link QatConvBn2d} against PyTorch 1.13's eager-mode quantisation-aware training with batch norm folded into the
 * convolution ({@code ConvBnReLU2d} and {@code ConvBn2d} from {@code fuse_modules_qat} and {@code prepare_qat}, the
 * qconfig of {@link QuantizationAwareTrainingPyTorchParityTest}), printed by
 * {@code models/src/test/pytorch/quantize_qat_convbn.py}: the same gradients of the first step and losses over five
 * SGD steps (the batch norms' statistics frozen after the third), the same running statistics, batch norm weights and
 * fake-quantisation qparams after them to float tolerance (the two train in F32 with sums in different orders), and
 * the trained and the converted models' outputs within one step of the last layer's grid; and a checkpoint of the QAT
 * model under PyTorch's state-dict keys (its QuantStub's {@code quant.activation_post_process.*} being Kiln's
 * {@code 0.input_fake_quant.*}), saved and loaded through safetensors, that resumes the fake quantisations where
 * they were.
 */
class QatConvBn2dPyTorchParityTest {
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
            "4.weight",
            "4.bias",
            "4.bn.weight",
            "4.bn.bias",
            "4.bn.running_mean",
            "4.bn.running_var",
            "4.bn.num_batches_tracked",
            "4.weight_fake_quant.fake_quant_enabled",
            "4.weight_fake_quant.observer_enabled",
            "4.weight_fake_quant.scale",
            "4.weight_fake_quant.zero_point",
            "4.weight_fake_quant.activation_post_process.eps",
            "4.weight_fake_quant.activation_post_process.min_val",
            "4.weight_fake_quant.activation_post_process.max_val",
            "4.activation_post_process.fake_quant_enabled",
            "4.activation_post_process.observer_enabled",
            "4.activation_post_process.scale",
            "4.activation_post_process.zero_point",
            "4.activation_post_process.activation_post_process.eps",
            "4.activation_post_process.activation_post_process.min_val",
            "4.activation_post_process.activation_post_process.max_val",
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
    private static final float STEP = 0.00810664240270853f;
    private static final int FROZEN_AFTER = 3;
    private Scope scope;

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

    private static QatLayer layer(Module qat, String path) {
        return (QatLayer) qat.getSubmodule(path);
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

    /** Each batch norm's weight plus 1 and running statistics from the pattern, as the script sets them. */
    private static void setNorm(BatchNorm2d norm) {
        int channels = norm.channels();
        try (var g = Autograd.noGrad()) {
            norm.weight().assign(norm.weight().add(1.0));
            norm.runningMean().assign(PyTorchParity.values(41, channels).mul(0.2).to(DType.F32));
            norm.runningVar().assign(PyTorchParity.values(42, channels).mul(0.5).add(1.0).to(DType.F32));
        }
    }

    /** The script's model before fusion, its parameters and batch norms set as the script sets them. */
    private static Sequential model() {
        Sequential model = new Sequential(Conv2d.builder(2, 4, 3).padding(1).bias(false).build(), new BatchNorm2d(4),
                new ReLU(), new MaxPool2d(2), Conv2d.builder(4, 6, 3).stride(2).build(), new BatchNorm2d(6),
                new Flatten(), new Linear(24, 5));
        load(model,
                key("0.weight", 1, 4, 2, 3, 3),
                key("1.weight", 2, 4),
                key("1.bias", 3, 4),
                key("4.weight", 4, 6, 4, 3, 3),
                key("4.bias", 5, 6),
                key("5.weight", 6, 6),
                key("5.bias", 7, 6),
                key("7.weight", 8, 5, 24),
                key("7.bias", 9, 5));
        setNorm((BatchNorm2d) model.get(1));
        setNorm((BatchNorm2d) model.get(5));
        return model;
    }

    @Test
    void convBatchNormNetTrainsFreezesAndConvertsAsPyTorch() {
        Module qat = QuantizationAwareTraining.prepareQat(model());
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
                assertClose("0.weight gradient", qat.getParameter("0.weight").grad(),
                        0.027079656720161438f, 0.05147777870297432f, 0.0292948130518198f, 0.058324914425611496f,
                        0.07057071477174759f, 0.037187330424785614f, 0.008223909884691238f, 0.03202155977487564f,
                        0.03325088694691658f, 0.0f, 0.05352335423231125f, 0.019621530547738075f, 0.06909003853797913f,
                        0.04081345722079277f, 0.00024450247292406857f, 0.03471217676997185f, 0.02619362808763981f,
                        -0.006336240563541651f, 0.02593144029378891f, 0.05093001201748848f, 0.03393134847283363f,
                        0.05509042367339134f, 0.06387373059988022f, 0.032771941274404526f, 0.017234163358807564f,
                        0.028902104124426842f, 0.021106768399477005f, 0.05415770038962364f, 0.05119248107075691f,
                        0.018533581867814064f, 0.06129573658108711f, 0.03330579400062561f, -0.005392040591686964f,
                        0.028479382395744324f, 0.013574070297181606f, -0.01678498648107052f, 0.018717404454946518f,
                        0.035793237388134f, 0.023439183831214905f, 0.03843120113015175f, 0.04387100040912628f,
                        0.021933872252702713f, 0.011668502353131771f, 0.01927092671394348f, 0.013912809081375599f, 0.0f,
                        0.03528653085231781f, 0.012227808125317097f, 0.0419703833758831f, 0.022178979590535164f,
                        -0.0044405292719602585f, 0.018956121057271957f, 0.008632960729300976f, -0.011775324121117592f,
                        0.005080346949398518f, 0.011368573643267155f, 0.003476344281807542f, 0.0205241609364748f,
                        0.016332456842064857f, 0.012403483502566814f, 0.0008206673082895577f, 0.010440652258694172f,
                        0.023939378559589386f, 0.02090531215071678f, 0.015340697020292282f, 0.0063297986052930355f,
                        0.02756982296705246f, 0.01712818630039692f, 0.012057926505804062f, 0.013196112588047981f,
                        0.02320297807455063f, 0.016555503010749817f);
                assertClose("0.bn.weight gradient", qat.getParameter("0.bn.weight").grad(),
                        -0.012449019588530064f, -0.0010913520818576217f, -0.03486331179738045f, 0.01833505928516388f);
                assertClose("0.bn.bias gradient", qat.getParameter("0.bn.bias").grad(),
                        0.023224804550409317f, 0.004123752936720848f, 0.005122663453221321f, 0.06565004587173462f);
                assertClose("4.weight gradient", qat.getParameter("4.weight").grad(),
                        -0.0384969487786293f, 0.04244815185666084f, -0.029811140149831772f, -0.012850211933255196f,
                        0.005650562234222889f, 0.07880079746246338f, 0.024021079763770103f, 0.04746517911553383f,
                        -0.014276955276727676f, -0.016046598553657532f, 0.01751185581088066f, -0.02032206766307354f,
                        -0.009887519292533398f, 0.0017564342124387622f, 0.040122877806425095f, 0.018444569781422615f,
                        0.019317759200930595f, 0.011849320493638515f, -0.005093271378427744f, 0.007480522617697716f,
                        -0.01466116402298212f, -0.008546811528503895f, -0.001654383260756731f, 0.025585664436221123f,
                        0.010017633438110352f, 0.012375539168715477f, 0.01126418448984623f, -0.020721187815070152f,
                        0.016061747446656227f, -0.016859306022524834f, -0.011294453404843807f, -0.004796135704964399f,
                        0.04710652306675911f, 0.002687235362827778f, 0.037323884665966034f, -0.016827929764986038f,
                        0.06311588734388351f, -0.03004760667681694f, 0.04064295068383217f, 0.00048328458797186613f,
                        -0.02967509813606739f, -0.07604628801345825f, -0.0619225911796093f, -0.07899171859025955f,
                        0.007420266978442669f, 0.03136949613690376f, -0.008423343300819397f, 0.026288924738764763f,
                        0.006003181450068951f, -0.01984713412821293f, -0.03154219314455986f, -0.04056023061275482f,
                        -0.03519938141107559f, -0.0178799107670784f, 0.015759088099002838f, -0.0009559663012623787f,
                        0.019677212461829185f, 0.00669515784829855f, -0.00940172839909792f, -0.018274687230587006f,
                        -0.023702140897512436f, -0.021309999749064445f, -0.01562872901558876f, 0.0330004058778286f,
                        -0.00983851682394743f, 0.026511630043387413f, 0.0034012843389064074f, 0.0004971581511199474f,
                        -0.047849319875240326f, -0.015261543914675713f, -0.05080345273017883f, 0.013743038289248943f,
                        -0.07038564234972f, 0.011465475894510746f, -0.034860413521528244f, 0.006969908718019724f,
                        0.04404864087700844f, 0.0587170273065567f, 0.07936084270477295f, 0.08452094346284866f,
                        -0.004754606168717146f, -0.03751445189118385f, -0.0014124391600489616f, -0.02219955436885357f,
                        -0.00254450342617929f, 0.03041784279048443f, 0.019618241116404533f, 0.04949852451682091f,
                        0.03927027806639671f, 0.015463083051145077f, -0.021260719746351242f, -0.004790675826370716f,
                        -0.017358653247356415f, -0.004260726738721132f, 0.01646001823246479f, 0.00983852706849575f,
                        0.029531357809901237f, 0.023382768034934998f, 0.013523626141250134f, -0.03571445494890213f,
                        0.0016112360171973705f, -0.025552263483405113f, 0.0020762940403074026f, 0.004387678578495979f,
                        0.038289688527584076f, 0.022781087085604668f, 0.049358513206243515f, -0.009733874350786209f,
                        0.05825464054942131f, 0.0006115288124419749f, 0.022106781601905823f, -0.010244186967611313f,
                        -0.04193408042192459f, -0.034620534628629684f, -0.07026265561580658f, -0.06599635630846024f,
                        0.0034267446026206017f, 0.03232739120721817f, 0.005971933715045452f, 0.013921119272708893f,
                        -0.00045870046596974134f, -0.02919163927435875f, -0.008238091133534908f, -0.04277820140123367f,
                        -0.03141012415289879f, -0.009638345800340176f, 0.019453775137662888f, 0.006507066544145346f,
                        0.011447747237980366f, 0.0016099904896691442f, -0.016575895249843597f, -0.0028377908747643232f,
                        -0.025828856974840164f, -0.018543248996138573f, -0.008610027842223644f, 0.02900644578039646f,
                        0.0029885191470384598f, 0.01822858862578869f, -0.004873595666140318f, -0.006443782709538937f,
                        -0.023690469563007355f, -0.021743349730968475f, -0.036273710429668427f, 0.005802998784929514f,
                        -0.04446667432785034f, -0.006239840295165777f, -0.012137441895902157f, 0.010638824664056301f,
                        0.03562479838728905f, 0.018045591190457344f, 0.05634411796927452f, 0.04749004542827606f,
                        -0.0030906437896192074f, -0.025414898991584778f, -0.007263725623488426f, -0.007538762874901295f,
                        0.0019962082151323557f, 0.02485363557934761f, 0.0015677965711802244f, 0.03367483988404274f,
                        0.023019010201096535f, 0.004952226299792528f, -0.015939533710479736f, -0.006384212989360094f,
                        -0.006711963098496199f, -1.445797533961013e-05f, 0.014526564627885818f, -0.0009436908876523376f,
                        0.020500842481851578f, 0.013480396941304207f, 0.004684200510382652f, -0.021829374134540558f,
                        -0.004769585095345974f, -0.011820345185697079f, 0.0f, 0.0068079810589551926f, 0.013295787386596203f,
                        0.01835678704082966f, 0.02473667822778225f, -0.00343597331084311f, 0.04410005360841751f,
                        0.012188896536827087f, 0.006968146655708551f, -0.012433388270437717f, -0.03866036236286163f,
                        -0.010350572876632214f, -0.05819227173924446f, -0.04404669255018234f, 0.003871313063427806f,
                        0.025886939838528633f, 0.009971964173018932f, 0.00425857724621892f, -0.0031892252154648304f,
                        -0.026923231780529022f, 0.0025040959008038044f, -0.03419540822505951f, -0.021835479885339737f,
                        -0.0023278305307030678f, 0.01680629886686802f, 0.007769848685711622f, 0.004538070876151323f,
                        -0.0009439216228201985f, -0.01607881858944893f, 0.003577091498300433f, -0.02096829004585743f,
                        -0.012710198760032654f, -0.0026649804785847664f, 0.021226227283477783f, 0.007344909943640232f,
                        0.009379376657307148f, -0.0f, -0.00862842332571745f, -0.00873815082013607f, -0.019845522940158844f,
                        -0.021573424339294434f, 0.002512335777282715f);
                assertClose("4.bias gradient", qat.getParameter("4.bias").grad(),
                        4.470348358154297e-08f, -2.9802322387695312e-08f, 1.4901161193847656e-08f, 0.0f,
                        -7.450580596923828e-09f, 7.450580596923828e-09f);
                assertClose("4.bn.weight gradient", qat.getParameter("4.bn.weight").grad(),
                        -0.01865396834909916f, -0.03486735373735428f, 0.0738065093755722f, -0.09313517063856125f,
                        0.09287713468074799f, -0.08635354042053223f);
                assertClose("4.bn.bias gradient", qat.getParameter("4.bn.bias").grad(),
                        0.8753589391708374f, -0.8513891696929932f, 0.7291525602340698f, -0.5226415395736694f,
                        0.25586554408073425f, 0.03830847144126892f);
            }
            sgd.step();
            losses[i] = loss.item();
        }
        assertArrayEquals(new double[] {
                1.5902605056762695, 1.4459949731826782, 1.579393982887268, 1.7832494974136353, 1.2121621370315552}, losses, 1e-5, "losses");
        QuantizationAwareTraining.disableObservers(qat);
        qat.eval();
        assertGrid("input", layer(qat, "0").inputFakeQuant().grid(), 0.007804450578987598f, 91);
        assertGrid("layer 0", layer(qat, "0").outputFakeQuant().grid(), 0.0063897292129695415f, 0);
        assertScales("layer 0 weight", layer(qat, "0").weightFakeQuant().scales(),
                0.005368109326809645f, 0.0038468805141747f, 0.0024382637348026037f, 0.001906440476886928f);
        assertGrid("layer 4", layer(qat, "4").outputFakeQuant().grid(), 0.018287867307662964f, 123);
        assertScales("layer 4 weight", layer(qat, "4").weightFakeQuant().scales(),
                0.006650790572166443f, 0.006028318777680397f, 0.004353498574346304f, 0.0027293360326439142f,
                0.001828050590120256f, 0.001876204740256071f);
        assertGrid("layer 7", layer(qat, "7").outputFakeQuant().grid(), 0.00810664240270853f, 99);
        assertScales("layer 7 weight", layer(qat, "7").weightFakeQuant().scales(),
                0.003907677251845598f, 0.003913186956197023f, 0.003932212479412556f, 0.003931508865207434f,
                0.003925290424376726f);
        assertClose("0.bn.weight", qat.stateDict().get("0.bn.weight"),
                1.1670057773590088f, 0.8219057321548462f, 0.5662703514099121f, 0.4961053133010864f);
        assertClose("0.bn.bias", qat.stateDict().get("0.bn.bias"),
                -0.45178207755088806f, -0.5790877342224121f, -0.43518081307411194f, -0.16268347203731537f);
        assertClose("0.bn.running_mean", qat.stateDict().get("0.bn.running_mean"),
                -0.00809516105800867f, -0.054714385420084f, -0.0785660520195961f, -0.07015446573495865f);
        assertClose("0.bn.running_var", qat.stateDict().get("0.bn.running_var"),
                0.9043993949890137f, 0.8975222110748291f, 0.9677520394325256f, 1.0824850797653198f);
        assertEquals(3, qat.stateDict().get("0.bn.num_batches_tracked").toLongArray()[0], "0.bn.num_batches_tracked");
        assertClose("4.bn.weight", qat.stateDict().get("4.bn.weight"),
                1.4531327486038208f, 1.4038704633712769f, 1.0076266527175903f, 0.7549431920051575f, 0.5006396770477295f,
                0.5496960878372192f);
        assertClose("4.bn.bias", qat.stateDict().get("4.bn.bias"),
                -0.15492644906044006f, 0.010657650418579578f, -0.6821610927581787f, -0.3591994047164917f,
                -0.3215484619140625f, 0.022754287347197533f);
        assertClose("4.bn.running_mean", qat.stateDict().get("4.bn.running_mean"),
                -0.05743560194969177f, -0.020497223362326622f, -0.02708761766552925f, -0.05178208276629448f,
                -0.09703079611063004f, -0.1275661587715149f);
        assertClose("4.bn.running_var", qat.stateDict().get("4.bn.running_var"),
                2.058424949645996f, 2.075941801071167f, 2.177746534347534f, 2.3253700733184814f, 2.442230463027954f,
                2.5020742416381836f);
        assertEquals(3, qat.stateDict().get("4.bn.num_batches_tracked").toLongArray()[0], "4.bn.num_batches_tracked");
        Tensor x = batch(15, 1.0, 0.1);
        try (var g = Autograd.noGrad(); Module int8 = QuantizationAwareTraining.convert(qat)) {
            assertWithinOneStep("trained model's outputs", new float[] {
                0.20266605913639069f, -0.470185250043869f, -0.4945051968097687f, 1.2565295696258545f,
                1.2646361589431763f, 1.2322096824645996f, -0.7133845090866089f, -0.5836782455444336f,
                1.2646361589431763f, -0.0729597806930542f, 1.2646361589431763f, -0.6728513240814209f,
                -0.5593582987785339f, 1.2646361589431763f, -0.7377044558525085f}, qat.forward(x));
            assertWithinOneStep("converted model's outputs", new float[] {
                0.20266605913639069f, -0.470185250043869f, -0.4945051968097687f, 1.2565295696258545f,
                1.2646361589431763f, 1.2322096824645996f, -0.7133845090866089f, -0.5836782455444336f,
                1.2646361589431763f, -0.0729597806930542f, 1.2646361589431763f, -0.6728513240814209f,
                -0.5593582987785339f, 1.2646361589431763f, -0.7377044558525085f}, int8.forward(x));
        }
        qat.close();
        sgd.close();
    }

    @Test
    void checkpointResumesTheFakeQuantisationsUnderPyTorchsNames(@TempDir Path dir) throws IOException {
        Module qat = QuantizationAwareTraining.prepareQat(model());
        SGD sgd = new SGD(qat.trainableParameters(), 0.1);
        Tensor targets = Tensor.fromArray(TARGETS, TARGETS.length);
        for (Tensor x : new Tensor[] {batch(11, 2.0, 0.3), batch(12, 1.5, -0.2)}) {
            sgd.zeroGrad();
            new CrossEntropyLoss().compute(qat.forward(x), targets).backward();
            sgd.step();
        }
        layer(qat, "7").outputFakeQuant().disableFakeQuant();
        Map<String, Tensor> state = qat.stateDict();
        assertEquals(new TreeSet<>(PYTORCH_KEYS), new TreeSet<>(state.keySet()), "PyTorch's state-dict keys");
        Path file = dir.resolve("qat.safetensors");
        SafeTensors.write(file, state);
        Module resumed = QuantizationAwareTraining.prepareQat(new Sequential(new Conv2d(2, 4, 3, 1, 1, 1, false),
                new BatchNorm2d(4), new ReLU(), new MaxPool2d(2), new Conv2d(4, 6, 3, 2, 0, 1, true),
                new BatchNorm2d(6), new Flatten(), new Linear(24, 5)));
        try (SafeTensors.Loaded checkpoint = SafeTensors.read(file)) {
            resumed.loadStateDict(checkpoint.tensors(), true);
        }
        assertEquals(false, layer(resumed, "7").outputFakeQuant().fakeQuantEnabled());
        for (String path : new String[] {"0", "4", "7"}) {
            assertEquals(layer(qat, path).outputFakeQuant().grid(), layer(resumed, path).outputFakeQuant().grid(),
                    path);
            assertArrayEquals(layer(qat, path).weightFakeQuant().scales(), layer(resumed, path).weightFakeQuant()
                    .scales(), path);
        }
        // A third training batch moves the resumed averages exactly as the trained ones: the observers go on.
        Tensor next = batch(13, 2.5, 0.1);
        assertArrayEquals(qat.forward(next).toFloatArray(), resumed.forward(next).toFloatArray());
        MovingAverageMinMaxObserver trained = (MovingAverageMinMaxObserver) layer(qat, "4").outputFakeQuant()
                .observer();
        MovingAverageMinMaxObserver again = (MovingAverageMinMaxObserver) layer(resumed, "4").outputFakeQuant()
                .observer();
        assertEquals(trained.minVal(), again.minVal());
        assertEquals(trained.maxVal(), again.maxVal());
        resumed.close();
        qat.close();
        sgd.close();
    }
}
