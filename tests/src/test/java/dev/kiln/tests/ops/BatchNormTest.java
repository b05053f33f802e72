package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link F#batchNorm} on [N, C] and [N, C, H, W]: forward values in training and inference mode against
 * loops written here, running statistics after training steps against hand values (PyTorch's rule:
 * unbiased variance, momentum 0.1), gradients against finite differences, and error messages.
 */
class BatchNormTest {
    private static final double EPS = 1e-5;
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20240919L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    static Stream<int[]> shapes() {
        // The last two have ResNet-like images: 7 x 7, and 48 x 50, longer than one of the CPU's 2,048-float chunks.
        return Stream.of(new int[] {6, 3}, new int[] {2, 3, 4, 5}, new int[] {3, 2, 1, 1}, new int[] {1, 4, 3, 2},
                new int[] {3, 2, 7, 7}, new int[] {2, 3, 48, 50});
    }

    /** Channel of flat element i of a row-major [N, C, ...] array. */
    private static int channelOf(int[] dims, int i) {
        int spatial = 1;
        for (int a = 2; a < dims.length; a++) {
            spatial *= dims[a];
        }
        return (i / spatial) % dims[1];
    }

    /** Per-channel mean and biased variance, by plain loops. */
    private static double[][] batchStats(int[] dims, double[] x) {
        int c = dims[1];
        double[] sum = new double[c];
        double[] count = new double[c];
        for (int i = 0; i < x.length; i++) {
            sum[channelOf(dims, i)] += x[i];
            count[channelOf(dims, i)]++;
        }
        double[] mean = new double[c];
        for (int k = 0; k < c; k++) {
            mean[k] = sum[k] / count[k];
        }
        double[] var = new double[c];
        for (int i = 0; i < x.length; i++) {
            double d = x[i] - mean[channelOf(dims, i)];
            var[channelOf(dims, i)] += d * d;
        }
        for (int k = 0; k < c; k++) {
            var[k] /= count[k];
        }
        return new double[][] {mean, var, count};
    }

