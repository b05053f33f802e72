package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link F#maxPool2d}, {@link F#avgPool2d} and {@link F#globalAvgPool2d} on [batch, channels, height, width],
 * with and without PyTorch's {@code ceil_mode} and {@code count_include_pad}: output sizes, forward values against
 * nested loops, gradients against finite differences (max pooling on distinct values, so no window has a tie),
 * and error messages.
 */
class PoolingTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20240918L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /**
     * One pooling to test; kernel, stride and padding are (height, width). {@code ceilMode} and
     * {@code countIncludePad} as PyTorch's {@code ceil_mode} and {@code count_include_pad}.
     */
    record Case(int batch, int channels, int height, int width, int[] kernel, int[] stride, int[] padding,
                boolean ceilMode, boolean countIncludePad) {
        /** PyTorch's defaults: rounding down, the padding counted. */
        Case(int batch, int channels, int height, int width, int[] kernel, int[] stride, int[] padding) {
            this(batch, channels, height, width, kernel, stride, padding, false, true);
        }

        @Override
        public String toString() {
            return String.format("N%d C%d %dx%d k%s s%s p%s%s%s", batch, channels, height, width,
                    java.util.Arrays.toString(kernel), java.util.Arrays.toString(stride), java.util.Arrays.toString(padding),
                    ceilMode ? " ceil" : "", countIncludePad ? "" : " excluding padding");
        }

        int outH() {
            return outSize(height, kernel[0], stride[0], padding[0]);
        }

        int outW() {
            return outSize(width, kernel[1], stride[1], padding[1]);
        }

        /** Rounded down, or up in ceil mode less a last window that would start in the far padding. */
        private int outSize(int size, int k, int s, int p) {
            int windows = Math.floorDiv(size + 2 * p - k + (ceilMode ? s - 1 : 0), s) + 1;
            return ceilMode && (windows - 1) * s >= size + p ? windows - 1 : windows;
        }

        Tensor max(Tensor x) {
            return F.maxPool2d(x, kernel, stride, padding, ceilMode);
        }

        Tensor avg(Tensor x) {
            return F.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
        }
    }

    private static int[] hw(int h, int w) {
        return new int[] {h, w};
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(2, 3, 6, 6, hw(2, 2), hw(2, 2), hw(0, 0)),
                new Case(2, 3, 7, 5, hw(2, 2), hw(2, 2), hw(0, 0)),
                new Case(2, 2, 7, 7, hw(3, 3), hw(2, 2), hw(1, 1)),
                new Case(2, 2, 5, 5, hw(3, 3), hw(1, 1), hw(0, 0)),
                new Case(1, 3, 7, 6, hw(3, 2), hw(2, 1), hw(1, 1)),
                new Case(2, 2, 5, 7, hw(2, 3), hw(3, 2), hw(1, 0)),
                new Case(1, 1, 4, 4, hw(4, 4), hw(4, 4), hw(0, 0)),
                new Case(1, 2, 5, 5, hw(2, 2), hw(2, 2), hw(0, 0), true, true),
                new Case(2, 1, 6, 5, hw(3, 3), hw(2, 2), hw(1, 1), true, true),
                new Case(1, 2, 5, 7, hw(2, 2), hw(2, 2), hw(1, 1), true, false),
                new Case(2, 2, 8, 7, hw(3, 2), hw(2, 3), hw(1, 0), true, false),
                new Case(1, 2, 5, 5, hw(3, 3), hw(2, 2), hw(1, 1), false, false),
                new Case(1, 1, 11, 9, hw(3, 4), hw(3, 3), hw(1, 2), true, false),
                // Windows one column wide (LocalResponseNorm's across the channels), which average whole rows.
                new Case(2, 3, 9, 6, hw(5, 1), hw(1, 1), hw(2, 0)),
                new Case(1, 1, 4, 3, hw(4, 1), hw(1, 1), hw(0, 0)),
                new Case(1, 2, 8, 5, hw(3, 1), hw(2, 1), hw(1, 0), true, false));
    }

    /**
     * Distinct values 0.1 apart in a scrambled order (a stride coprime to the size walks the grid), so the
     * maximum of every window is unique and finite differences of max pooling are exact.
     */
    private static Tensor distinct(DType dtype, int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        int step = 1;
        for (int candidate : new int[] {7, 11, 13, 17, 19, 23, 29}) {
            if (java.math.BigInteger.valueOf(candidate).gcd(java.math.BigInteger.valueOf(n)).intValue() == 1) {
                step = candidate;
                break;
            }
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = 0.1 * (((long) i * step) % n - n / 2);
        }
        return Tensor.fromArray(v, dims).to(dtype);
    }

    // ---- forward values ----------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void maxPoolingMatchesNestedLoops(Case k) {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor x = distinct(dtype, k.batch(), k.channels(), k.height(), k.width());
            Tensor y = k.max(x);
            assertArrayEquals(new int[] {k.batch(), k.channels(), k.outH(), k.outW()}, y.shape().dims());
            assertArrayEquals(reference(k, x.toDoubleArray(), true), y.toDoubleArray(), 1e-6, dtype + " " + k);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void averagePoolingMatchesNestedLoops(Case k) {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor x = Tensor.randn(dtype, k.batch(), k.channels(), k.height(), k.width());
            Tensor y = k.avg(x);
            assertArrayEquals(new int[] {k.batch(), k.channels(), k.outH(), k.outW()}, y.shape().dims());
            assertArrayEquals(reference(k, x.toDoubleArray(), false), y.toDoubleArray(), 1e-5, dtype + " " + k);
        }
    }

    /**
     * Max (padding never wins) or average (padding counts as zero) of each window; the average divides by the
     * window's taps in the padded input, or without countIncludePad in the input itself.
     */
    private static double[] reference(Case k, double[] x, boolean max) {
        double[] out = new double[k.batch() * k.channels() * k.outH() * k.outW()];
        int at = 0;
        for (int plane = 0; plane < k.batch() * k.channels(); plane++) {
            for (int oh = 0; oh < k.outH(); oh++) {
                for (int ow = 0; ow < k.outW(); ow++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int counted = 0;
                    for (int i = 0; i < k.kernel()[0]; i++) {
                        for (int j = 0; j < k.kernel()[1]; j++) {
                            int h = oh * k.stride()[0] - k.padding()[0] + i;
                            int w = ow * k.stride()[1] - k.padding()[1] + j;
                            if (h >= 0 && h < k.height() && w >= 0 && w < k.width()) {
                                double v = x[(plane * k.height() + h) * k.width() + w];
                                best = Math.max(best, v);
                                sum += v;
                                counted++;
                            } else if (k.countIncludePad() && h < k.height() + k.padding()[0]
                                    && w < k.width() + k.padding()[1]) {
                                counted++;
                            }
                        }
                    }
                    out[at++] = max ? best : sum / counted;
                }
            }
        }
        return out;
    }

    @Test
    void squareOverloadsAndDefaultStrideEqualTheKernel() {
        Tensor x = distinct(DType.F64, 2, 3, 8, 8);
        assertArrayEquals(F.maxPool2d(x, new int[] {2}, null, null).toDoubleArray(),
                F.maxPool2d(x, 2, 2, 0).toDoubleArray(), 0);
        assertArrayEquals(F.avgPool2d(x, new int[] {2}, null, null).toDoubleArray(),
                F.avgPool2d(x, 2, 2, 0).toDoubleArray(), 0);
        assertArrayEquals(new int[] {2, 3, 4, 4}, F.maxPool2d(x, new int[] {2}, null, null).shape().dims());
    }

    /**
     * Rows of (size, kernel, stride, padding, output size rounding down, output size in ceil mode) as PyTorch 1.13's
     * MaxPool2d and AvgPool2d gave them: ceil mode rounds up (sizes 5 without padding, 6, 8 and 10) unless the last
     * window would start in the far padding (sizes 5, 7 and 11 with padding 1, where rounding up would add one).
     */
    @Test
    void ceilModeRoundsTheOutputSizeUpUnlessTheLastWindowWouldStartInThePadding() {
        int[][] rows = {{5, 2, 2, 0, 2, 3}, {5, 2, 2, 1, 3, 3}, {7, 2, 2, 1, 4, 4}, {6, 3, 2, 1, 3, 4}, {8, 3, 2, 1, 4, 5},
            {10, 3, 3, 0, 3, 4}, {11, 3, 3, 1, 4, 4}, {4, 4, 4, 0, 1, 1}, {9, 4, 3, 2, 4, 4}, {3, 3, 2, 1, 2, 2}};
        for (int[] r : rows) {
            Tensor x = Tensor.zeros(1, 1, r[0], r[0]);
            String row = java.util.Arrays.toString(r);
            assertArrayEquals(new int[] {1, 1, r[4], r[4]}, F.maxPool2d(x, r[1], r[2], r[3], false).shape().dims(), row);
            assertArrayEquals(new int[] {1, 1, r[5], r[5]}, F.maxPool2d(x, r[1], r[2], r[3], true).shape().dims(), row);
            assertArrayEquals(new int[] {1, 1, r[5], r[5]}, F.avgPool2d(x, r[1], r[2], r[3], true, false).shape().dims(), row);
        }
    }

    @Test
    void globalAveragePoolingKeepsBatchAndChannelsAsPyTorchAdaptiveAvgPool() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 4, 5);
        Tensor y = F.globalAvgPool2d(x);
        assertArrayEquals(new int[] {2, 3, 1, 1}, y.shape().dims());
        double[] v = x.toDoubleArray();
        double[] means = y.toDoubleArray();
        for (int plane = 0; plane < 6; plane++) {
            double sum = 0;
            for (int i = 0; i < 20; i++) {
                sum += v[plane * 20 + i];
            }
            assertEquals(sum / 20, means[plane], 1e-12);
        }
    }

    // ---- gradients -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void maxPoolingGradientMatchesFiniteDifferences(Case k) {
        Tensor x = distinct(DType.F64, k.batch(), k.channels(), k.height(), k.width()).requiresGrad(true);
        GradCheck.check("maxPool2d " + k, in -> k.max(in[0]), x);
    }

    /**
     * F32 max pooling has its own CPU path. With small whole output gradients every input gradient is an exact
     * sum in both types, so F32 must equal F64 exactly.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void maxPoolingGradientInF32EqualsF64(Case k) {
        Tensor x64 = distinct(DType.F64, k.batch(), k.channels(), k.height(), k.width()).requiresGrad(true);
        Tensor x32 = distinct(DType.F32, k.batch(), k.channels(), k.height(), k.width()).requiresGrad(true);
        double[] whole = new double[k.batch() * k.channels() * k.outH() * k.outW()];
        for (int i = 0; i < whole.length; i++) {
            whole[i] = i % 7 - 3;
        }
        Tensor weights = Tensor.fromArray(whole, k.batch(), k.channels(), k.outH(), k.outW());
        k.max(x64).mul(weights).sum().backward();
        k.max(x32).mul(weights.to(DType.F32)).sum().backward();
        assertArrayEquals(x64.grad().to(DType.F32).toDoubleArray(), x32.grad().toDoubleArray(), 0, k.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void averagePoolingGradientMatchesFiniteDifferences(Case k) {
        Tensor x = Tensor.randn(DType.F64, k.batch(), k.channels(), k.height(), k.width()).requiresGrad(true);
        GradCheck.check("avgPool2d " + k, in -> k.avg(in[0]), x);
    }

    @Test
    void globalAveragePoolingGradientMatchesFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 4, 5).requiresGrad(true);
        GradCheck.check("globalAvgPool2d", in -> F.globalAvgPool2d(in[0]), x);
    }

    @Test
    void overlappingMaxWindowsAddTheirGradientsAtTheSharedMaximum() {
        double[] v = {0, 1, 0, 1, 9, 1, 0, 1, 0};
        Tensor x = Tensor.fromArray(v, 1, 1, 3, 3).requiresGrad(true);
        F.maxPool2d(x, 2, 1, 0).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0, 0, 4, 0, 0, 0, 0}, x.grad().toDoubleArray(), 0);
    }

    @ParameterizedTest(name = "kernel {0}, {1}")
    @MethodSource("tieAndNanKernels")
    void aTieSendsTheGradientToTheFirstMaximumInRowMajorOrder(int kernel, DType dtype) {
        Tensor x = Tensor.full(3.0, dtype, 1, 1, kernel, kernel).requiresGrad(true);
        F.maxPool2d(x, kernel, kernel, 0).sum().backward();
        double[] expected = new double[kernel * kernel];
        expected[0] = 1;
        assertArrayEquals(expected, x.grad().toDoubleArray(), 0);
    }

    @ParameterizedTest(name = "kernel {0}, {1}")
    @MethodSource("tieAndNanKernels")
    void aNanInTheWindowIsTheMaximumAsInPyTorch(int kernel, DType dtype) {
        double[] v = new double[kernel * kernel];
        java.util.Arrays.fill(v, 1);
        v[kernel] = Double.NaN;
        v[kernel + 1] = Double.NaN;
        v[0] = 5;
        Tensor x = Tensor.fromArray(v, 1, 1, kernel, kernel).to(dtype).requiresGrad(true);
        Tensor out = F.maxPool2d(x, kernel, kernel, 0);
        assertTrue(Double.isNaN(out.toDoubleArray()[0]), "max of a window holding NaN: " + out.toDoubleArray()[0]);
        out.sum().backward();
        double[] expected = new double[kernel * kernel];
        expected[kernel + 1] = 1;
        assertArrayEquals(expected, x.grad().toDoubleArray(), 0, "the gradient goes to the last NaN, as PyTorch's");
    }

    @ParameterizedTest(name = "NaN at {0}, {1}")
    @MethodSource("nanPositions")
    void everyPositionOfA2x2WindowCanHoldTheLastNan(int position, DType dtype) {
        double[] v = {1, 2, 3, 4};
        for (int i = position; i >= 0; i -= 2) {
            v[i] = Double.NaN;
        }
        Tensor x = Tensor.fromArray(v, 1, 1, 2, 2).to(dtype).requiresGrad(true);
        Tensor out = F.maxPool2d(x, 2, 2, 0);
        assertTrue(Double.isNaN(out.toDoubleArray()[0]), "max of a window holding NaN: " + out.toDoubleArray()[0]);
        out.sum().backward();
        double[] expected = new double[4];
        expected[position] = 1;
        assertArrayEquals(expected, x.grad().toDoubleArray(), 0, "the gradient goes to the last NaN");
    }

    static Stream<Arguments> nanPositions() {
        return Stream.of(0, 1, 2, 3).flatMap(p -> Stream.of(Arguments.of(p, DType.F32), Arguments.of(p, DType.F64)));
    }

    /**
     * 18 x 18 windows at stride 1 over 256 x 256 need more window offsets than the CPU backend tabulates (2^24), so
     * max pooling scans each window instead: the same maxima (ties and a NaN included), clipped windows as well,
     * and the gradient at the first maximum in row-major order.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void windowsTooManyToTabulateGiveTheSameMaximaAndPositions(DType dtype) {
        for (int padding : new int[] {0, 9}) {
            Case k = new Case(1, 1, 256, 256, hw(18, 18), hw(1, 1), hw(padding, padding));
            double[] v = new double[256 * 256];
            for (int i = 0; i < v.length; i++) {
                v[i] = (i * 7919L) % 97;
            }
            v[300 * 1 + 40] = Double.NaN;
            Tensor x = Tensor.fromArray(v, 1, 1, 256, 256).to(dtype).requiresGrad(true);
            Tensor y = k.max(x);
            assertArrayEquals(reference(k, v, true), y.toDoubleArray(), 0, "padding " + padding);
            y.sum().backward();
            assertArrayEquals(firstMaximaCounts(k, v), x.grad().toDoubleArray(), 0, "padding " + padding);
        }
    }

    /**
     * A window of zeros of both signs: the maximum is +0 (Java's and the CUDA kernels' {@code max}), its position the
     * first zero, whichever its sign; F32 (its own CPU path) as F64, for 2 x 2 windows and for 3 x 3 ones at stride 2
     * with padding 1 (ResNet's stem).
     */
    @ParameterizedTest(name = "kernel {0}, {1}")
    @MethodSource("tieAndNanKernels")
    void zerosOfBothSignsGivePlusZeroWithTheGradientAtTheFirst(int kernel, DType dtype) {
        double[] v = new double[16];
        java.util.Arrays.fill(v, -1);
        v[0] = -0.0;
        v[1] = 0.0;
        v[4] = 0.0;
        Tensor x = Tensor.fromArray(v, 1, 1, 4, 4).to(dtype).requiresGrad(true);
        Tensor out = kernel == 2 ? F.maxPool2d(x, 2, 2, 0) : F.maxPool2d(x, 3, 2, 1);
        double first = out.toDoubleArray()[0];
        assertEquals(0, Double.compare(0.0, first), "+0 is the maximum of -0 and +0, got " + first);
        out.narrow(2, 0, 1).narrow(3, 0, 1).sum().backward();
        double[] expected = new double[16];
        expected[0] = 1;
        assertArrayEquals(expected, x.grad().toDoubleArray(), 0, "the gradient goes to the first zero");
    }

    /** How many windows of {@code k} have their first maximum (or last NaN), row by row, at each input position. */
    private static double[] firstMaximaCounts(Case k, double[] x) {
        double[] counts = new double[x.length];
        for (int oh = 0; oh < k.outH(); oh++) {
            for (int ow = 0; ow < k.outW(); ow++) {
                int at = -1;
                for (int i = 0; i < k.kernel()[0]; i++) {
                    for (int j = 0; j < k.kernel()[1]; j++) {
                        int h = oh - k.padding()[0] + i;
                        int w = ow - k.padding()[1] + j;
                        if (h < 0 || w < 0 || h >= k.height() || w >= k.width()) {
                            continue;
                        }
                        int p = h * k.width() + w;
                        if (at < 0 || Double.isNaN(x[p]) || x[p] > x[at]) {
                            at = p;
                        }
                    }
                }
                counts[at]++;
            }
        }
        return counts;
    }

    /** 2 x 2 windows take their own forwards on the CPU (F32 and F64), 3 x 3 the general one; F32 its own backward. */
    static Stream<Arguments> tieAndNanKernels() {
        return Stream.of(2, 3).flatMap(k -> Stream.of(Arguments.of(k, DType.F32), Arguments.of(k, DType.F64)));
    }

    // ---- errors --------------------------------------------------------------------------------------

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void kernelLargerThanThePaddedInputNamesTheOpAndShapes() {
        Tensor x = Tensor.zeros(1, 2, 3, 3);
        assertMessage(() -> F.maxPool2d(x, 4, 1, 0), "maxPool2d", "[1, 2, 3, 3]", "kernel 4 x 4", "larger than the padded input 3 x 3");
        assertMessage(() -> F.avgPool2d(x, 4, 1, 0), "avgPool2d", "[1, 2, 3, 3]", "kernel 4 x 4", "larger than the padded input");
    }

    @Test
    void anEmptyPlaneNamesTheOpAndShape() {
        Tensor x = Tensor.zeros(1, 1, 0, 4);
        assertMessage(() -> F.maxPool2d(x, 2, 2, 1), "maxPool2d", "[1, 1, 0, 4]", "height and width must be at least 1");
        assertMessage(() -> F.avgPool2d(x, 2, 2, 1), "avgPool2d", "[1, 1, 0, 4]", "height and width must be at least 1");
    }

    @Test
    void nonFourDimensionalInputNamesTheOpAndShape() {
        Tensor x = Tensor.zeros(2, 8, 8);
        assertMessage(() -> F.maxPool2d(x, 2, 2, 0), "maxPool2d", "[2, 8, 8]", "4-D");
        assertMessage(() -> F.avgPool2d(x, 2, 2, 0), "avgPool2d", "[2, 8, 8]", "4-D");
        assertMessage(() -> F.globalAvgPool2d(x), "globalAvgPool2d", "[2, 8, 8]", "4-D");
    }

    @Test
    void paddingAboveHalfTheKernelIsRejected() {
        Tensor x = Tensor.zeros(1, 1, 6, 6);
        assertMessage(() -> F.maxPool2d(x, 2, 2, 2), "maxPool2d", "padding 2 x 2", "half the kernel 2 x 2");
    }
}
