package dev.kiln.nn.init;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class InitTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(2024);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** A parameter-like leaf: F32, requiresGrad, initialised to garbage. */
    private static Tensor param(int... dims) {
        return Tensor.full(7, DType.F32, dims).requiresGrad(true);
    }

    /** {mean, population std, min, max}. */
    private static double[] stats(Tensor t) {
        double[] v = t.toDoubleArray();
        double sum = 0;
        double min = Double.POSITIVE_INFINITY;
        double max = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            sum += x;
            min = Math.min(min, x);
            max = Math.max(max, x);
        }
        double mean = sum / v.length;
        double sq = 0;
        for (double x : v) {
            sq += (x - mean) * (x - mean);
        }
        return new double[] {mean, Math.sqrt(sq / v.length), min, max};
    }

    /** Mean within 5 standard errors of 0 (or {@code mean}), std within 1% of {@code std}. */
    private static void assertMoments(Tensor t, double mean, double std) {
        double[] s = stats(t);
        assertEquals(mean, s[0], 5 * std / Math.sqrt(t.size()), "mean of " + t.shape());
        assertEquals(std, s[1], 0.01 * std, "std of " + t.shape());
    }

    private static void assertUniform(Tensor t, double bound) {
        double[] s = stats(t);
        assertTrue(s[2] >= -bound && s[3] <= bound, "values in [" + s[2] + ", " + s[3] + "] outside +-" + bound);
        assertTrue(s[2] < -0.99 * bound && s[3] > 0.99 * bound, "range [" + s[2] + ", " + s[3] + "] does not fill +-" + bound);
        assertMoments(t, 0, bound / Math.sqrt(3));
    }

    @Test
    void fansOf2dWeightAreInAndOut() {
        Tensor w = param(3, 5);
        assertEquals(5, Init.fanIn(w));
        assertEquals(3, Init.fanOut(w));
    }

    @Test
    void fansOfConvWeightIncludeTheReceptiveField() {
        Tensor w = param(64, 32, 3, 3);
        assertEquals(32 * 9, Init.fanIn(w));
        assertEquals(64 * 9, Init.fanOut(w));
        assertThrows(IllegalArgumentException.class, () -> Init.fanIn(param(5)));
    }

    @Test
    void zerosAndConstantFillEveryElement() {
        Tensor w = param(3, 4);
        Init.constant(w, 0.25);
        for (double v : w.toDoubleArray()) {
            assertEquals(0.25, v);
        }
        Init.zeros(w);
        assertArrayEquals(new double[12], w.toDoubleArray());
        assertTrue(w.requiresGrad());
    }

    @Test
    void normalHasTheRequestedMeanAndStd() {
        Tensor w = param(1000, 1000);
        Init.normal(w, 0.5, 2);
        assertMoments(w, 0.5, 2);
    }

    @Test
    void uniformCoversTheInterval() {
        Tensor w = param(1000, 1000);
        Init.uniform(w, -1, 3);
        double[] s = stats(w);
        assertTrue(s[2] >= -1 && s[3] < 3);
        assertMoments(w, 1, 4 / Math.sqrt(12));
    }

    @Test
    void xavierUniformBoundIsGainTimesSqrtSixOverFanSum() {
        Tensor w = param(500, 1000);
        Init.xavierUniform(w);
        assertUniform(w, Math.sqrt(6.0 / 1500));
        Init.xavierUniform(w, 2);
        assertUniform(w, 2 * Math.sqrt(6.0 / 1500));
    }

    @Test
    void xavierNormalStdIsGainTimesSqrtTwoOverFanSum() {
        Tensor w = param(500, 1000);
        Init.xavierNormal(w);
        assertMoments(w, 0, Math.sqrt(2.0 / 1500));
        Init.xavierNormal(w, Init.gain("tanh"));
        assertMoments(w, 0, 5.0 / 3 * Math.sqrt(2.0 / 1500));
    }

    @Test
    void heUniformBoundIsSqrtSixOverFanIn() {
        Tensor w = param(1000, 1000);
        Init.heUniform(w);
        assertUniform(w, Math.sqrt(6.0 / 1000));
    }

    @Test
    void heNormalStdIsSqrtTwoOverFanInIncludingReceptiveField() {
        Tensor w = param(1000, 1000);
        Init.heNormal(w);
        assertMoments(w, 0, Math.sqrt(2.0 / 1000));
        Tensor conv = param(128, 64, 5, 5);
        Init.heNormal(conv);
        assertMoments(conv, 0, Math.sqrt(2.0 / (64 * 25)));
    }

    @Test
    void lecunNormalAndUniformHaveVarianceOneOverFanIn() {
        Tensor w = param(1000, 1000);
        Init.lecunNormal(w);
        assertMoments(w, 0, Math.sqrt(1.0 / 1000));
        Init.lecunUniform(w);
        assertUniform(w, Math.sqrt(3.0 / 1000));
    }

    @Test
    void kaimingUniformWithASqrtFiveIsPyTorchsLinearDefault() {
        Tensor w = param(1000, 400);
        Init.kaimingUniform(w, Math.sqrt(5));
        assertUniform(w, 1 / Math.sqrt(400));
    }

    // ---- Against PyTorch 1.13 ------------------------------------------------------------------------

    /** An F64 leaf, so that the drawn values are compared with PyTorch's double bounds without rounding. */
    private static Tensor param64(int... dims) {
        return Tensor.full(7, DType.F64, dims).requiresGrad(true);
    }

    @Test
    void gainIsPyTorchsCalculateGain() {
        // torch.nn.init.calculate_gain(name), PyTorch 1.13
        for (String linear : new String[] {"linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
            "conv_transpose2d", "conv_transpose3d", "sigmoid"}) {
            assertEquals(1.0, Init.gain(linear), linear);
        }
        assertEquals(1.6666666666666667, Init.gain("tanh"));
        assertEquals(1.4142135623730951, Init.gain("relu"));
        assertEquals(0.75, Init.gain("selu"));
    }

    @Test
    void gainOfLeakyReluTakesPyTorchsDefaultSlope() {
        // torch.nn.init.calculate_gain('leaky_relu'): negative slope 0.01, PyTorch 1.13
        assertEquals(1.4141428569978354, Init.gain("leaky_relu"), 1e-15);
    }

    @Test
    void leakyReluGainIsCalculateGainOfLeakyRelu() {
        // torch.nn.init.calculate_gain('leaky_relu', 0.2) and calculate_gain('leaky_relu', math.sqrt(5)), PyTorch 1.13
        assertEquals(1.3867504905630728, Init.leakyReluGain(0.2), 1e-15);
        assertEquals(0.5773502691896257, Init.leakyReluGain(Math.sqrt(5)), 1e-15);
    }

    @Test
    void kaimingUniformBoundsArePyTorchs() {
        // torch.nn.init.kaiming_uniform_(w, a) bound sqrt(3) * calculate_gain('leaky_relu', a) / sqrt(fan_in),
        // PyTorch 1.13: a = sqrt(5) and 0.2 on [256, 8, 3, 3] (fan_in 72), a = 0 on [256, 128]
        Tensor conv = param64(256, 8, 3, 3);
        Init.kaimingUniform(conv, Math.sqrt(5));
        assertUniform(conv, 0.11785113019775792);
        Init.kaimingUniform(conv, 0.2);
        assertUniform(conv, 0.28306925853614895);
        Tensor w = param64(256, 128);
        Init.kaimingUniform(w, 0);
        assertUniform(w, 0.21650635094610968);
        Init.heUniform(w);
        assertUniform(w, 0.21650635094610968);
    }

    @Test
    void kaimingWithFanOutScalesByTheOutputFanAsPyTorchs() {
        // kaiming_uniform_(w, a=0, mode='fan_out') bound sqrt(3) * sqrt(2) / sqrt(2304) and kaiming_normal_(w,
        // mode='fan_out', nonlinearity='relu') std sqrt(2) / sqrt(2304) on [256, 8, 3, 3] (fan_out 2304), PyTorch 1.13
        Tensor conv = param64(256, 8, 3, 3);
        Init.kaimingUniform(conv, 0, Init.FanMode.FAN_OUT, "leaky_relu");
        assertUniform(conv, 0.051031036307982884);
        Init.kaimingNormal(conv, 0, Init.FanMode.FAN_OUT, "relu");
        assertMoments(conv, 0, 0.029462782549439483);
    }

    @Test
    void kaimingTakesTheGainOfItsNonlinearity() {
        // kaiming_normal_(w, mode='fan_in', nonlinearity='tanh') on [256, 128]: std (5/3) / sqrt(128), PyTorch 1.13
        Tensor w = param64(256, 128);
        Init.kaimingNormal(w, 0.3, Init.FanMode.FAN_IN, "tanh");
        assertMoments(w, 0, 0.1473139127471974);
        Init.kaimingUniform(w, Math.sqrt(5), Init.FanMode.FAN_IN, "leaky_relu");
        assertUniform(w, Math.sqrt(3) * Init.leakyReluGain(Math.sqrt(5)) / Math.sqrt(128));
    }

    @Test
    void kaimingWithoutAModeOrNonlinearityIsRefusedNamingWhatIsMissing() {
        Tensor w = param64(16, 8);
        IllegalArgumentException noMode = assertThrows(IllegalArgumentException.class,
                () -> Init.kaimingUniform(w, 0, null, "relu"));
        assertTrue(noMode.getMessage().contains("mode must be FAN_IN or FAN_OUT"), noMode.getMessage());
        IllegalArgumentException noGain = assertThrows(IllegalArgumentException.class,
                () -> Init.kaimingNormal(w, 0, Init.FanMode.FAN_IN, null));
        assertTrue(noGain.getMessage().contains("nonlinearity must be named"), noGain.getMessage());
    }

    @Test
    void heNormalStdIsKaimingNormals() {
        // torch.nn.init.kaiming_normal_(w) on [256, 128]: std calculate_gain('relu') / sqrt(128) = 0.125, PyTorch 1.13
        Tensor w = param64(256, 128);
        Init.heNormal(w);
        assertMoments(w, 0, 0.125);
    }

    @Test
    void xavierBoundAndStdArePyTorchs() {
        // torch.nn.init.xavier_uniform_(w, gain=5/3) on [256, 128]: bound 0.20833333333333331, and
        // xavier_normal_(w, gain=2.0) on [128, 16, 3, 3] (fans 144, 1152): std 0.07856742013183861, PyTorch 1.13
        Tensor w = param64(256, 128);
        Init.xavierUniform(w, 5.0 / 3);
        assertUniform(w, 0.20833333333333331);
        Tensor conv = param64(128, 16, 3, 3);
        Init.xavierNormal(conv, 2.0);
        assertMoments(conv, 0, 0.07856742013183861);
    }

    /** max |W W^T - gain^2 I| (rows orthonormal) or of W^T W when {@code columns}. */
    private static double orthogonalityError(Tensor w, boolean columns, double gain) {
        Tensor m = w.reshape(w.dim(0), -1);
        Tensor gram = columns ? m.t().matmul(m) : m.matmul(m.t());
        double[] g = gram.toDoubleArray();
        int n = gram.dim(0);
        double worst = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                worst = Math.max(worst, Math.abs(g[i * n + j] - (i == j ? gain * gain : 0)));
            }
        }
        return worst;
    }

    @Test
    void orthogonalWideMatrixHasOrthonormalRows() {
        Tensor w = param(300, 500);
        Init.orthogonal(w);
        assertTrue(orthogonalityError(w, false, 1) < 1e-4);
    }

    @Test
    void orthogonalTallMatrixHasOrthonormalColumns() {
        Tensor w = param(500, 300);
        Init.orthogonal(w);
        assertTrue(orthogonalityError(w, true, 1) < 1e-4);
    }

    @Test
    void orthogonalSquareMatrixWithGainIsScaledOrthogonal() {
        Tensor w = param(256, 256);
        Init.orthogonal(w, 2);
        assertTrue(orthogonalityError(w, false, 2) < 4e-4);
        assertTrue(orthogonalityError(w, true, 2) < 4e-4);
    }

    @Test
    void orthogonalFlattensTrailingDimensions() {
        Tensor w = param(8, 4, 5);
        Init.orthogonal(w);
        assertTrue(orthogonalityError(w, false, 1) < 1e-5);
    }

    @Test
    void orthogonalIsRepeatableUnderASeed() {
        Tensor a = param(20, 30);
        Tensor b = param(20, 30);
        Engine.seed(99);
        Init.orthogonal(a);
        Engine.seed(99);
        Init.orthogonal(b);
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
    }

    @Test
    void orthogonalIsTheQrFactorOfItsNormalDrawWithAPositiveRDiagonal() {
        int m = 7;
        int n = 4;
        Engine.seed(3);
        double[] a = Tensor.normal(0, 1, DType.F64, m, n).toDoubleArray();
        Tensor w = param64(m, n);
        Engine.seed(3);
        Init.orthogonal(w);
        double[] q = w.toDoubleArray();
        // R = Q^T A must be upper triangular with a positive diagonal, and Q R = A.
        double[] r = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < m; k++) {
                    s += q[k * n + i] * a[k * n + j];
                }
                r[i * n + j] = s;
            }
        }
        for (int i = 0; i < n; i++) {
            assertTrue(r[i * n + i] > 0, "R[" + i + "," + i + "] = " + r[i * n + i]);
            for (int j = 0; j < i; j++) {
                assertEquals(0, r[i * n + j], 1e-12, "R below the diagonal");
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < n; k++) {
                    s += q[i * n + k] * r[k * n + j];
                }
                assertEquals(a[i * n + j], s, 1e-12);
            }
        }
    }

    @Test
    void initialisersRefuseTensorsMadeByOps() {
        Tensor w = param(3, 3);
        Tensor derived = w.mul(2);
        assertThrows(IllegalArgumentException.class, () -> Init.zeros(derived));
    }

    @Test
    void fewerThanTwoDimensionsHaveNoFans() {
        assertThrows(IllegalArgumentException.class, () -> Init.xavierUniform(param(10)));
        assertThrows(IllegalArgumentException.class, () -> Init.orthogonal(param(10)));
    }
}
