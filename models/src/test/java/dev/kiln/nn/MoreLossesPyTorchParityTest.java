package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.assertValues;
import static dev.kiln.nn.PyTorchParity.backward;
import static dev.kiln.nn.PyTorchParity.tensor;
import static dev.kiln.nn.PyTorchParity.values;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The margin and multi-label losses, and the K-dimensional, unbatched and class-probability forms of the
 * class losses, against PyTorch 1.13 (numbers printed by {@code models/src/test/pytorch/more_losses.py}): each
 * reduction's loss, its shape, and the gradient of each input that requires one, of a weighted sum of the loss
 * (see {@link PyTorchParity}). Inputs are parity.py's patterns; targets are literals, or a softmax of a pattern.
 */
class MoreLossesPyTorchParityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A tensor of {@code values} in {@code dtype}, shaped {@code dims}. */
    private static Tensor constant(DType dtype, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(dtype);
    }

    /** I64 class indices shaped {@code dims}. */
    private static Tensor classes(long[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    /** I32 class indices shaped {@code dims}. */
    private static Tensor classesI32(int[] values, int... dims) {
        return Tensor.fromArray(values, dims);
    }

    /** Positive weights [n]: {@code pattern(n, seed) + 1}. */
    private static Tensor positive(DType dtype, int seed, int n) {
        return values(seed, n).add(1).to(dtype);
    }

    /** Values in [0, 1]: {@code pattern + 0.5}, shaped {@code dims}. */
    private static Tensor unitInterval(DType dtype, int seed, int... dims) {
        return values(seed, dims).add(0.5).to(dtype);
    }

    /** Class probabilities: the softmax over {@code axis} of the pattern shaped {@code dims}. */
    private static Tensor probabilities(DType dtype, int seed, int axis, int... dims) {
        return F.softmax(values(seed, dims), axis).to(dtype);
    }

    /** {@code 1 - cos(x, y)} over the last axis, PyTorch's {@code 1 - F.cosine_similarity(x, y, dim=-1)}. */
    private static Tensor cosineDistance(Tensor x, Tensor y) {
        int axis = x.rank() - 1;
        Tensor norms = x.norm(2, new int[] {axis}, false).mul(y.norm(2, new int[] {axis}, false));
        return x.mul(y).sum(axis, false).div(norms).neg().add(1);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softMarginMean(DType dtype) {
        // torch.nn.SoftMarginLoss(reduction='mean')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0}, 3, 4);
        Tensor loss = new SoftMarginLoss(Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.684449153776689);
        assertValues("gradient of x", x.grad(),
                -0.01562838553416614, 0.009811904322792712, 0.011283527231285891, -0.01185379540301404,
                0.015186228785709788, -0.009557571848655142, -0.010425440234489856, 0.012923640892804063,
                -0.014446794437627445, -0.015641657881111017, 0.009833064382671253, 0.01133111278072286);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softMarginSum(DType dtype) {
        // torch.nn.SoftMarginLoss(reduction='sum')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0}, 3, 4);
        Tensor loss = new SoftMarginLoss(Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                8.213389845320268);
        assertValues("gradient of x", x.grad(),
                -0.18754062640999367, 0.11774285187351254, 0.1354023267754307, -0.14224554483616852,
                0.18223474542851748, -0.1146908621838617, -0.12510528281387825, 0.15508369071364875,
                -0.17336153325152934, -0.18769989457333222, 0.11799677259205504, 0.13597335336867433);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softMarginNone(DType dtype) {
        // torch.nn.SoftMarginLoss(reduction='none')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0}, 3, 4);
        Tensor loss = new SoftMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3, 4}, loss.shape().dims());
        assertValues("loss", loss,
                0.9623320578776957, 0.49101604293548545, 0.590931211251088, 0.6325018437251178, 0.9175781476416142,
                0.4747164479938944, 0.5314655368864016, 0.7154833642593534, 0.846939382125729, 0.9637069081264538,
                0.49238419119907934, 0.5943347112983569);
        assertValues("gradient of x", x.grad(),
                -0.18754062640999367, -0.009271457152490795, -0.15171185515255267, 0.23259922951370313,
                -0.25164434609667136, 0.05472080369814186, -0.08144902314400623, 0.22843939588607984,
                -0.2777585120212318, -0.18354070763703306, -0.012555298312523826, -0.15509194611731034);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softMarginOfRankThree(DType dtype) {
        // torch.nn.SoftMarginLoss(reduction='none')(x, y) on [2, 3, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2);
        Tensor y = constant(dtype, new double[] {1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, -1.0, 1.0, 1.0, -1.0, -1.0}, 2, 3, 2);
        Tensor loss = new SoftMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 3, 2}, loss.shape().dims());
        assertValues("loss", loss,
                0.9623320578776957, 0.49101604293548545, 0.590931211251088, 0.6325018437251178, 0.9175781476416142,
                0.4747164479938944, 0.5314655368864016, 0.7154833642593534, 0.846939382125729, 0.9637069081264538,
                0.49238419119907934, 0.5943347112983569);
        assertValues("gradient of x", x.grad(),
                -0.18754062640999367, -0.009271457152490795, -0.15171185515255267, 0.23259922951370313,
                -0.25164434609667136, 0.05472080369814186, -0.08144902314400623, 0.22843939588607984,
                -0.2777585120212318, -0.18354070763703306, -0.012555298312523826, -0.15509194611731034);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void softMarginOfLargeMargins(DType dtype) {
        // torch.nn.SoftMarginLoss()(x, y), |x| up to 40, PyTorch 1.13
        Tensor x = constant(dtype, new double[] {40.0, -40.0, 3.0, -3.0, 0.0, 12.5}, 6).requiresGrad(true);
        Tensor y = constant(dtype, new double[] {1.0, 1.0, -1.0, -1.0, 1.0, -1.0}, 6);
        Tensor loss = new SoftMarginLoss().compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                9.381720935058944);
        assertValues("gradient of x", x.grad(),
                -2.148706323793669e-19, -0.0505773811380565, 0.04817870467454957, 0.002398676463506926,
                -0.02528869056902825, 0.05057719265440106);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginMean(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(reduction='mean')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75}, 3, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.6795376309415793);
        assertValues("gradient of x", x.grad(),
                -0.015628385534166137, 0.009811904322792712, 0.011283527231285893, -0.011853795403014044,
                0.015186228785709788, -0.009557571848655142, -0.010425440234489854, 0.012923640892804062,
                0.004519723489143744, -0.01564165788111102, 0.009833064382671255, -0.0076354051460483284);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginSum(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(reduction='sum')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75}, 3, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                2.038612892824738);
        assertValues("gradient of x", x.grad(),
                -0.04688515660249841, 0.029435712968378134, 0.03385058169385768, -0.03556138620904213,
                0.04555868635712936, -0.028672715545965424, -0.031276320703469564, 0.03877092267841219,
                0.013559170467431233, -0.046924973643333055, 0.02949919314801376, -0.022906215438144986);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginNone(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(reduction='none')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75}, 3, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                0.6691952889473467, 0.6598108741953159, 0.7096067296820752);
        assertValues("gradient of x", x.grad(),
                -0.04688515660249841, 0.029435712968378134, 0.03385058169385768, -0.03556138620904213,
                -0.003587439931705221, 0.002257783376230401, 0.0024627997596091194, -0.0030529492249906772,
                -0.015192404406428297, 0.05257719696517417, -0.03305244026870529, 0.025665322904004903);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginWeightedMean(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(weight=w, reduction='mean')(x, y), w = pattern(4, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75}, 3, 4);
        Tensor w = positive(dtype, 101, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(w, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.7754946351754318);
        assertValues("gradient of x", x.grad(),
                -0.011564734976010078, 0.010560116233661158, 0.015533627775199491, -0.017779765991567203,
                0.011237546629998697, -0.010286389503300733, -0.014352330142486689, 0.01938445055114409,
                0.003344517205729647, -0.01683442070750653, 0.013536827525569778, -0.011452510536248071);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginWeightedNone(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(weight=w, reduction='none')(x, y), w = pattern(4, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75}, 3, 4);
        Tensor w = positive(dtype, 101, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(w, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                0.7506962336648464, 0.7486817031997246, 0.8271059686617241);
        assertValues("gradient of x", x.grad(),
                -0.034694204928030235, 0.03168034870098347, 0.04660088332559847, -0.053339297974701605,
                -0.002654643498640833, 0.0024299518318819887, 0.003390448214149352, -0.004579185059214775,
                -0.011242116482512618, 0.05658649869858352, -0.04550211061417997, 0.03849597701131138);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginUnbatched(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(reduction='none')(x, y) on [4], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0}, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.6691952889473467);
        assertValues("gradient of x", x.grad(),
                -0.04688515660249841, 0.029435712968378134, 0.03385058169385768, -0.03556138620904213);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelSoftMarginOfRankThree(DType dtype) {
        // torch.nn.MultiLabelSoftMarginLoss(reduction='none')(x, y) on [2, 3, 4], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = constant(dtype, new double[] {1.0, 0.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.25, 1.0, 0.0, 0.75, 0.75, 0.0, 1.0, 0.25, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0}, 2, 3, 4);
        Tensor loss = new MultiLabelSoftMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 3}, loss.shape().dims());
        assertValues("loss", loss,
                0.6691952889473467, 0.6598108741953159, 0.7096067296820752, 0.7132358539047741, 0.7552167870976062,
                0.7408931538964029);
        assertValues("gradient of x", x.grad(),
                -0.04688515660249841, 0.029435712968378134, 0.03385058169385768, -0.03556138620904213,
                -0.003587439931705221, 0.002257783376230401, 0.0024627997596091194, -0.0030529492249906772,
                -0.015192404406428297, 0.05257719696517417, -0.03305244026870529, 0.025665322904004903,
                0.026885021723793114, -0.07464046145519133, 0.04690770256428752, -0.04171925053127602,
                -0.05331860200062584, 0.06002336543065406, 0.0648493433186337, -0.04082576362190422,
                0.01990944250858189, -0.019375988768515956, -0.021819227347720977, 0.013694364159189992);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP1Mean(DType dtype) {
        // torch.nn.MultiMarginLoss(p=1, reduction='mean')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss(1, 1, null, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.4462061782206821);
        assertValues("gradient of x", x.grad(),
                0.020230952455222603, 0.020230952455222603, 0.020230952455222603, 0.020230952455222603,
                -0.08092380982089041, -0.08092380982089041, 0.020230952455222603, 0.020230952455222603,
                0.020230952455222603, 0.020230952455222603, 0.020230952455222603, 0.020230952455222603,
                -0.08092380982089041, 0.020230952455222603, 0.020230952455222603);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP1Sum(DType dtype) {
        // torch.nn.MultiMarginLoss(p=1, reduction='sum')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss(1, 1, null, Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.3386185346620463);
        assertValues("gradient of x", x.grad(),
                0.06069285736566781, 0.06069285736566781, 0.06069285736566781, 0.06069285736566781,
                -0.24277142946267125, -0.24277142946267125, 0.06069285736566781, 0.06069285736566781,
                0.06069285736566781, 0.06069285736566781, 0.06069285736566781, 0.06069285736566781,
                -0.24277142946267125, 0.06069285736566781, 0.06069285736566781);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP1None(DType dtype) {
        // torch.nn.MultiMarginLoss(p=1, reduction='none')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss(1, 1, null, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                0.2683754296754117, 0.3270513124218312, 0.7431917925648033);
        assertValues("gradient of x", x.grad(),
                0.06069285736566781, 0.06069285736566781, 0.06069285736566781, 0.06069285736566781,
                -0.24277142946267125, 0.019116616170721856, -0.004779154042680464, -0.004779154042680464,
                -0.004779154042680464, -0.004779154042680464, -0.06800345462841434, -0.06800345462841434,
                0.27201381851365736, -0.06800345462841434, -0.06800345462841434);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP2Mean(DType dtype) {
        // torch.nn.MultiMarginLoss(p=2, reduction='mean')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss(2, 1, null, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.3911654240086935);
        assertValues("gradient of x", x.grad(),
                0.004504482148566384, 0.005528927288261164, 0.015226136180956322, 0.029035359961348043,
                -0.05429490557913191, -0.06616559552024222, 0.03464897041418877, 0.022087231861320108,
                0.00868467117583343, 0.0007447220688998956, 0.016769388035564818, 0.026632065659475422,
                -0.1503547782049019, 0.05175451629154292, 0.05519880821831875);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP2Sum(DType dtype) {
        // torch.nn.MultiMarginLoss(p=2, reduction='sum')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss(2, 1, null, Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.1734962720260804);
        assertValues("gradient of x", x.grad(),
                0.013513446445699151, 0.016586781864783497, 0.04567840854286897, 0.08710607988404413,
                -0.16288471673739574, -0.1984967865607266, 0.10394691124256632, 0.06626169558396032,
                0.02605401352750029, 0.0022341662066996874, 0.05030816410669446, 0.07989619697842627,
                -0.4510643346147058, 0.15526354887462876, 0.16559642465495628);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP2None(DType dtype) {
        // torch.nn.MultiMarginLoss(p=2, reduction='none')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss(2, 1, null, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                0.13752385770002468, 0.21554019042341901, 0.8204322239026368);
        assertValues("gradient of x", x.grad(),
                0.013513446445699151, 0.016586781864783497, 0.04567840854286897, 0.08710607988404413,
                -0.16288471673739574, 0.015630286019247458, -0.008185119677197324, -0.005217662572994627,
                -0.002051578216655848, -0.00017592555239966007, -0.056367900668384964, -0.08951988161425202,
                0.5053960934589052, -0.17396540811596428, -0.1855429030603039);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP2WithMarginAndWeightMean(DType dtype) {
        // torch.nn.MultiMarginLoss(p=2, margin=0.3, weight=w)(x, y), w = pattern(5, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor w = positive(dtype, 101, 5);
        Tensor loss = new MultiMarginLoss(2, 0.3, w, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.07250262127067254);
        assertValues("gradient of x", x.grad(),
                0.0, 0.0, 0.0, 0.000988334373543313, -0.000988334373543313, -0.004680861950334319,
                0.004680861950334319, 0.0, 0.0, 0.0, 0.0, 0.0, -0.06925537363471541, 0.03225687015502387,
                0.036998503479691545);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginP1WeightedNone(DType dtype) {
        // torch.nn.MultiMarginLoss(weight=w, reduction='none')(x, y), w = pattern(5, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {4, 0, 2}, 3);
        Tensor w = positive(dtype, 101, 5);
        Tensor loss = new MultiMarginLoss(1, 1, w, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                0.3725207604051361, 0.24201231428839048, 1.023125520473379);
        assertValues("gradient of x", x.grad(),
                0.0842452284263282, 0.0842452284263282, 0.0842452284263282, 0.0842452284263282,
                -0.3369809137053128, 0.014145965312232276, -0.003536491328058069, -0.003536491328058069,
                -0.003536491328058069, -0.003536491328058069, -0.09361792017451201, -0.09361792017451201,
                0.37447168069804804, -0.09361792017451201, -0.09361792017451201);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginUnbatched(DType dtype) {
        // torch.nn.MultiMarginLoss(p=2, reduction='none')(x, y) on [5] with a scalar target, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 5);
        Tensor y = classes(new long[] {3});
        Tensor loss = new MultiMarginLoss(2, 1, null, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.48181588283013255);
        assertValues("gradient of x", x.grad(),
                0.04779308129299064, 0.05086641671207498, 0.07995804339016045, -0.33428289097385316,
                0.1556653495786271);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiMarginOfI32Targets(DType dtype) {
        // torch.nn.MultiMarginLoss()(x, y) with y as int64 (PyTorch takes no int32), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classesI32(new int[] {4, 0, 2}, 3);
        Tensor loss = new MultiMarginLoss().compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.4462061782206821);
        assertValues("gradient of x", x.grad(),
                0.020230952455222603, 0.020230952455222603, 0.020230952455222603, 0.020230952455222603,
                -0.08092380982089041, -0.08092380982089041, 0.020230952455222603, 0.020230952455222603,
                0.020230952455222603, 0.020230952455222603, 0.020230952455222603, 0.020230952455222603,
                -0.08092380982089041, 0.020230952455222603, 0.020230952455222603);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelMarginMean(DType dtype) {
        // torch.nn.MultiLabelMarginLoss(reduction='mean')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {3, 0, -1, 1, 2, 1, 1, 4, -1, -1, 0, 1, 2, 3, 4}, 3, 5);
        Tensor loss = new MultiLabelMarginLoss(Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.0418300384633186);
        assertValues("gradient of x", x.grad(),
                -0.06069285736566781, 0.040461904910445205, 0.040461904910445205, -0.06069285736566781,
                0.040461904910445205, 0.06069285736566781, -0.12138571473133561, 0.06069285736566781,
                0.06069285736566781, -0.06069285736566781, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelMarginSum(DType dtype) {
        // torch.nn.MultiLabelMarginLoss(reduction='sum')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {3, 0, -1, 1, 2, 1, 1, 4, -1, -1, 0, 1, 2, 3, 4}, 3, 5);
        Tensor loss = new MultiLabelMarginLoss(Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                3.125490115389956);
        assertValues("gradient of x", x.grad(),
                -0.18207857209700345, 0.12138571473133562, 0.12138571473133562, -0.18207857209700345,
                0.12138571473133562, 0.18207857209700345, -0.36415714419400685, 0.18207857209700345,
                0.18207857209700345, -0.18207857209700345, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelMarginNone(DType dtype) {
        // torch.nn.MultiLabelMarginLoss(reduction='none')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classes(new long[] {3, 0, -1, 1, 2, 1, 1, 4, -1, -1, 0, 1, 2, 3, 4}, 3, 5);
        Tensor loss = new MultiLabelMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                1.307826907694357, 1.8176632076955994, 0.0);
        assertValues("gradient of x", x.grad(),
                -0.18207857209700345, 0.12138571473133562, 0.12138571473133562, -0.18207857209700345,
                0.12138571473133562, -0.014337462128041392, 0.028674924256082777, -0.014337462128041392,
                -0.014337462128041392, 0.014337462128041392, -0.0, -0.0, -0.0, -0.0, -0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelMarginWithTermsUnderTheMargin(DType dtype) {
        // torch.nn.MultiLabelMarginLoss(reduction='none')(x, y), |x| up to 2, PyTorch 1.13
        Tensor x = constant(dtype, new double[] {2.0, -1.5, 0.25, 1.0, -0.5, 0.0, 1.75, -2.0, 0.5, 1.25}, 2, 5).requiresGrad(true);
        Tensor y = classes(new long[] {0, 3, -1, 0, 0, 1, -1, 2, 2, 2}, 2, 5);
        Tensor loss = new MultiLabelMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2}, loss.shape().dims());
        assertValues("loss", loss,
                0.05, 0.1);
        assertValues("gradient of x", x.grad(),
                0.0, 0.0, 0.06069285736566781, -0.06069285736566781, 0.0, -0.0, 0.004779154042680464, -0.0, -0.0,
                -0.004779154042680464);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelMarginUnbatched(DType dtype) {
        // torch.nn.MultiLabelMarginLoss(reduction='none')(x, y) on [5], PyTorch 1.13
        Tensor x = tensor(dtype, 101, 5);
        Tensor y = classes(new long[] {2, 4, -1, 0, 0}, 5);
        Tensor loss = new MultiLabelMarginLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.8676304779462096);
        assertValues("gradient of x", x.grad(),
                0.12138571473133562, 0.12138571473133562, -0.18207857209700345, 0.12138571473133562,
                -0.18207857209700345);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void multiLabelMarginOfI32Targets(DType dtype) {
        // torch.nn.MultiLabelMarginLoss()(x, y) with y as int64 (PyTorch takes no int32), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 5);
        Tensor y = classesI32(new int[] {3, 0, -1, 1, 2, 1, 1, 4, -1, -1, 0, 1, 2, 3, 4}, 3, 5);
        Tensor loss = new MultiLabelMarginLoss().compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.0418300384633186);
        assertValues("gradient of x", x.grad(),
                -0.06069285736566781, 0.040461904910445205, 0.040461904910445205, -0.06069285736566781,
                0.040461904910445205, 0.06069285736566781, -0.12138571473133561, 0.06069285736566781,
                0.06069285736566781, -0.06069285736566781, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithDistanceMean(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='mean')(a, p, n), PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(null, 2, false, Reduction.MEAN).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.4493959029206895);
        assertValues("gradient of a", a.grad(),
                0.03443703719809911, 0.009056832126709623, -0.020582923947986047, -0.040542190610092545,
                -0.04032621521022388, -0.0201203472326658, 0.009548455165346581, 0.034726490628203835,
                0.044466974346398375, 0.030867963631134223, 0.002751290242040391, -0.026659334990852192);
        assertValues("gradient of p", p.grad(),
                0.0246376071891099, 0.05929639987605161, 0.06606711674832373, 0.04176538386552681,
                -0.0022311920477293113, -0.046172670682217296, -0.06839847449600636, -0.05845546066770637,
                -0.021898518894798984, 0.027400741626031146, 0.06381294929960188, 0.07021287390059598);
        assertValues("gradient of n", n.grad(),
                -0.05907464438720901, -0.06835323200276124, -0.045484192800337685, -0.0012231932554342675,
                0.04255740725795319, 0.0662930179148831, 0.05885001933065978, 0.02372897003950254,
                -0.022568455451599394, -0.05826870525716537, -0.06656423954164227, -0.04355353890974379);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithDistanceSum(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='sum')(a, p, n), PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(null, 2, false, Reduction.SUM).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                4.348187708762069);
        assertValues("gradient of a", a.grad(),
                0.10331111159429732, 0.02717049638012886, -0.06174877184395813, -0.12162657183027764,
                -0.12097864563067162, -0.060361041697997386, 0.028645365496039715, 0.10417947188461149,
                0.13340092303919512, 0.09260389089340267, 0.008253870726121215, -0.07997800497255658);
        assertValues("gradient of p", p.grad(),
                0.0739128215673297, 0.17788919962815483, 0.19820135024497118, 0.12529615159658045,
                -0.006693576143187934, -0.13851801204665187, -0.20519542348801906, -0.1753663820031191,
                -0.06569555668439694, 0.08220222487809344, 0.1914388478988056, 0.21063862170178796);
        assertValues("gradient of n", n.grad(),
                -0.17722393316162702, -0.2050596960082837, -0.13645257840101305, -0.0036695797663028025,
                0.12767222177385956, 0.19887905374464926, 0.17655005799197934, 0.07118691011850761,
                -0.06770536635479818, -0.1748061157714961, -0.19969271862492682, -0.13066061672923138);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithDistanceNone(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='none')(a, p, n), PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(null, 2, false, Reduction.NONE).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                1.4982766018100704, 1.442215302341965, 1.4076958046100336);
        assertValues("gradient of a", a.grad(),
                0.10331111159429732, 0.02717049638012886, -0.06174877184395813, -0.12162657183027764,
                0.00952625413333874, 0.004753025792036115, -0.0022556297438699677, -0.008203432262579526,
                -0.14946937763414828, -0.1037582471170057, -0.009248068846896745, 0.0896115435734767);
        assertValues("gradient of p", p.grad(),
                0.0739128215673297, 0.17788919962815483, 0.19820135024497118, 0.12529615159658045,
                0.0005270740721922531, 0.010907361195211927, 0.01615775859412787, 0.013808922332507346,
                0.07360874083352945, -0.09210367599226364, -0.21449810689859747, -0.2360105385644939);
        assertValues("gradient of n", n.grad(),
                -0.17722393316162702, -0.2050596960082837, -0.13645257840101305, -0.0036695797663028025,
                -0.010053328205530994, -0.015660386987248042, -0.013902128850257902, -0.00560549006992782,
                0.07586063680061883, 0.19586192310926934, 0.2237461757454942, 0.1463989949910172);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithDistanceDefaults(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss()(a, p, n), PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss().compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.44939590292068976);
        assertValues("gradient of a", a.grad(),
                0.03443703719809911, 0.009056832126709623, -0.020582923947986047, -0.040542190610092545,
                -0.04032621521022388, -0.0201203472326658, 0.009548455165346581, 0.034726490628203835,
                0.044466974346398375, 0.030867963631134223, 0.002751290242040391, -0.026659334990852192);
        assertValues("gradient of p", p.grad(),
                0.0246376071891099, 0.05929639987605161, 0.06606711674832373, 0.04176538386552681,
                -0.0022311920477293113, -0.046172670682217296, -0.06839847449600636, -0.05845546066770637,
                -0.021898518894798984, 0.027400741626031146, 0.06381294929960188, 0.07021287390059598);
        assertValues("gradient of n", n.grad(),
                -0.05907464438720901, -0.06835323200276124, -0.045484192800337685, -0.0012231932554342675,
                0.04255740725795319, 0.0662930179148831, 0.05885001933065978, 0.02372897003950254,
                -0.022568455451599394, -0.05826870525716537, -0.06656423954164227, -0.04355353890974379);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithDistanceSwap(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(margin=2.0, swap=True, reduction='none')(a, p, n); every row swaps, PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(null, 2, true, Reduction.NONE).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                2.0898586802764036, 2.033490710347453, 1.9628107214034425);
        assertValues("gradient of a", a.grad(),
                -0.0739128215673297, -0.17788919962815483, -0.19820135024497118, -0.12529615159658045,
                -0.0005270740721922531, -0.010907361195211927, -0.01615775859412787, -0.013808922332507346,
                -0.07360874083352945, 0.09210367599226364, 0.21449810689859747, 0.2360105385644939);
        assertValues("gradient of p", p.grad(),
                0.2973191875945578, 0.3338672652388126, 0.21339201941214445, -0.007445159295513121,
                0.0170017128434457, 0.026088056835619978, 0.02290480591512071, 0.008949092729525624,
                -0.12019665904969068, -0.3221476501908008, -0.37258719974025545, -0.24779279940525462);
        assertValues("gradient of n", n.grad(),
                -0.2234063660272281, -0.15597806561065775, -0.015190669167173262, 0.13274131089209357,
                -0.016474638771253446, -0.01518069564040805, -0.006747047320992837, 0.004859829602981721,
                0.19380539988322013, 0.2300439741985372, 0.15808909284165798, 0.011782260840760719);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithCosineDistance(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(distance_function=lambda x, y: 1 - F.cosine_similarity(x, y), margin=0.5, reduction='none')(a, p, n), PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(MoreLossesPyTorchParityTest::cosineDistance, 0.5, false, Reduction.NONE).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                0.0, 0.0, 0.0);
        assertValues("gradient of a", a.grad(),
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
        assertValues("gradient of p", p.grad(),
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.0, -0.0, 0.0, 0.0, 0.0, 0.0);
        assertValues("gradient of n", n.grad(),
                0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithL1PairwiseDistanceAndSwap(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(distance_function=nn.PairwiseDistance(p=1, eps=0.01), margin=2.0, swap=True, reduction='sum')(a, p, n), PyTorch 1.13
        Tensor a = tensor(dtype, 100, 3, 4);
        Tensor p = tensor(dtype, 101, 3, 4);
        Tensor n = tensor(dtype, 102, 3, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(new PairwiseDistance(1, 0.01, false), 2, true, Reduction.SUM).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                6.30260278059497);
        assertValues("gradient of a", a.grad(),
                -0.30346428682833904, -0.30346428682833904, -0.30346428682833904, -0.30346428682833904,
                0.30346428682833904, 0.30346428682833904, 0.30346428682833904, 0.30346428682833904,
                0.30346428682833904, -0.30346428682833904, -0.30346428682833904, -0.30346428682833904);
        assertValues("gradient of p", p.grad(),
                0.6069285736566781, 0.6069285736566781, 0.6069285736566781, 0.0, -0.6069285736566781,
                -0.6069285736566781, -0.6069285736566781, 0.0, 0.0, 0.6069285736566781, 0.6069285736566781,
                0.6069285736566781);
        assertValues("gradient of n", n.grad(),
                -0.30346428682833904, -0.30346428682833904, -0.30346428682833904, 0.30346428682833904,
                0.30346428682833904, 0.30346428682833904, 0.30346428682833904, -0.30346428682833904,
                -0.30346428682833904, -0.30346428682833904, -0.30346428682833904, -0.30346428682833904);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void tripletWithDistanceUnbatched(DType dtype) {
        // torch.nn.TripletMarginWithDistanceLoss(margin=2.0, reduction='none')(a, p, n) on [4], PyTorch 1.13
        Tensor a = tensor(dtype, 100, 4);
        Tensor p = tensor(dtype, 101, 4);
        Tensor n = tensor(dtype, 102, 4);
        Tensor loss = new TripletMarginWithDistanceLoss(null, 2, false, Reduction.NONE).compute(a, p, n);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.4982766018100704);
        assertValues("gradient of a", a.grad(),
                0.10331111159429732, 0.02717049638012886, -0.06174877184395813, -0.12162657183027764);
        assertValues("gradient of p", p.grad(),
                0.0739128215673297, 0.17788919962815483, 0.19820135024497118, 0.12529615159658045);
        assertValues("gradient of n", n.grad(),
                -0.17722393316162702, -0.2050596960082837, -0.13645257840101305, -0.0036695797663028025);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalMean(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='mean')(x, y) on [2, 3, 2, 2] and [2, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        Tensor loss = new CrossEntropyLoss(Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.2504218105915637);
        assertValues("gradient of x", x.grad(),
                -0.03402101232550037, 0.00948821335675146, 0.012180210821534681, 0.0, 0.022692143501734784,
                0.024633377299830707, -0.021798556464453285, 0.0, 0.01132886882376558, -0.03412159065658217,
                0.009618345642918604, 0.0, 0.01652739144275521, 0.019215757171984406, -0.02447818950957531,
                0.016609611972282272, 0.014991665279492708, 0.00948215835636323, 0.0070629125871008005,
                -0.03586822388606128, -0.03151905672224792, -0.028697915528347634, 0.017415276922474507,
                0.01925861191377901);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalSum(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='sum')(x, y) on [2, 3, 2, 2] and [2, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        Tensor loss = new CrossEntropyLoss(Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                8.752952674140946);
        assertValues("gradient of x", x.grad(),
                -0.2381470862785026, 0.06641749349726023, 0.08526147575074278, 0.0, 0.15884500451214348,
                0.17243364109881493, -0.152589895251173, 0.0, 0.07930208176635907, -0.23885113459607518,
                0.06732841950043023, 0.0, 0.11569174009928647, 0.13451030020389082, -0.17134732656702714,
                0.1162672838059759, 0.10494165695644896, 0.0663751084945426, 0.0494403881097056,
                -0.2510775672024289, -0.22063339705573543, -0.20088540869843344, 0.12190693845732155,
                0.13481028339645307);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalNone(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='none')(x, y) on [2, 3, 2, 2] and [2, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        Tensor loss = new CrossEntropyLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 2, 2}, loss.shape().dims());
        assertValues("loss", loss,
                1.5360085227890155, 1.5468459475068488, 0.6988162857184511, 0.0, 1.2984628757931271,
                1.0846318871363947, 0.8315763396491112, 1.7566108155479987);
        assertValues("gradient of x", x.grad(),
                -0.2381470862785026, -0.005229930610116399, -0.09553142081999073, 0.0, 0.15884500451214348,
                -0.013577988724216429, 0.17096970663202626, 0.0, 0.07930208176635907, 0.018807919334332828,
                -0.07543828581203554, 0.0, -0.15975642964031128, -0.06417696748181695, -0.11155462066285506,
                0.171262548316533, -0.14491185301139767, -0.03166860212934916, 0.032187859895468386,
                -0.3698390688816747, 0.304668282651709, 0.09584556961116611, 0.07936676076738666,
                0.1985765205651418);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalWeighted(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w)(x, y) on [2, 3, 2, 2], w = pattern(3, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new CrossEntropyLoss(w).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.263109384504561);
        assertValues("gradient of x", x.grad(),
                -0.022702148596895535, 0.01177905951137602, 0.01182138496407427, 0.0, 0.01514241871551609,
                0.030580890866500097, -0.021156376634451697, 0.0, 0.0075597298813794385, -0.04235995037787612,
                0.009334991670377428, 0.0, 0.020517785599065957, 0.023855233727843733, -0.016334243387955236,
                0.016120297103651125, 0.018611271781332882, 0.011771542584086053, 0.0047130664292156085,
                -0.034811555296323654, -0.03912905738039884, -0.035626776311929786, 0.011621176958739628,
                0.018691258192672536);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalWeightedSmoothedMean(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(x, y) on [2, 3, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new CrossEntropyLoss(w, 0.2, -100, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.235704158203681);
        assertValues("gradient of x", x.grad(),
                -0.01829919125776536, 0.0093159471411034, 0.00986654168787385, 0.0, 0.013664742946663777,
                0.026388144296158905, -0.015592861156205272, 0.0, 0.004634448311101579, -0.03570409143726231,
                0.005726319468331425, 0.0, 0.017658112028399894, 0.020844107597283, -0.011373103565130218,
                0.014155903623708188, 0.014961703526118506, 0.008432359526165724, 0.0023211996396925428,
                -0.029217704297339154, -0.03261981555451841, -0.029276467123448727, 0.009051903925437674,
                0.015061800673630969);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalWeightedSmoothedIgnoringClass1None(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, ignore_index=1, label_smoothing=0.1, reduction='none')(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, 1, 2, 1, 0, 1}, 2, 2, 2);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new CrossEntropyLoss(w, 0.1, 1, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 2, 2}, loss.shape().dims());
        assertValues("loss", loss,
                1.1456511099540836, 2.045275358338045, 0.0, 0.0, 1.730258276794616, 0.0, 0.6812748872169012, 0.0);
        assertValues("gradient of x", x.grad(),
                -0.15913581476664787, -0.006447079039724082, 0.0, 0.0, 0.11180734967382812, -0.017410938927924634,
                0.0, 0.0, 0.047328465092819724, 0.023858017967648717, 0.0, 0.0, -0.20460447739130252, 0.0,
                -0.07001241477970514, 0.0, -0.17993502429947128, 0.0, 0.01777456190667006, 0.0,
                0.38453950169077383, 0.0, 0.052237852873035076, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalSmoothedIgnoringClass1Mean(DType dtype) {
        // torch.nn.CrossEntropyLoss(ignore_index=1, label_smoothing=0.3)(x, y) on [2, 3, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, 1, 2, 1, 0, 1}, 2, 2, 2);
        Tensor loss = new CrossEntropyLoss(0.3, 1, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.2632433824038656);
        assertValues("gradient of x", x.grad(),
                -0.04436355722820869, 0.009017766203606581, 0.0, 0.0, 0.032124643957327385, 0.035521803103995254,
                0.0, 0.0, 0.012238913270881287, -0.04453956930760184, 0.0, 0.0, 0.02133632785411314, 0.0,
                -0.02766361730033984, 0.0, 0.01864880706840376, 0.0, 0.004773489856717922, 0.0,
                -0.0399851349225169, 0.0, 0.022890127443621906, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyFourDimensionalSmoothedSum(DType dtype) {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.3, reduction='sum')(x, y) on [2, 3, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, -100, 2, 2, 0, 1}, 2, 2, 2);
        Tensor loss = new CrossEntropyLoss(0.3, Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                8.572976256511367);
        assertValues("gradient of x", x.grad(),
                -0.17745422891283477, 0.036071064814426325, 0.054915047067908854, 0.0, 0.12849857582930954,
                0.14208721241598102, -0.09189703788550521, 0.0, 0.04895565308352515, -0.17815827723040736,
                0.036981990817596316, 0.0, 0.08534531141645256, 0.10416387152105692, -0.11065446920135937,
                0.08592085512314197, 0.07459522827361505, 0.0360286798117087, 0.019093959426871688,
                -0.19038470983676112, -0.1599405396900676, -0.14019255133276562, 0.09156050977448763,
                0.10446385471361914);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyThreeDimensionalOfI32Targets(DType dtype) {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.1)(x, y) on [2, 3, 4] and [2, 4] (y int64 there), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = classesI32(new int[] {0, 1, 2, 1, 2, 2, 0, 1}, 2, 4);
        Tensor loss = new CrossEntropyLoss(0.1).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.1990803214859558);
        assertValues("gradient of x", x.grad(),
                -0.027239516727909998, 0.007037752158706115, 0.009393249940391434, 0.013112541758813278,
                0.01859119103556652, -0.013849961659287691, 0.01759486441869434, -0.022146114801210044,
                0.008648325692343469, 0.006812209500581569, -0.026988114359085776, 0.009033573042396766,
                0.013197032983959396, 0.015549352997034941, -0.01888954676397557, 0.01326897594729557,
                0.011853272591104707, 0.0070324540333664125, 0.004915613985261786, -0.02885582684340079,
                -0.025050305575064102, -0.022581807030401354, 0.013973932778713779, 0.015586850896105217);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyUnbatched(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='none')(x, y) on [4] with a scalar target, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 4);
        Tensor y = classes(new long[] {2});
        Tensor loss = new CrossEntropyLoss(Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.376464679284994);
        assertValues("gradient of x", x.grad(),
                0.058780949138903665, 0.06028821017965964, -0.2268487985452662, 0.1077796392267029);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyUnbatchedWeightedSmoothed(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.2)(x, y) on [4] with a scalar target, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 4);
        Tensor y = classes(new long[] {2});
        Tensor w = positive(dtype, 101, 4);
        Tensor loss = new CrossEntropyLoss(w, 0.2, -100, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.333676490915235);
        assertValues("gradient of x", x.grad(),
                0.048887607847319076, 0.046644010423200495, -0.18359376650395307, 0.0880621482334335);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyWithLabelSmoothingOne(DType dtype) {
        // torch.nn.CrossEntropyLoss(label_smoothing=1.0)(x, y), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor y = classes(new long[] {2, 0, 3}, 3);
        Tensor loss = new CrossEntropyLoss(1.0).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.4034208518719435);
        assertValues("gradient of x", x.grad(),
                -0.005695040856060364, -0.0051926205091417064, 0.0002498055253293513, 0.010637855839872715,
                0.0017678822476989134, 0.004336564606010624, 0.00037206572946032893, -0.006476512583169852,
                0.0016763706077973436, -0.0031282378522128887, -0.0024290215295464986, 0.0038808887739620354);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesMean(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='mean')(x, t), t = softmax(pattern(12, 103).reshape(3, 4), 1), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4).requiresGrad(true);
        Tensor loss = new CrossEntropyLoss(Reduction.MEAN).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.4479549104115186);
        assertValues("gradient of x", x.grad(),
                -0.017227097056025403, -0.008477781131449421, 0.005254177852063851, 0.020450700335410965,
                0.010279523666284927, 0.00990579292844528, -0.0014527877424760061, -0.018732528852254196,
                -0.004582593618453541, -0.007820230512859579, -0.0003168246356489212, 0.012719648766962043);
        assertValues("gradient of t", t.grad(),
                0.16604009249551457, 0.1634789796462776, 0.1392359574145397, 0.10471289796356041,
                0.13339497808681108, 0.12422051937793219, 0.13875285561857328, 0.17015720200074494,
                0.13373768697396732, 0.15358755974130114, 0.15044519823695598, 0.1257885041771795);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesSum(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='sum')(x, t), t = softmax(pattern(12, 103).reshape(3, 4), 1), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4).requiresGrad(true);
        Tensor loss = new CrossEntropyLoss(Reduction.SUM).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                4.3438647312345555);
        assertValues("gradient of x", x.grad(),
                -0.051681291168076196, -0.025433343394348263, 0.015762533556191564, 0.06135210100623289,
                0.030838570998854793, 0.02971737878533585, -0.004358363227428001, -0.05619758655676258,
                -0.013747780855360638, -0.02346069153857874, -0.0009504739069467762, 0.038158946300886114);
        assertValues("gradient of t", t.grad(),
                0.49812027748654364, 0.4904369389388328, 0.4177078722436191, 0.3141386938906812,
                0.4001849342604332, 0.37266155813379653, 0.4162585668557198, 0.5104716060022347,
                0.4012130609219019, 0.4607626792239034, 0.451335594710868, 0.37736551253153844);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesNone(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='none')(x, t), t = softmax(pattern(12, 103).reshape(3, 4), 1), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4).requiresGrad(true);
        Tensor loss = new CrossEntropyLoss(Reduction.NONE).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                1.4884036178091469, 1.4501275641538425, 1.4053335492715657);
        assertValues("gradient of x", x.grad(),
                -0.051681291168076196, -0.025433343394348263, 0.015762533556191564, 0.06135210100623289,
                -0.0024283299165123043, -0.0023400435755417774, 0.0003431917715183233, 0.004425181720535757,
                0.015403733358708935, 0.0262865869534335, 0.0010649607221015277, -0.04275528103424392);
        assertValues("gradient of t", t.grad(),
                0.49812027748654364, 0.4904369389388328, 0.4177078722436191, 0.3141386938906812,
                -0.031511870249701514, -0.029344589617462932, -0.03277756063787194, -0.040196203398378684,
                -0.44954011672819166, -0.5162626264617717, -0.5057000274709542, -0.42282007510628655);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesWeightedMean(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, reduction='mean')(x, t), w = pattern(4, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4);
        Tensor w = positive(dtype, 101, 4);
        Tensor loss = new CrossEntropyLoss(w, 0, -100, Reduction.MEAN).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.6583360167705965);
        assertValues("gradient of x", x.grad(),
                -0.006106960284495422, -0.009070944165710264, -0.00037099355273870416, 0.01554889800294438,
                0.021629285584621405, 0.016052883664242353, -0.005038523344604257, -0.03264364590425947,
                0.006562418660685066, -0.007688563190263859, -0.006552430216432609, 0.0076785747460114);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesWeightedNone(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, reduction='none')(x, t), w = pattern(4, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4);
        Tensor w = positive(dtype, 101, 4);
        Tensor loss = new CrossEntropyLoss(w, 0, -100, Reduction.NONE).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {3}, loss.shape().dims());
        assertValues("loss", loss,
                1.5509978737970864, 1.8621248007675413, 1.5618853757471616);
        assertValues("gradient of x", x.grad(),
                -0.018320880853486265, -0.027212832497130798, -0.001112980658216123, 0.046646694008833124,
                -0.005109482011330062, -0.0037921696484852344, 0.0011902494094038142, 0.007711402250411479,
                -0.022058632218739303, 0.025844006070600604, 0.02202505749125016, -0.025810431343111416);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesSmoothed(DType dtype) {
        // torch.nn.CrossEntropyLoss(label_smoothing=0.2)(x, t), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4).requiresGrad(true);
        Tensor loss = new CrossEntropyLoss(0.2).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.4390480987036034);
        assertValues("gradient of x", x.grad(),
                -0.014920685816032396, -0.007820749006987876, 0.0042533033867169535, 0.01848813143630332,
                0.008577195382567725, 0.008791947263958348, -0.001087817048088737, -0.016281325598437327,
                -0.0033308007732033677, -0.006881831980730248, -0.0007392640144284389, 0.010951896768362031);
        assertValues("gradient of t", t.grad(),
                0.13283207399641167, 0.1307831837170221, 0.11138876593163177, 0.08377031837084833,
                0.10671598246944887, 0.09937641550234576, 0.11100228449485863, 0.13612576160059595,
                0.10699014957917385, 0.12287004779304092, 0.12035615858956479, 0.1006308033417436);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesWeightedSmoothedSum(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, label_smoothing=0.1, reduction='sum')(x, t), PyTorch 1.13
        Tensor x = tensor(dtype, 100, 3, 4);
        Tensor t = probabilities(dtype, 103, 1, 3, 4);
        Tensor w = positive(dtype, 101, 4);
        Tensor loss = new CrossEntropyLoss(w, 0.1, -100, Reduction.SUM).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                4.9683996821213885);
        assertValues("gradient of x", x.grad(),
                -0.015206534340887479, -0.02558362783992581, -0.0024573175088197664, 0.04324747968963302,
                0.0623079934646144, 0.04560461658709709, -0.015016617023539973, -0.09289599302817145,
                0.021595244167136422, -0.021124615339963924, -0.020090041332410016, 0.01961941250523748);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesFourDimensionalWeightedMean(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, reduction='mean')(x, t) on [2, 3, 2, 2], t a softmax over axis 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor t = probabilities(dtype, 103, 1, 2, 3, 2, 2).requiresGrad(true);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new CrossEntropyLoss(w, 0, -100, Reduction.MEAN).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.347776927747478);
        assertValues("gradient of x", x.grad(),
                -0.002790752316677165, -0.0006812400283356311, 0.0038056472239988604, 0.009249129257148518,
                0.014645251838265655, 0.015153024254677249, 0.00752221801104361, -0.004972326831684197,
                -0.011854499521588489, -0.014471784226341615, -0.01132786523504247, -0.004276802425464315,
                0.009362521968909543, 0.012116732837425287, 0.010401739973639792, 0.005475293178740467,
                -0.005261718515432508, -0.014162532062629303, -0.01539717306591053, -0.009912167412032845,
                -0.004100803453477037, 0.002045799225204018, 0.004995433092270735, 0.004436874233292385);
        assertValues("gradient of t", t.grad(),
                0.04311543731160382, 0.042646529543927524, 0.03563575575865731, 0.02723315158242325,
                0.026427866101914832, 0.02307675224857682, 0.028529621687546632, 0.042916619449283724,
                0.07008062805934433, 0.08077792225548606, 0.07862827172895957, 0.0680895647705863,
                0.027068672681671, 0.022838231436855833, 0.023342173568706857, 0.026929377179356694,
                0.04335108833750404, 0.062052596585633855, 0.07407797038156602, 0.07171475972159637,
                0.06780709701667799, 0.05664061789484496, 0.04762591138214455, 0.04237192380613748);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesFourDimensionalWeightedNone(DType dtype) {
        // torch.nn.CrossEntropyLoss(weight=w, reduction='none')(x, t) on [2, 3, 2, 2], t a softmax over axis 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor t = probabilities(dtype, 103, 1, 2, 3, 2, 2).requiresGrad(true);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new CrossEntropyLoss(w, 0, -100, Reduction.NONE).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 2, 2}, loss.shape().dims());
        assertValues("loss", loss,
                1.371451135061435, 1.4664955555513388, 1.3255249897391872, 1.2338904565064701, 1.2350765070007044,
                1.3858524464634652, 1.469543111892364, 1.2943812197648612);
        assertValues("gradient of x", x.grad(),
                -0.02232601853341732, 0.00042914453881654716, -0.03411237098556528, -0.12099305275891507,
                0.11716201470612524, -0.009545589417780945, -0.06742629474662457, 0.06504579901027477,
                -0.09483599617270791, 0.0091164448789644, 0.10153866573218988, 0.05594725374864019,
                -0.10342816736256807, -0.046248661588865474, 0.05417590949289243, 0.0645211710036027,
                0.05812642202988186, 0.05405732398282223, -0.08019387684936338, -0.11680555318778928,
                0.045301745332686244, -0.007808662393956755, 0.026017967356470946, 0.052284382184186635);
        assertValues("gradient of t", t.grad(),
                0.34492349849283055, -0.026865017456429056, -0.31942533010534174, -0.3562521459689833,
                0.21142292881531866, -0.014537111427956297, -0.25572865318314947, -0.561416394656629,
                0.5606450244747546, -0.05088574181053625, -0.7047938543167784, -0.8907178258160681,
                -0.2990287464958035, -0.08717181860681983, 0.12157422564209162, 0.3173373357898412,
                -0.4789012655788793, -0.2368501128732645, 0.3858240476092738, 0.8450908699182791,
                -0.7490678047965839, -0.21619299561609856, 0.24805244806102555, 0.49931319701063454);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void crossEntropyOfProbabilitiesUnbatched(DType dtype) {
        // torch.nn.CrossEntropyLoss(reduction='none')(x, t) on [4], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 4);
        Tensor t = probabilities(dtype, 103, 0, 4);
        Tensor loss = new CrossEntropyLoss(Reduction.NONE).compute(x, t);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.4884036178091469);
        assertValues("gradient of x", x.grad(),
                -0.051681291168076196, -0.025433343394348263, 0.015762533556191564, 0.06135210100623289);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nllThreeDimensionalWeightedMean(DType dtype) {
        // torch.nn.NLLLoss(weight=w, reduction='mean')(x, y) on [2, 3, 4] and [2, 4], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = classes(new long[] {0, 2, -100, 1, 2, 1, 1, 0}, 2, 4);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new NLLLoss(w, -100, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.2453573818370906);
        assertValues("gradient of x", x.grad(),
                -0.03009334058212616, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.04376875825381819, 0.0, -0.0559856654513161,
                0.0, 0.0, 0.0, 0.0, 0.0, -0.03009334058212616, 0.0, -0.04376875825381819, -0.04376875825381819,
                0.0, -0.0559856654513161, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nllThreeDimensionalWeightedSum(DType dtype) {
        // torch.nn.NLLLoss(weight=w, reduction='sum')(x, y) on [2, 3, 4] and [2, 4], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = classes(new long[] {0, 2, -100, 1, 2, 1, 1, 0}, 2, 4);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new NLLLoss(w, -100, Reduction.SUM).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                1.8308715887082347);
        assertValues("gradient of x", x.grad(),
                -0.224558323326575, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.3266051151995166, 0.0, -0.41776841390407904,
                0.0, 0.0, 0.0, 0.0, 0.0, -0.224558323326575, 0.0, -0.3266051151995166, -0.3266051151995166, 0.0,
                -0.41776841390407904, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nllThreeDimensionalWeightedNone(DType dtype) {
        // torch.nn.NLLLoss(weight=w, reduction='none')(x, y) on [2, 3, 4] and [2, 4], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 4);
        Tensor y = classes(new long[] {0, 2, -100, 1, 2, 1, 1, 0}, 2, 4);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new NLLLoss(w, -100, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 4}, loss.shape().dims());
        assertValues("loss", loss,
                0.35597875910733745, 0.6653243942829615, 0.0, -0.047553643307875496, 0.2764334170815119,
                0.316308811880403, 0.5223869387540061, -0.2580070890901098);
        assertValues("gradient of x", x.grad(),
                -0.224558323326575, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5340631106453152, 0.0, 0.03289645093136267,
                0.0, 0.0, 0.0, 0.0, 0.0, -0.3307760312245336, 0.0, 0.1558284073842856, -0.2126342468400164, 0.0,
                0.576888118067325, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void nllFourDimensionalWeightedIgnoringClass1(DType dtype) {
        // torch.nn.NLLLoss(weight=w, ignore_index=1)(x, y) on [2, 3, 2, 2], PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 3, 2, 2);
        Tensor y = classes(new long[] {0, 2, 1, 1, 2, 1, 0, 1}, 2, 2, 2);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new NLLLoss(w, 1, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.21958351486788188);
        assertValues("gradient of x", x.grad(),
                -0.05304576899092729, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.09868637442324225, 0.0, 0.0, 0.0,
                0.0, -0.05304576899092729, 0.0, 0.0, 0.0, 0.0, 0.0, -0.09868637442324225, 0.0, 0.0, 0.0);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bceWithLogitsPosWeightOfRankThreeMean(DType dtype) {
        // torch.nn.BCEWithLogitsLoss(pos_weight=w, reduction='mean')(x, y) on [2, 2, 3], w = pattern(3, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 2, 3);
        Tensor y = unitInterval(dtype, 103, 2, 2, 3);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new BCEWithLogitsLoss(w, Reduction.MEAN).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {}, loss.shape().dims());
        assertValues("loss", loss,
                0.8117123539341752);
        assertValues("gradient of x", x.grad(),
                -0.010354109808567484, -0.008435555823481338, 0.0006855125325947541, 0.011743172078248003,
                0.015057436172695267, 0.01092009570091223, 0.003913786207654008, -0.008336093056642964,
                -0.01957943370340801, -0.010280047913351145, -0.008206646171740432, 0.0009830904525671483);
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void bceWithLogitsPosWeightOfRankThreeNone(DType dtype) {
        // torch.nn.BCEWithLogitsLoss(pos_weight=w, reduction='none')(x, y) on [2, 2, 3], w = pattern(3, 101) + 1, PyTorch 1.13
        Tensor x = tensor(dtype, 100, 2, 2, 3);
        Tensor y = unitInterval(dtype, 103, 2, 2, 3);
        Tensor w = positive(dtype, 101, 3);
        Tensor loss = new BCEWithLogitsLoss(w, Reduction.NONE).compute(x, y);
        backward(200, loss);

        assertArrayEquals(new int[] {2, 2, 3}, loss.shape().dims());
        assertValues("loss", loss,
                0.6989424834118467, 0.8549745837886861, 0.7712598562285475, 0.7356417958713457, 0.9157557998904378,
                0.9198153982806951, 0.647102087752145, 0.721161399276102, 1.1598579465288645, 0.6989314164727685,
                0.8497081738036092, 0.767397305905053);
        assertValues("gradient of x", x.grad(),
                -0.12424931770280981, 0.007970918977794408, -0.00921700953243703, -0.2304285407822035,
                -0.2495101801136974, -0.06252178091641802, 0.03057655659981846, -0.14734950295392232,
                -0.37644021275145173, -0.12062706414500962, 0.010478614480864585, -0.01345581978121126);
    }
}