    private static double[] normalise(int[] dims, double[] x, double[] mean, double[] var, double[] w, double[] b) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            int k = channelOf(dims, i);
            y[i] = (x[i] - mean[k]) / Math.sqrt(var[k] + EPS) * (w == null ? 1 : w[k]) + (b == null ? 0 : b[k]);
        }
        return y;
    }

    private static double tolerance(DType dtype) {
        return dtype == DType.F32 ? 1e-4 : 1e-10;
    }

    // ---- forward values ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void trainingForwardMatchesLoopsAndUpdatesRunningStatistics(int[] dims) {
        if (dims[0] * (dims.length == 4 ? dims[2] * dims[3] : 1) == 1) {
            return;
        }
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            for (boolean affine : new boolean[] {true, false}) {
                int c = dims[1];
                Tensor x = Tensor.normal(0.5, 2, dtype, dims);
                Tensor w = affine ? Tensor.normal(1, 0.5, dtype, c) : null;
                Tensor b = affine ? Tensor.normal(0, 0.5, dtype, c) : null;
                Tensor rm = Tensor.normal(0, 1, dtype, c);
                Tensor rv = Tensor.uniform(0.5, 2, dtype, c);
                double[] rm0 = rm.toDoubleArray();
                double[] rv0 = rv.toDoubleArray();
                double[] xs = x.toDoubleArray();
                Tensor y = F.batchNorm(x, rm, rv, w, b, true, 0.1, EPS);
                assertArrayEquals(dims, y.shape().dims());
                double[][] stats = batchStats(dims, xs);
                double[] expected = normalise(dims, xs, stats[0], stats[1],
                        affine ? w.toDoubleArray() : null, affine ? b.toDoubleArray() : null);
                String what = dtype + " affine=" + affine + " " + java.util.Arrays.toString(dims);
                assertArrayEquals(expected, y.toDoubleArray(), tolerance(dtype), what);
                double[] rmExpected = new double[c];
                double[] rvExpected = new double[c];
                for (int k = 0; k < c; k++) {
                    double m = stats[2][k];
                    rmExpected[k] = 0.9 * rm0[k] + 0.1 * stats[0][k];
                    rvExpected[k] = 0.9 * rv0[k] + 0.1 * stats[1][k] * m / (m - 1);
                }
                assertArrayEquals(rmExpected, rm.toDoubleArray(), tolerance(dtype), what + " running mean");
                assertArrayEquals(rvExpected, rv.toDoubleArray(), tolerance(dtype), what + " running var");
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void inferenceForwardUsesRunningStatisticsAndLeavesThem(int[] dims) {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            for (boolean affine : new boolean[] {true, false}) {
                int c = dims[1];
                Tensor x = Tensor.normal(0.5, 2, dtype, dims);
                Tensor w = affine ? Tensor.normal(1, 0.5, dtype, c) : null;
                Tensor b = affine ? Tensor.normal(0, 0.5, dtype, c) : null;
                Tensor rm = Tensor.normal(0, 1, dtype, c);
                Tensor rv = Tensor.uniform(0.5, 2, dtype, c);
                double[] rm0 = rm.toDoubleArray();
                double[] rv0 = rv.toDoubleArray();
                double[] xs = x.toDoubleArray();
                Tensor y = F.batchNorm(x, rm, rv, w, b, false, 0.1, EPS);
                double[] expected = normalise(dims, xs, rm0, rv0,
                        affine ? w.toDoubleArray() : null, affine ? b.toDoubleArray() : null);
                String what = dtype + " affine=" + affine + " " + java.util.Arrays.toString(dims);
                assertArrayEquals(expected, y.toDoubleArray(), tolerance(dtype), what);
                assertArrayEquals(rm0, rm.toDoubleArray(), 0.0, what + " running mean changed");
                assertArrayEquals(rv0, rv.toDoubleArray(), 0.0, what + " running var changed");
            }
        }
    }

    @Test
    void largeOffsetDoesNotCancelInF32() {
        // mean 1000, spread 1e-2: a one-pass E[x^2] - E[x]^2 in float would lose the variance
        Tensor x = Tensor.normal(1000, 0.01, DType.F32, 64, 2);
        Tensor y = F.batchNorm(x, null, null, null, null, true, 0.1, EPS);
        double[] xs = x.toDoubleArray();
        double[][] stats = batchStats(new int[] {64, 2}, xs);
        assertArrayEquals(normalise(new int[] {64, 2}, xs, stats[0], stats[1], null, null), y.toDoubleArray(), 1e-3);
    }

    @Test
    void largeOffsetDoesNotCancelInF32Images() {
        Tensor x = Tensor.normal(1000, 0.01, DType.F32, 8, 2, 8, 8);
        Tensor y = F.batchNorm(x, null, null, null, null, true, 0.1, EPS);
        double[] xs = x.toDoubleArray();
        int[] dims = {8, 2, 8, 8};
        double[][] stats = batchStats(dims, xs);
        assertArrayEquals(normalise(dims, xs, stats[0], stats[1], null, null), y.toDoubleArray(), 1e-3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("shapes")
    void f32ForwardGivesTheValuesOfTheResidualPathBitForBit(int[] dims) {
        // The residual path adds its zeros to the values that the plain path ends with, changing none.
        if (dims[0] * (dims.length == 4 ? dims[2] * dims[3] : 1) == 1) {
            return;
        }
        Tensor x = Tensor.normal(0.3, 1.5, DType.F32, dims);
        Tensor w = Tensor.normal(1, 0.5, DType.F32, dims[1]);
        Tensor b = Tensor.normal(0, 0.5, DType.F32, dims[1]);
        Tensor plain = F.batchNorm(x, null, null, w, b, true, 0.1, EPS);
        Tensor throughResidual = F.batchNormResidual(x, Tensor.zeros(DType.F32, dims), null, null, w, b, true, 0.1,
                EPS, null, 0);
        assertArrayEquals(throughResidual.toFloatArray(), plain.toFloatArray());
    }

    @ParameterizedTest(name = "training {0}")
    @ValueSource(booleans = {true, false})
    void f32GradientsOfImagesMatchTheF64Computation(boolean training) {
        int[] dims = {4, 3, 9, 11};
        Tensor x32 = Tensor.normal(0.3, 1.5, DType.F32, dims).requiresGrad(true);
        Tensor w32 = Tensor.normal(1, 0.5, DType.F32, 3).requiresGrad(true);
        Tensor b32 = Tensor.normal(0, 0.5, DType.F32, 3).requiresGrad(true);
        Tensor upstream32 = Tensor.normal(0, 1, DType.F32, dims);
        Tensor x64 = x32.to(DType.F64).detach().requiresGrad(true);
        Tensor w64 = w32.to(DType.F64).detach().requiresGrad(true);
        Tensor b64 = b32.to(DType.F64).detach().requiresGrad(true);
        F.batchNorm(x32, Tensor.zeros(DType.F32, 3), Tensor.ones(DType.F32, 3), w32, b32, training, 0.1, EPS)
                .backward(upstream32);
        F.batchNorm(x64, Tensor.zeros(DType.F64, 3), Tensor.ones(DType.F64, 3), w64, b64, training, 0.1, EPS)
                .backward(upstream32.to(DType.F64));
        assertArrayEquals(x64.grad().toDoubleArray(), x32.grad().toDoubleArray(), 1e-4, "input gradient");
        assertArrayEquals(w64.grad().toDoubleArray(), w32.grad().toDoubleArray(), 1e-3, "weight gradient (sum of 297)");
        assertArrayEquals(b64.grad().toDoubleArray(), b32.grad().toDoubleArray(), 1e-3, "bias gradient (sum of 297)");
    }

    // ---- running statistics by hand ------------------------------------------------------------------

    @Test
    void runningStatisticsAfterOneAndTwoStepsMatchHandValues() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            double tol = dtype == DType.F32 ? 1e-6 : 1e-12;
            Tensor rm = Tensor.zeros(dtype, 2);
            Tensor rv = Tensor.ones(dtype, 2);
            // channel 0: 1, 2, 3, 4 (mean 2.5, unbiased var 5/3); channel 1: 2, 4, 6, 8 (mean 5, var 20/3)
            Tensor x1 = Tensor.fromArray(new double[] {1, 2, 2, 4, 3, 6, 4, 8}, 4, 2).to(dtype);
            F.batchNorm(x1, rm, rv, null, null, true, 0.1, EPS);
            assertArrayEquals(new double[] {0.25, 0.5}, rm.toDoubleArray(), tol, dtype + " step 1 mean");
            assertArrayEquals(new double[] {0.9 + 0.1 * 5 / 3.0, 0.9 + 0.1 * 20 / 3.0}, rv.toDoubleArray(), tol,
                    dtype + " step 1 var");
            // channel 0: 0, 0, 2, 2 (mean 1, var 4/3); channel 1: -1, 1, -1, 1 (mean 0, var 4/3)
            Tensor x2 = Tensor.fromArray(new double[] {0, -1, 0, 1, 2, -1, 2, 1}, 4, 2).to(dtype);
            F.batchNorm(x2, rm, rv, null, null, true, 0.1, EPS);
            assertArrayEquals(new double[] {0.325, 0.45}, rm.toDoubleArray(), tol, dtype + " step 2 mean");
            assertArrayEquals(new double[] {0.96 + 0.4 / 3, 1.41 + 0.4 / 3}, rv.toDoubleArray(), tol,
                    dtype + " step 2 var");
        }
    }

    @Test
    void runningStatisticsOf4dCountBatchAndSpatialValues() {
        // [2, 1, 2, 1]: channel 0 holds 1, 2 (sample 0) and 3, 4 (sample 1): M = 4, mean 2.5, unbiased var 5/3
        Tensor rm = Tensor.zeros(DType.F64, 1);
        Tensor rv = Tensor.ones(DType.F64, 1);
        Tensor x = Tensor.fromArray(new double[] {1, 2, 3, 4}, 2, 1, 2, 1);
        Tensor y = F.batchNorm(x, rm, rv, null, null, true, 0.1, 0);
        assertArrayEquals(new double[] {0.25}, rm.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.9 + 0.1 * 5 / 3.0}, rv.toDoubleArray(), 1e-12);
        double s = Math.sqrt(1.25);
        assertArrayEquals(new double[] {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s}, y.toDoubleArray(), 1e-12);
    }

    // ---- gradients -----------------------------------------------------------------------------------

    static Stream<int[]> gradShapes() {
        return Stream.of(new int[] {5, 3}, new int[] {2, 3, 3, 2}, new int[] {1, 2, 2, 3});
    }

    private static Tensor f64(Tensor t) {
        return t.requiresGrad(true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradShapes")
    void trainingGradientsOfInputWeightAndBias(int[] dims) {
        int c = dims[1];
        Tensor x = f64(Tensor.normal(0.3, 1.5, DType.F64, dims));
        Tensor w = f64(Tensor.normal(1, 0.5, DType.F64, c));
        Tensor b = f64(Tensor.normal(0, 0.5, DType.F64, c));
        // momentum 0: repeated forward calls leave the running statistics, and so the function, unchanged
        Tensor rm = Tensor.zeros(DType.F64, c);
        Tensor rv = Tensor.ones(DType.F64, c);
        GradCheck.check("batchNorm training " + java.util.Arrays.toString(dims),
                in -> F.batchNorm(in[0], rm, rv, in[1], in[2], true, 0.0, EPS), x, w, b);
        assertArrayEquals(new double[c], rm.toDoubleArray(), 0.0);
        GradCheck.check("batchNorm training, no affine, no running stats",
                in -> F.batchNorm(in[0], null, null, null, null, true, 0.1, EPS), x);
    }

    @Test
    void trainingGradientOfWeightAloneAndOfOneInputAxis() {
        Tensor x = Tensor.normal(0, 1, DType.F64, 4, 3);
        Tensor w = f64(Tensor.normal(1, 0.5, DType.F64, 3));
        Tensor b = Tensor.normal(0, 0.5, DType.F64, 3);
        GradCheck.check("batchNorm weight only", in -> F.batchNorm(in[0], null, null, in[1], in[2], true, 0.1, EPS),
                x, w, b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradShapes")
    void inferenceGradientsOfInputWeightAndBias(int[] dims) {
        int c = dims[1];
        Tensor x = f64(Tensor.normal(0.3, 1.5, DType.F64, dims));
        Tensor w = f64(Tensor.normal(1, 0.5, DType.F64, c));
        Tensor b = f64(Tensor.normal(0, 0.5, DType.F64, c));
        Tensor rm = Tensor.normal(0, 1, DType.F64, c);
        Tensor rv = Tensor.uniform(0.5, 2, DType.F64, c);
        GradCheck.check("batchNorm inference " + java.util.Arrays.toString(dims),
                in -> F.batchNorm(in[0], rm, rv, in[1], in[2], false, 0.1, EPS), x, w, b);
        GradCheck.check("batchNorm inference, no affine",
                in -> F.batchNorm(in[0], rm, rv, null, null, false, 0.1, EPS), x);
    }

    @Test
    void trainingGradientOfInputSumsToZeroPerChannel() {
        // the batch mean is subtracted, so a uniform shift of a channel changes nothing
        Tensor x = f64(Tensor.normal(0, 1, DType.F64, 3, 2, 2, 2));
        Tensor y = F.batchNorm(x, null, null, null, null, true, 0.1, EPS);
        y.mul(Tensor.normal(0, 1, DType.F64, 3, 2, 2, 2)).sum().backward();
        double[] g = x.grad().toDoubleArray();
        double[] perChannel = new double[2];
        for (int i = 0; i < g.length; i++) {
            perChannel[channelOf(new int[] {3, 2, 2, 2}, i)] += g[i];
        }
        assertArrayEquals(new double[2], perChannel, 1e-10);
    }

    // ---- errors --------------------------------------------------------------------------------------

    private static void assertMessage(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message \"" + e.getMessage() + "\" lacks \"" + f + "\"");
        }
    }

    @Test
    void rejectsWrongRank() {
        Tensor rm = Tensor.zeros(DType.F32, 3);
        Tensor rv = Tensor.ones(DType.F32, 3);
        assertMessage(() -> F.batchNorm(Tensor.zeros(DType.F32, 2, 3, 4), rm, rv, null, null, true, 0.1, EPS),
                "batchNorm", "[2, 3, 4]");
        assertMessage(() -> F.batchNorm(Tensor.zeros(DType.F32, 3), rm, rv, null, null, false, 0.1, EPS),
                "batchNorm", "[3]");
    }

    @Test
    void rejectsChannelMismatch() {
        Tensor x = Tensor.zeros(DType.F32, 4, 3, 2, 2);
        Tensor three = Tensor.ones(DType.F32, 3);
        Tensor four = Tensor.ones(DType.F32, 4);
        assertMessage(() -> F.batchNorm(x, three, three, four, null, true, 0.1, EPS), "batchNorm", "weight", "[4]",
                "[4, 3, 2, 2]");
        assertMessage(() -> F.batchNorm(x, three, three, three, four, true, 0.1, EPS), "batchNorm", "bias", "[4]");
        assertMessage(() -> F.batchNorm(x, four, three, null, null, true, 0.1, EPS), "batchNorm", "runningMean");
        assertMessage(() -> F.batchNorm(x, three, four, null, null, false, 0.1, EPS), "batchNorm", "runningVar");
        assertMessage(() -> F.batchNorm(x, three, Tensor.ones(DType.F32, 3, 1), null, null, false, 0.1, EPS),
                "batchNorm", "runningVar", "[3, 1]");
    }

    @Test
    void rejectsDtypeMismatch() {
        Tensor x = Tensor.zeros(DType.F64, 4, 3);
        Tensor f64 = Tensor.ones(DType.F64, 3);
        Tensor f32 = Tensor.ones(DType.F32, 3);
        assertMessage(() -> F.batchNorm(x, f64, f64, f32, null, true, 0.1, EPS), "batchNorm", "F32", "F64");
        assertMessage(() -> F.batchNorm(x, f32, f64, null, null, false, 0.1, EPS), "batchNorm", "F32", "F64");
        assertMessage(() -> F.batchNorm(Tensor.zeros(DType.I64, 4, 3), null, null, null, null, true, 0.1, EPS),
                "batchNorm", "I64");
    }

    @Test
    void rejectsOneValuePerChannelInTrainingButNotInInference() {
        Tensor rm = Tensor.zeros(DType.F64, 3);
        Tensor rv = Tensor.ones(DType.F64, 3);
        assertMessage(() -> F.batchNorm(Tensor.ones(DType.F64, 1, 3), rm, rv, null, null, true, 0.1, EPS),
                "batchNorm", "more than 1 value per channel", "[1, 3]");
        assertMessage(() -> F.batchNorm(Tensor.ones(DType.F64, 1, 3, 1, 1), rm, rv, null, null, true, 0.1, EPS),
                "batchNorm", "more than 1 value per channel", "[1, 3, 1, 1]");
        Tensor y = F.batchNorm(Tensor.ones(DType.F64, 1, 3), rm, rv, null, null, false, 0.1, 0);
        assertArrayEquals(new double[] {1, 1, 1}, y.toDoubleArray(), 1e-12);
        assertArrayEquals(new double[3], rm.toDoubleArray(), 0.0);
    }

    @Test
    void inferenceNeedsRunningStatistics() {
        Tensor x = Tensor.zeros(DType.F64, 4, 3);
        assertMessage(() -> F.batchNorm(x, null, null, null, null, false, 0.1, EPS), "batchNorm", "runningMean");
        assertMessage(() -> F.batchNorm(x, Tensor.zeros(DType.F64, 3), null, null, null, true, 0.1, EPS),
                "batchNorm", "runningVar");
    }
}
