package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link F#conv2d(Tensor, Tensor, Tensor, int[], int[], int[], int)} with groups: forward values against the grouped
 * definition in double precision, gradients against finite differences, groups 1 as the plain convolution, and the
 * error messages. Depthwise cases (groups == inChannels) run on the CPU backend's own kernel, the others group by
 * group; {@code BackendDefaultsTest} compares the two. Weights are [outChannels, inChannels / groups, kH, kW].
 */
class GroupedConvolutionTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20261206L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** One grouped convolution: sizes and groups, then (height, width) pairs of stride, padding and dilation. */
    record Case(int batch, int inChannels, int height, int width, int outChannels, int groups, int kernelH,
                int kernelW, int[] stride, int[] padding, int[] dilation, boolean bias) {
        int outH() {
            return (height + 2 * padding[0] - dilation[0] * (kernelH - 1) - 1) / stride[0] + 1;
        }

        int outW() {
            return (width + 2 * padding[1] - dilation[1] * (kernelW - 1) - 1) / stride[1] + 1;
        }

        Tensor input(DType dtype) {
            return Tensor.randn(dtype, batch, inChannels, height, width);
        }

        Tensor weight(DType dtype) {
            return Tensor.randn(dtype, outChannels, inChannels / groups, kernelH, kernelW);
        }

        Tensor apply(Tensor x, Tensor w, Tensor b) {
            return F.conv2d(x, w, b, stride, padding, dilation, groups);
        }

        @Override
        public String toString() {
            return String.format("N%d C%d %dx%d -> O%d groups %d k%dx%d s%s p%s d%s%s", batch, inChannels, height,
                    width, outChannels, groups, kernelH, kernelW, Arrays.toString(stride), Arrays.toString(padding),
                    Arrays.toString(dilation), bias ? " +bias" : "");
        }
    }

    private static Case c(int n, int ci, int h, int w, int co, int groups, int kh, int kw, int[] s, int[] p, int[] d,
                          boolean bias) {
        return new Case(n, ci, h, w, co, groups, kh, kw, s, p, d, bias);
    }

    private static int[] hw(int h, int w) {
        return new int[] {h, w};
    }

    static Stream<Case> cases() {
        return Stream.of(
                // groups 2 and 3, several channels a group (group by group)
                c(2, 4, 7, 7, 6, 2, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), true),
                c(2, 6, 8, 7, 3, 3, 3, 2, hw(2, 1), hw(1, 0), hw(1, 2), false),
                // depthwise, multiplier 1 and 2 (the CPU's own kernel)
                c(2, 3, 7, 7, 3, 3, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), true),
                c(2, 3, 9, 8, 6, 3, 3, 3, hw(2, 2), hw(1, 1), hw(1, 1), true),
                c(2, 2, 9, 9, 4, 2, 3, 3, hw(1, 1), hw(2, 2), hw(2, 2), false),
                c(1, 2, 10, 11, 6, 2, 3, 2, hw(2, 3), hw(2, 0), hw(1, 2), true),
                c(2, 4, 6, 6, 4, 4, 5, 5, hw(1, 1), hw(0, 0), hw(1, 1), false),
                c(3, 2, 5, 5, 2, 2, 1, 1, hw(2, 2), hw(1, 1), hw(1, 1), true),
                // padding as large as the kernel: border output pixels see only padding
                c(1, 2, 4, 4, 2, 2, 3, 3, hw(1, 1), hw(3, 3), hw(1, 1), true));
    }

    // ---- forward values ----------------------------------------------------------------------------

    @ParameterizedTest(name = "F64 {0}")
    @MethodSource("cases")
    void forwardMatchesTheGroupedDefinitionInF64(Case k) {
        checkForward(k, DType.F64, 1e-12);
    }

    @ParameterizedTest(name = "F32 {0}")
    @MethodSource("cases")
    void forwardMatchesTheGroupedDefinitionInF32(Case k) {
        checkForward(k, DType.F32, 1e-5);
    }

    /** MobileNet's sizes on a batch large enough for the CPU to split the planes over its threads. */
    @Test
    void depthwiseOnABatchSplitOverThreadsMatchesTheDefinition() {
        checkForward(c(8, 16, 20, 20, 32, 16, 3, 3, hw(1, 1), hw(1, 1), hw(1, 1), true), DType.F64, 1e-12);
    }

    private static void checkForward(Case k, DType dtype, double tolerance) {
        Tensor x = k.input(dtype);
        Tensor w = k.weight(dtype);
        Tensor b = k.bias() ? Tensor.randn(dtype, k.outChannels()) : null;
        Tensor y = k.apply(x, w, b);
        assertArrayEquals(new int[] {k.batch(), k.outChannels(), k.outH(), k.outW()}, y.shape().dims(), k.toString());
        assertEquals(dtype, y.dtype());
        double[] expected = definition(k, x.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray());
        double[] actual = y.toDoubleArray();
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), k + ": element " + i);
        }
    }

    /**
     * The definition, term by term: out[n,o,oh,ow] = b[o] + sum_{c,i,j} w[o,c,i,j] x[n, first + c, oh*s-p+i*d,
     * ow*s-p+j*d] over the inChannels / groups channels c of o's group, which starts at input channel
     * {@code first = (o / (outChannels / groups)) * inChannels / groups}.
     */
    private static double[] definition(Case k, double[] x, double[] w, double[] b) {
        int perGroupIn = k.inChannels() / k.groups();
        int perGroupOut = k.outChannels() / k.groups();
        double[] out = new double[k.batch() * k.outChannels() * k.outH() * k.outW()];
        int at = 0;
        for (int n = 0; n < k.batch(); n++) {
            for (int o = 0; o < k.outChannels(); o++) {
                int first = o / perGroupOut * perGroupIn;
                for (int oh = 0; oh < k.outH(); oh++) {
                    for (int ow = 0; ow < k.outW(); ow++) {
                        double sum = b == null ? 0 : b[o];
                        for (int c = 0; c < perGroupIn; c++) {
                            for (int i = 0; i < k.kernelH(); i++) {
                                for (int j = 0; j < k.kernelW(); j++) {
                                    int ih = oh * k.stride()[0] - k.padding()[0] + i * k.dilation()[0];
                                    int iw = ow * k.stride()[1] - k.padding()[1] + j * k.dilation()[1];
                                    if (ih < 0 || ih >= k.height() || iw < 0 || iw >= k.width()) {
                                        continue;
                                    }
                                    int channel = first + c;
                                    double xv = x[((n * k.inChannels() + channel) * k.height() + ih) * k.width() + iw];
                                    double wv = w[((o * perGroupIn + c) * k.kernelH() + i) * k.kernelW() + j];
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

    @Test
    void groupsOneIsThePlainConvolution() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 8, 8);
        Tensor w = Tensor.randn(DType.F64, 4, 3, 3, 3);
        Tensor b = Tensor.randn(DType.F64, 4);
        int[] two = {2};
        int[] one = {1};
        assertArrayEquals(F.conv2d(x, w, b, two, one, one).toDoubleArray(),
                F.conv2d(x, w, b, two, one, one, 1).toDoubleArray(), 0);
    }

    // ---- gradients -----------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void gradientsOfInputWeightAndBiasMatchFiniteDifferences(Case k) {
        Tensor x = k.input(DType.F64).requiresGrad(true);
        Tensor w = k.weight(DType.F64).requiresGrad(true);
        if (k.bias()) {
            Tensor b = Tensor.randn(DType.F64, k.outChannels()).requiresGrad(true);
            GradCheck.check("conv2d " + k, in -> k.apply(in[0], in[1], in[2]), x, w, b);
        } else {
            GradCheck.check("conv2d " + k, in -> k.apply(in[0], in[1], null), x, w);
        }
    }

    @Test
    void frozenWeightAndBiasGetNoGradient() {
        Tensor x = Tensor.randn(DType.F64, 2, 4, 6, 6).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 8, 1, 3, 3);
        Tensor b = Tensor.randn(DType.F64, 8);
        GradCheck.check("depthwise conv2d, input only", in -> F.conv2d(in[0], w, b, null, new int[] {1}, null, 4), x);
        F.conv2d(x, w, b, null, new int[] {1}, null, 4).sum().backward();
        assertTrue(w.grad() == null && b.grad() == null, "frozen weight and bias get no gradient");
    }

    @Test
    void dataInputGetsNoGradient() {
        Tensor x = Tensor.randn(DType.F64, 2, 4, 6, 6);
        Tensor w = Tensor.randn(DType.F64, 6, 2, 3, 3).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 6).requiresGrad(true);
        GradCheck.check("grouped conv2d, weight and bias only", in -> F.conv2d(x, in[0], in[1], null, null, null, 2),
                w, b);
        F.conv2d(x, w, b, null, null, null, 2).sum().backward();
        assertNull(x.grad(), "data gets no gradient");
    }

    @Test
    void gradientOfTheBiasAloneIsTheSumOfTheOutputGradient() {
        Tensor x = Tensor.randn(DType.F64, 2, 3, 5, 5);
        Tensor w = Tensor.randn(DType.F64, 6, 1, 3, 3);
        Tensor b = Tensor.randn(DType.F64, 6).requiresGrad(true);
        F.conv2d(x, w, b, null, null, null, 3).sum().backward();
        assertArrayEquals(new double[] {18, 18, 18, 18, 18, 18}, b.grad().toDoubleArray(), 1e-12);
        assertNull(w.grad());
    }

    // ---- errors --------------------------------------------------------------------------------------

    private static void assertMessage(Executable call, String... parts) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message should contain '" + part + "': " + e.getMessage());
        }
    }

    @Test
    void outputChannelsNotDivisibleByTheGroupsAreRefused() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        Tensor w = Tensor.zeros(3, 2, 3, 3);
        assertMessage(() -> F.conv2d(x, w, null, null, null, null, 2), "conv2d", "[1, 4, 5, 5]", "[3, 2, 3, 3]",
                "groups 2", "3 output channels are not divisible by groups 2");
    }

    @Test
    void inputChannelsOtherThanTheWeightsTimesTheGroupsAreRefused() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        Tensor w = Tensor.zeros(4, 3, 3, 3);
        assertMessage(() -> F.conv2d(x, w, null, null, null, null, 2), "conv2d", "[1, 4, 5, 5]", "[4, 3, 3, 3]",
                "groups 2", "the input has 4 channels but the weight expects 6 (3 per group, 2 groups)");
    }

    @Test
    void groupsBelowOneAreRefused() {
        Tensor x = Tensor.zeros(1, 4, 5, 5);
        Tensor w = Tensor.zeros(4, 4, 3, 3);
        assertMessage(() -> F.conv2d(x, w, null, null, null, null, 0), "conv2d", "groups must be at least 1, got 0");
    }

    @Test
    void badBiasAndAKernelLargerThanTheInputAreRefusedWithTheWholeShapes() {
        Tensor x = Tensor.zeros(1, 4, 3, 3);
        assertMessage(() -> F.conv2d(x, Tensor.zeros(4, 1, 3, 3), Tensor.zeros(2), null, null, null, 4), "conv2d",
                "bias [2]", "must be [4]");
        assertMessage(() -> F.conv2d(x, Tensor.zeros(4, 1, 5, 5), null, null, null, null, 4), "conv2d",
                "input [1, 4, 3, 3] and weight [4, 1, 5, 5] with groups 4", "larger than the padded input 3 x 3");
    }
}
