package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.CpuBackend;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link F#conv2d}: forward values against a direct nested-loop convolution in double precision,
 * gradients (input, weight, bias) against finite differences, "same" padding and the error messages.
 * Tensors are [batch, channels, height, width]; weights [outChannels, inChannels, kernelH, kernelW].
 */
class ConvolutionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20240917L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** One convolution to test: sizes, then (height, width) pairs of stride, padding and dilation. */
    record Case(int batch, int inChannels, int height, int width, int outChannels, int kernelH, int kernelW,
                int[] stride, int[] padding, int[] dilation, boolean bias) {
        @Override
        public String toString() {
            return String.format("N%d C%d %dx%d -> O%d k%dx%d s%s p%s d%s%s", batch, inChannels, height, width,
                    outChannels, kernelH, kernelW, java.util.Arrays.toString(stride), java.util.Arrays.toString(padding),
                    java.util.Arrays.toString(dilation), bias ? " +bias" : "");
        }
    }

    private static Case c(int n, int ci, int h, int w, int co, int kh, int kw, int[] s, int[] p, int[] d, boolean bias) {
        return new Case(n, ci, h, w, co, kh, kw, s, p, d, bias);
    }

    private static int[] hw(int h, int w) {
        return new int[] {h, w};
    }

    static Stream<Case> forwardCases() {
        return Stream.of(
                c(2, 3, 7, 7, 4, 3, 3, hw(1, 1), hw(0, 0), hw(1, 1), true),
                c(2, 3, 7, 7, 4, 3, 3, hw(1, 1), hw(0, 0), hw(1, 1), false),
                c(2, 3, 8, 8, 5, 3, 3, hw(1, 1), F.samePadding(3, 1), hw(1, 1), true),
                c(1, 2, 9, 7, 3, 5, 5, hw(1, 1), F.samePadding(5, 1), hw(1, 1), false),
                c(2, 2, 9, 9, 3, 3, 3, hw(2, 2), hw(1, 1), hw(1, 1), true),
                c(2, 2, 10, 9, 3, 3, 3, hw(3, 2), hw(2, 1), hw(1, 1), true),
                c(2, 3, 9, 9, 2, 3, 3, hw(1, 1), F.samePadding(3, 2), hw(2, 2), true),
                c(1, 2, 11, 10, 2, 3, 2, hw(2, 1), hw(1, 0), hw(2, 3), false),
                c(3, 1, 6, 6, 2, 1, 1, hw(1, 1), hw(0, 0), hw(1, 1), true),
                c(1, 4, 5, 5, 3, 5, 5, hw(1, 1), hw(0, 0), hw(1, 1), true),
                c(2, 3, 32, 32, 8, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), true),
                // First layers on one-channel images and other layers with few taps per output pixel:
                c(3, 1, 28, 28, 4, 5, 5, hw(1, 1), hw(0, 0), hw(1, 1), true),
                c(2, 1, 10, 9, 3, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), false),
                c(2, 2, 8, 7, 3, 3, 3, hw(1, 1), hw(2, 1), hw(1, 1), true),
                c(1, 2, 9, 9, 2, 4, 4, hw(1, 1), hw(1, 2), hw(1, 1), true),
                c(2, 1, 6, 11, 2, 2, 5, hw(1, 1), hw(0, 2), hw(1, 1), true),
                // Output planes of 128 pixels or more at stride 2, padded and not: runs of one pixel per tap row.
                c(2, 3, 24, 24, 4, 3, 3, hw(2, 2), hw(1, 1), hw(1, 1), true),
                c(2, 3, 24, 23, 4, 1, 1, hw(2, 2), hw(0, 0), hw(1, 1), false),
                // Small planes with padding, interleaved, whose rows each thread fills in several chunks.
                c(32, 16, 8, 8, 4, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), true));
    }

    static Stream<Case> gradientCases() {
        return Stream.of(
                c(2, 2, 5, 5, 3, 3, 3, hw(1, 1), hw(0, 0), hw(1, 1), true),
                c(2, 3, 6, 6, 2, 3, 3, hw(1, 1), F.samePadding(3, 1), hw(1, 1), true),
                c(2, 2, 7, 7, 2, 3, 3, hw(2, 2), hw(1, 1), hw(1, 1), true),
                c(2, 2, 7, 6, 3, 3, 3, hw(2, 1), hw(1, 2), hw(1, 1), false),
                c(2, 3, 7, 7, 2, 3, 3, hw(1, 1), hw(2, 2), hw(2, 2), true),
                c(2, 2, 7, 7, 2, 3, 3, hw(2, 3), hw(1, 0), hw(2, 1), true),
                // Output planes of 128 pixels or more: the CPU backend's one-GEMM-per-image path.
                c(2, 2, 13, 13, 2, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), true),
                c(2, 1, 24, 24, 2, 3, 3, hw(2, 2), hw(1, 1), hw(1, 1), false),
                c(2, 2, 24, 24, 2, 1, 1, hw(2, 2), hw(0, 0), hw(1, 1), true),
                // Stride 1 on large planes, where the CPU backend convolves gradOut with the turned kernel:
                // dilated, rectangular, padded on one axis only.
                c(2, 2, 14, 13, 2, 3, 2, hw(1, 1), hw(2, 0), hw(2, 1), true));
    }

    static Stream<int[]> f32Geometries() {
        return Stream.of(new int[] {8, 3, 2, 1}, new int[] {16, 3, 1, 1}, new int[] {16, 5, 1, 2},
                new int[] {24, 3, 2, 1}, new int[] {24, 1, 2, 0});
    }

    // ---- forward values ----------------------------------------------------------------------------

    @ParameterizedTest(name = "F64 {0}")
    @MethodSource("forwardCases")
    void forwardMatchesNestedLoopsInF64(Case k) {
        checkForward(k, DType.F64, 1e-12);
    }

    @ParameterizedTest(name = "F32 {0}")
    @MethodSource("forwardCases")
    void forwardMatchesNestedLoopsInF32(Case k) {
        checkForward(k, DType.F32, 1e-5);
    }

    private static void checkForward(Case k, DType dtype, double tolerance) {
        Tensor x = Tensor.randn(dtype, k.batch(), k.inChannels(), k.height(), k.width());
        Tensor w = Tensor.randn(dtype, k.outChannels(), k.inChannels(), k.kernelH(), k.kernelW());
        Tensor b = k.bias() ? Tensor.randn(dtype, k.outChannels()) : null;
        Tensor y = F.conv2d(x, w, b, k.stride(), k.padding(), k.dilation());
        int outH = outSize(k.height(), k.kernelH(), k.stride()[0], k.padding()[0], k.dilation()[0]);
        int outW = outSize(k.width(), k.kernelW(), k.stride()[1], k.padding()[1], k.dilation()[1]);
        assertArrayEquals(new int[] {k.batch(), k.outChannels(), outH, outW}, y.shape().dims());
        assertEquals(dtype, y.dtype());
        double[] expected = referenceConv(k, x.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray());
        assertClose(expected, y.toDoubleArray(), tolerance, k.toString());
    }

    private static int outSize(int in, int kernel, int stride, int pad, int dilation) {
        return (in + 2 * pad - dilation * (kernel - 1) - 1) / stride + 1;
    }

    /** The definition, term by term: out[n,o,oh,ow] = b[o] + sum_{c,i,j} w[o,c,i,j] x[n,c,oh*s-p+i*d, ow*s-p+j*d]. */
    private static double[] referenceConv(Case k, double[] x, double[] w, double[] b) {
        int outH = outSize(k.height(), k.kernelH(), k.stride()[0], k.padding()[0], k.dilation()[0]);
        int outW = outSize(k.width(), k.kernelW(), k.stride()[1], k.padding()[1], k.dilation()[1]);
        double[] out = new double[k.batch() * k.outChannels() * outH * outW];
        int at = 0;
        for (int n = 0; n < k.batch(); n++) {
            for (int o = 0; o < k.outChannels(); o++) {
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        double sum = b == null ? 0 : b[o];
                        for (int c = 0; c < k.inChannels(); c++) {
                            for (int i = 0; i < k.kernelH(); i++) {
                                for (int j = 0; j < k.kernelW(); j++) {
                                    int ih = oh * k.stride()[0] - k.padding()[0] + i * k.dilation()[0];
                                    int iw = ow * k.stride()[1] - k.padding()[1] + j * k.dilation()[1];
                                    if (ih < 0 || ih >= k.height() || iw < 0 || iw >= k.width()) {
                                        continue;
                                    }
                                    double xv = x[((n * k.inChannels() + c) * k.height() + ih) * k.width() + iw];
                                    double wv = w[((o * k.inChannels() + c) * k.kernelH() + i) * k.kernelW() + j];
                                    sum += xv * wv;
                                }
                            }
                        }
                        out[at++] = sum;
                    }
                }
            }
        }
        return out;
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": sizes");
        for (int i = 0; i < expected.length; i++) {
            double allowed = tolerance * Math.max(1, Math.abs(expected[i]));
            assertEquals(expected[i], actual[i], allowed, what + ": element " + i);
        }
    }

    @Test
    void convenienceOverloadUsesOneStrideAndPaddingForBothAxes() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 9, 9);
        Tensor w = Tensor.randn(DType.F64, 4, 3, 3, 3);
        Tensor b = Tensor.randn(DType.F64, 4);
        Tensor short1 = F.conv2d(x, w, b, 2, 1);
        Tensor full = F.conv2d(x, w, b, new int[] {2, 2}, new int[] {1, 1}, new int[] {1, 1});
        assertArrayEquals(new int[] {2, 4, 5, 5}, short1.shape().dims());
        assertArrayEquals(full.toDoubleArray(), short1.toDoubleArray(), 0);
    }

    // ---- "same" padding ------------------------------------------------------------------------------

    @Test
    void samePaddingKeepsHeightAndWidthAtStrideOne() {
        assertArrayEquals(new int[] {1, 1}, F.samePadding(3, 1));
        assertArrayEquals(new int[] {2, 2}, F.samePadding(5, 1));
        assertArrayEquals(new int[] {2, 2}, F.samePadding(3, 2));
        assertArrayEquals(new int[] {0, 0}, F.samePadding(1, 1));
        assertArrayEquals(new int[] {1, 1}, F.samePadding(2, 2));
        for (int[] kd : new int[][] {{1, 1}, {3, 1}, {5, 1}, {3, 2}, {3, 3}, {2, 2}}) {
            Tensor x = Tensor.randn(DType.F32, 1, 2, 11, 8);
            Tensor w = Tensor.randn(DType.F32, 3, 2, kd[0], kd[0]);
            Tensor y = F.conv2d(x, w, null, null, F.samePadding(kd[0], kd[1]), new int[] {kd[1]});
            assertArrayEquals(new int[] {1, 3, 11, 8}, y.shape().dims(), "kernel " + kd[0] + " dilation " + kd[1]);
        }
    }

    @Test
    void samePaddingRejectsAnEvenEffectiveKernel() {
        assertMessage(() -> F.samePadding(2, 1), "samePadding", "kernel 2", "odd");
        assertMessage(() -> F.samePadding(4, 3), "samePadding", "kernel 4", "odd");
        assertMessage(() -> F.samePadding(0, 1), "samePadding", "at least 1");
    }

    // ---- gradients -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("gradientCases")
    void gradientsOfInputWeightAndBiasMatchFiniteDifferences(Case k) {
        Tensor x = Tensor.randn(DType.F64, k.batch(), k.inChannels(), k.height(), k.width()).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, k.outChannels(), k.inChannels(), k.kernelH(), k.kernelW()).requiresGrad(true);
        if (k.bias()) {
            Tensor b = Tensor.randn(DType.F64, k.outChannels()).requiresGrad(true);
            GradCheck.check("conv2d " + k, in -> F.conv2d(in[0], in[1], in[2], k.stride(), k.padding(), k.dilation()), x, w, b);
        } else {
            GradCheck.check("conv2d " + k, in -> F.conv2d(in[0], in[1], null, k.stride(), k.padding(), k.dilation()), x, w);
        }
    }

    @Test
    void gradientOfTheInputAloneWhenWeightAndBiasAreFrozen() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 6, 6).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 3, 2, 3, 3);
        Tensor b = Tensor.randn(DType.F64, 3);
        GradCheck.check("conv2d input only", in -> F.conv2d(in[0], w, b, 1, 1), x);
        Tensor y = F.conv2d(x, w, b, 1, 1);
        y.sum().backward();
        assertTrue(w.grad() == null && b.grad() == null, "frozen weight and bias get no gradient");
    }

    /** A network's first layer: its input is data, so only the filter and bias gradients are computed. */
    @Test
    void gradientOfWeightAndBiasAloneWhenTheInputIsData() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 6, 6);
        Tensor w = Tensor.randn(DType.F64, 3, 2, 3, 3).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 3).requiresGrad(true);
        GradCheck.check("conv2d weight and bias only", in -> F.conv2d(x, in[0], in[1], 1, 1), w, b);
        F.conv2d(x, w, b, 1, 1).sum().backward();
        assertTrue(x.grad() == null, "data gets no gradient");
    }

    @Test
    void gradientOfTheBiasAloneIsTheSumOfTheOutputGradient() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 5);
        Tensor w = Tensor.randn(DType.F64, 3, 2, 3, 3);
        Tensor b = Tensor.randn(DType.F64, 3).requiresGrad(true);
        F.conv2d(x, w, b, 1, 0).sum().backward();
        assertArrayEquals(new double[] {18, 18, 18}, b.grad().toDoubleArray(), 1e-12);
        assertTrue(w.grad() == null);
    }

    /**
     * The backend's two gradient operations called alone, as a transposed convolution and the CUDA parity tests
     * call them, give what the combined {@code conv2dBackward} gives; the input's gradient needs no input.
     */
    @Test
    void backendInputAndFilterGradientsEachWorkAlone() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 9, 9);
        Tensor w = Tensor.randn(DType.F64, 4, 3, 3, 3);
        Conv2dGeometry g = Conv2dGeometry.of("conv2d", x.shape(), w.shape(), new int[] {2}, new int[] {1}, null);
        Tensor gradOut = Tensor.randn(DType.F64, 2, 4, g.outH(), g.outW());
        Backend backend = x.backend();
        Tensor[] both = {Tensor.empty(x.shape(), DType.F64, backend), Tensor.empty(w.shape(), DType.F64, backend),
                Tensor.empty(Shape.of(4), DType.F64, backend)};
        backend.conv2dBackward(x, gradOut, w, g, both[0], both[1], both[2]);
        Tensor gradInput = Tensor.empty(x.shape(), DType.F64, backend);
        backend.conv2dBackwardData(gradOut, w, g, gradInput);
        Tensor gradWeight = Tensor.empty(w.shape(), DType.F64, backend);
        Tensor gradBias = Tensor.empty(Shape.of(4), DType.F64, backend);
        backend.conv2dBackwardFilter(x, gradOut, g, gradWeight, gradBias);
        assertArrayEquals(both[0].toDoubleArray(), gradInput.toDoubleArray(), 1e-12);
        assertArrayEquals(both[1].toDoubleArray(), gradWeight.toDoubleArray(), 1e-12);
        assertArrayEquals(both[2].toDoubleArray(), gradBias.toDoubleArray(), 1e-12);
    }

    /**
     * {size, kernel, stride, padding}: an 8x8 plane at stride 2 (packed groups), 16x16 planes at stride 1 with
     * padding 1 and 2 (one GEMM per image, where the padded kernels' side taps copy and add whole spans), and 24x24
     * planes at stride 2 (one GEMM per image, where F32 gathers and scatter-adds through the index table).
     */
    @ParameterizedTest(name = "size, kernel, stride, padding {0}")
    @MethodSource("f32Geometries")
    void gradientsInF32AgreeWithF64(int[] geometry) {
        int size = geometry[0];
        int kernel = geometry[1];
        int[] stride = {geometry[2]};
        int[] padding = {geometry[3]};
        Tensor x64 = Tensor.randn(DType.F64, 2, 3, size, size).requiresGrad(true);
        Tensor w64 = Tensor.randn(DType.F64, 4, 3, kernel, kernel).requiresGrad(true);
        Tensor b64 = Tensor.randn(DType.F64, 4).requiresGrad(true);
        Tensor x32 = x64.detach().to(DType.F32).requiresGrad(true);
        Tensor w32 = w64.detach().to(DType.F32).requiresGrad(true);
        Tensor b32 = b64.detach().to(DType.F32).requiresGrad(true);
        F.conv2d(x64, w64, b64, stride, padding, new int[] {1}).square().sum().backward();
        F.conv2d(x32, w32, b32, stride, padding, new int[] {1}).square().sum().backward();
        assertClose(x64.grad().toDoubleArray(), x32.grad().toDoubleArray(), 1e-4, "input gradient");
        assertClose(w64.grad().toDoubleArray(), w32.grad().toDoubleArray(), 1e-4, "weight gradient");
        assertClose(b64.grad().toDoubleArray(), b32.grad().toDoubleArray(), 1e-4, "bias gradient");
    }

    /**
     * [5, 16, 96, 96] needs 1.3 Mi column elements per image, so the CPU backend's 1 Mi budget splits the
     * batch into five groups of one image; each image's results must equal a batch of that image alone (which the
     * nested-loop cases above check). On a CPU backend whose convolutions stay on OpenBLAS, whose column groups these
     * are: the default one may run this shape on oneDNN, whose F32 weight gradient (a sum of 44,180 products each)
     * errs by up to 1.9e-4 of it against F64 where OpenBLAS's errs by 4.6e-5, beyond the 1e-4 allowed here.
     */
    @Test
    void batchSplitIntoSeveralColumnGroupsMatchesImageByImage() {
        try (CpuBackend openBlas = new CpuBackend(2, false); Scope onOpenBlas = Scope.open()) {
            assertBatchMatchesImageByImage(Tensor.randn(DType.F32, 5, 16, 96, 96).to(openBlas),
                    Tensor.randn(DType.F32, 16, 16, 3, 3).to(openBlas), 1e-4);
        }
    }

    /**
     * [40, 64, 10, 10] with 3x3 filters: 64-pixel output planes, so the CPU backend interleaves the images of a
     * group, and 36 Ki column elements per image make groups of 28 and 12: the last group is shorter. In F64, as
     * the sums over 40 images of 64 pixels differ from the per-image sums by more than F32's rounding allows.
     */
    @Test
    void interleavedGroupsWithAShorterLastGroupMatchImageByImage() {
        assertBatchMatchesImageByImage(Tensor.randn(DType.F64, 40, 64, 10, 10), Tensor.randn(DType.F64, 8, 64, 3, 3),
                1e-10);
    }

    /**
     * [16, 1, 28, 28] with 8 5x5 filters: 576-pixel output planes get a GEMM per image, which the CPU backend
     * splits over its threads by image and, for the filter gradient, sums each thread's share apart.
     */
    @Test
    void perImageGemmsSplitOverThreadsMatchImageByImage() {
        assertBatchMatchesImageByImage(Tensor.randn(DType.F64, 16, 1, 28, 28), Tensor.randn(DType.F64, 8, 1, 5, 5),
                1e-10);
    }

    private static void assertBatchMatchesImageByImage(Tensor input, Tensor weight, double tolerance) {
        Tensor x = input.requiresGrad(true);
        Tensor w = weight.requiresGrad(true);
        Tensor b = Tensor.randn(input.dtype(), w.dim(0)).to(input.backend()).requiresGrad(true);
        int[] one = {1};
        Tensor y = F.conv2d(x, w, b, one, new int[] {0}, one);
        y.square().sum().backward();
        double[] weightGradSum = new double[(int) w.size()];
        double[] biasGradSum = new double[(int) b.size()];
        for (int n = 0; n < x.dim(0); n++) {
            Tensor xn = x.detach().narrow(0, n, 1).requiresGrad(true);
            Tensor wn = w.detach().requiresGrad(true);
            Tensor bn = b.detach().requiresGrad(true);
            Tensor yn = F.conv2d(xn, wn, bn, one, new int[] {0}, one);
            yn.square().sum().backward();
            assertClose(yn.toDoubleArray(), y.narrow(0, n, 1).toDoubleArray(), tolerance, "output of image " + n);
            assertClose(xn.grad().toDoubleArray(), x.grad().narrow(0, n, 1).toDoubleArray(), 10 * tolerance,
                    "input gradient of image " + n);
            addInto(weightGradSum, wn.grad().toDoubleArray());
            addInto(biasGradSum, bn.grad().toDoubleArray());
        }
        assertClose(weightGradSum, w.grad().toDoubleArray(), tolerance, "weight gradient");
        assertClose(biasGradSum, b.grad().toDoubleArray(), tolerance, "bias gradient");
    }

    private static void addInto(double[] sum, double[] values) {
        for (int i = 0; i < values.length; i++) {
            sum[i] += values[i];
        }
    }

    // ---- errors --------------------------------------------------------------------------------------

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void kernelLargerThanThePaddedInputNamesTheOpAndBothShapes() {
        Tensor x = Tensor.zeros(1, 1, 3, 3);
        Tensor w = Tensor.zeros(2, 1, 5, 5);
        assertMessage(() -> F.conv2d(x, w, null, 1, 0), "conv2d", "[1, 1, 3, 3]", "[2, 1, 5, 5]",
                "larger than the padded input 3 x 3");
        assertMessage(() -> F.conv2d(x, Tensor.zeros(2, 1, 3, 3), null, new int[] {1}, new int[] {0}, new int[] {2}),
                "conv2d", "[1, 1, 3, 3]", "[2, 1, 3, 3]", "dilation 2 x 2", "larger than the padded input");
    }

    @Test
    void channelMismatchNamesTheOpAndBothShapes() {
        Tensor x = Tensor.zeros(2, 3, 8, 8);
        Tensor w = Tensor.zeros(4, 2, 3, 3);
        assertMessage(() -> F.conv2d(x, w, null, 1, 1), "conv2d", "[2, 3, 8, 8]", "[4, 2, 3, 3]",
                "3 channels but the weight expects 2");
    }

    @Test
    void nonFourDimensionalInputNamesTheOpAndBothShapes() {
        Tensor x = Tensor.zeros(3, 8, 8);
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        assertMessage(() -> F.conv2d(x, w, null, 1, 1), "conv2d", "[3, 8, 8]", "[4, 3, 3, 3]", "4-D");
    }

    @Test
    void badBiasStrideAndPaddingAreRejected() {
        Tensor x = Tensor.zeros(1, 2, 6, 6);
        Tensor w = Tensor.zeros(4, 2, 3, 3);
        assertMessage(() -> F.conv2d(x, w, Tensor.zeros(3), 1, 1), "conv2d", "bias [3]", "[4]");
        assertMessage(() -> F.conv2d(x, w, null, 0, 1), "conv2d", "stride", "at least 1");
        assertMessage(() -> F.conv2d(x, w, null, 1, -1), "conv2d", "padding", "at least 0");
        assertMessage(() -> F.conv2d(x, w, null, new int[] {1, 1, 1}, null, null), "conv2d", "stride", "1 or 2 values");
        assertMessage(() -> F.conv2d(x, Tensor.zeros(DType.F64, 4, 2, 3, 3), null, 1, 1), "conv2d", "dtypes differ");
    }
}
