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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link F#conv3d} and {@link F#convTranspose3d}, which run as 2-D (transposed) convolutions of depth slices: values
 * against the definitions (every output element a sum over its window; every input element scattering its weighted
 * kernel), the adjoint relation between them, gradients against finite differences, unbatched inputs, what a
 * recorded convolution keeps for its backward pass, and the error messages. Geometries put depth taps in the padding
 * on both sides, stride and dilate the depth, and group the channels.
 */
class Convolution3dTest {
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

    /** One 3-D convolution: sizes, then (depth, height, width) triples of stride, padding and dilation. */
    record Case(int batch, int inChannels, int[] size, int outChannels, int[] kernel, int[] stride, int[] padding,
                int[] dilation, int groups, boolean bias) {
        int[] outSize() {
            int[] out = new int[3];
            for (int a = 0; a < 3; a++) {
                out[a] = (size[a] + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1) / stride[a] + 1;
            }
            return out;
        }

        /**
         * What the transposed convolution of an input of {@link #outSize()} adds at the far end to be of the
         * convolution's input size: the rows the strided convolution skipped.
         */
        int[] outputPadding() {
            int[] extra = new int[3];
            for (int a = 0; a < 3; a++) {
                extra[a] = (size[a] + 2 * padding[a] - dilation[a] * (kernel[a] - 1) - 1) % stride[a];
            }
            return extra;
        }

        /** The transposed convolution's output size for an input of {@link #outSize()}: the convolution's input size. */
        int[] transposedSize() {
            int[] out = new int[3];
            int[] in = outSize();
            for (int a = 0; a < 3; a++) {
                out[a] = (in[a] - 1) * stride[a] - 2 * padding[a] + dilation[a] * (kernel[a] - 1) + outputPadding()[a]
                        + 1;
            }
            return out;
        }

        int[] inputDims() {
            return new int[] {batch, inChannels, size[0], size[1], size[2]};
        }

        int[] weightDims() {
            return new int[] {outChannels, inChannels / groups, kernel[0], kernel[1], kernel[2]};
        }

        int[] outputDims() {
            int[] out = outSize();
            return new int[] {batch, outChannels, out[0], out[1], out[2]};
        }

        @Override
        public String toString() {
            return String.format("N%d C%d %s -> O%d k%s s%s p%s d%s g%d%s", batch, inChannels, Arrays.toString(size),
                    outChannels, Arrays.toString(kernel), Arrays.toString(stride), Arrays.toString(padding),
                    Arrays.toString(dilation), groups, bias ? " +bias" : "");
        }
    }

    private static int[] dhw(int d, int h, int w) {
        return new int[] {d, h, w};
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(2, 3, dhw(4, 5, 5), 2, dhw(3, 3, 3), dhw(1, 1, 1), dhw(1, 1, 1), dhw(1, 1, 1), 1, true),
                new Case(1, 2, dhw(5, 4, 6), 3, dhw(2, 3, 2), dhw(2, 1, 2), dhw(1, 1, 0), dhw(1, 1, 1), 1, false),
                new Case(2, 4, dhw(6, 5, 5), 4, dhw(3, 2, 3), dhw(2, 1, 2), dhw(2, 0, 1), dhw(2, 2, 1), 2, true),
                new Case(1, 3, dhw(3, 4, 4), 6, dhw(1, 3, 3), dhw(1, 2, 1), dhw(0, 1, 1), dhw(1, 1, 1), 3, true),
                new Case(2, 2, dhw(7, 3, 4), 2, dhw(3, 1, 2), dhw(3, 1, 1), dhw(1, 0, 1), dhw(2, 1, 1), 1, true));
    }

    @ParameterizedTest(name = "F64 {0}")
    @MethodSource("cases")
    void conv3dMatchesTheDefinitionInF64(Case k) {
        checkConvolution(k, DType.F64, 1e-12);
    }

    @ParameterizedTest(name = "F32 {0}")
    @MethodSource("cases")
    void conv3dMatchesTheDefinitionInF32(Case k) {
        checkConvolution(k, DType.F32, 1e-5);
    }

    private static void checkConvolution(Case k, DType dtype, double tolerance) {
        Tensor x = Tensor.randn(dtype, k.inputDims());
        Tensor w = Tensor.randn(dtype, k.weightDims());
        Tensor b = k.bias() ? Tensor.randn(dtype, k.outChannels()) : null;
        Tensor y = F.conv3d(x, w, b, k.stride(), k.padding(), k.dilation(), k.groups());
        assertArrayEquals(k.outputDims(), y.shape().dims(), k.toString());
        assertClose(convolved(k, x.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray()),
                y.toDoubleArray(), tolerance, k.toString());
    }

    /** The definition: out[n, o, z] = bias[o] + sum over o's group's channels c and taps t of x[n, c, z s - p + t d] w[o, c, t]. */
    private static double[] convolved(Case k, double[] x, double[] w, double[] b) {
        int[] in = k.size();
        int[] out = k.outSize();
        int perGroupIn = k.inChannels() / k.groups();
        int perGroupOut = k.outChannels() / k.groups();
        double[] y = new double[k.batch() * k.outChannels() * out[0] * out[1] * out[2]];
        int i = 0;
        for (int n = 0; n < k.batch(); n++) {
            for (int o = 0; o < k.outChannels(); o++) {
                int group = o / perGroupOut;
                for (int zd = 0; zd < out[0]; zd++) {
                    for (int zh = 0; zh < out[1]; zh++) {
                        for (int zw = 0; zw < out[2]; zw++) {
                            double sum = b == null ? 0 : b[o];
                            for (int c = 0; c < perGroupIn; c++) {
                                int channel = group * perGroupIn + c;
                                for (int td = 0; td < k.kernel()[0]; td++) {
                                    int d = zd * k.stride()[0] - k.padding()[0] + td * k.dilation()[0];
                                    for (int th = 0; th < k.kernel()[1]; th++) {
                                        int h = zh * k.stride()[1] - k.padding()[1] + th * k.dilation()[1];
                                        for (int tw = 0; tw < k.kernel()[2]; tw++) {
                                            int ww = zw * k.stride()[2] - k.padding()[2] + tw * k.dilation()[2];
                                            if (d < 0 || d >= in[0] || h < 0 || h >= in[1] || ww < 0 || ww >= in[2]) {
                                                continue;
                                            }
                                            sum += x[(((n * k.inChannels() + channel) * in[0] + d) * in[1] + h) * in[2] + ww]
                                                    * w[(((o * perGroupIn + c) * k.kernel()[0] + td) * k.kernel()[1] + th)
                                                    * k.kernel()[2] + tw];
                                        }
                                    }
                                }
                            }
                            y[i++] = sum;
                        }
                    }
                }
            }
        }
        return y;
    }

    /** The cases without groups, whose weight [outChannels, inChannels, ...] is also a transposed convolution's. */
    static Stream<Case> ungroupedCases() {
        return cases().filter(k -> k.groups() == 1);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ungroupedCases")
    void convTranspose3dMatchesTheDefinition(Case k) {
        for (DType dtype : new DType[] {DType.F64, DType.F32}) {
            int[] out = k.outSize();
            Tensor z = Tensor.randn(dtype, k.batch(), k.outChannels(), out[0], out[1], out[2]);
            Tensor w = Tensor.randn(dtype, k.weightDims());
            Tensor b = k.bias() ? Tensor.randn(dtype, k.inChannels()) : null;
            Tensor y = F.convTranspose3d(z, w, b, k.stride(), k.padding(), k.outputPadding(), k.dilation());
            int[] size = k.transposedSize();
            assertArrayEquals(new int[] {k.batch(), k.inChannels(), size[0], size[1], size[2]}, y.shape().dims(),
                    k.toString());
            assertClose(scattered(k, z.toDoubleArray(), w.toDoubleArray(), b == null ? null : b.toDoubleArray()),
                    y.toDoubleArray(), dtype == DType.F64 ? 1e-12 : 1e-5, dtype + " " + k);
        }
    }

    /**
     * The definition of the transposed convolution of z [batch, outChannels, outSize] by w [outChannels, inChannels,
     * kernel]: out[n, c, i s - p + t d] += z[n, o, i] w[o, c, t], positions outside the output dropped, then the bias.
     */
    private static double[] scattered(Case k, double[] z, double[] w, double[] b) {
        int[] in = k.outSize();
        int[] out = k.transposedSize();
        int channels = k.inChannels();
        double[] y = new double[k.batch() * channels * out[0] * out[1] * out[2]];
        int plane = out[0] * out[1] * out[2];
        for (int n = 0; n < k.batch(); n++) {
            for (int o = 0; o < k.outChannels(); o++) {
                for (int id = 0; id < in[0]; id++) {
                    for (int ih = 0; ih < in[1]; ih++) {
                        for (int iw = 0; iw < in[2]; iw++) {
                            double zv = z[(((n * k.outChannels() + o) * in[0] + id) * in[1] + ih) * in[2] + iw];
                            for (int c = 0; c < channels; c++) {
                                for (int td = 0; td < k.kernel()[0]; td++) {
                                    int d = id * k.stride()[0] - k.padding()[0] + td * k.dilation()[0];
                                    for (int th = 0; th < k.kernel()[1]; th++) {
                                        int h = ih * k.stride()[1] - k.padding()[1] + th * k.dilation()[1];
                                        for (int tw = 0; tw < k.kernel()[2]; tw++) {
                                            int ww = iw * k.stride()[2] - k.padding()[2] + tw * k.dilation()[2];
                                            if (d < 0 || d >= out[0] || h < 0 || h >= out[1] || ww < 0 || ww >= out[2]) {
                                                continue;
                                            }
                                            y[(n * channels + c) * plane + (d * out[1] + h) * out[2] + ww] += zv
                                                    * w[(((o * channels + c) * k.kernel()[0] + td) * k.kernel()[1] + th)
                                                    * k.kernel()[2] + tw];
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        if (b != null) {
            for (int i = 0; i < y.length; i++) {
                y[i] += b[(i / plane) % channels];
            }
        }
        return y;
    }

    /** {@code <conv3d(x, w), z> = <x, convTranspose3d(z, w)>}: the transposed convolution is the adjoint. */
    @ParameterizedTest(name = "{0}")
    @MethodSource("ungroupedCases")
    void convTranspose3dIsTheAdjointOfConv3dWithTheSameWeight(Case k) {
        Tensor x = Tensor.randn(DType.F64, k.inputDims());
        Tensor w = Tensor.randn(DType.F64, k.weightDims());
        Tensor z = Tensor.randn(DType.F64, k.outputDims());
        double left = F.conv3d(x, w, null, k.stride(), k.padding(), k.dilation(), 1).mul(z).sum().item();
        Tensor back = F.convTranspose3d(z, w, null, k.stride(), k.padding(), k.outputPadding(), k.dilation());
        assertArrayEquals(x.shape().dims(), back.shape().dims(), "the output padding restores the input's size");
        assertEquals(left, back.mul(x).sum().item(), 1e-10 * Math.max(1, Math.abs(left)), k.toString());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void conv3dGradientsOfInputWeightAndBiasMatchFiniteDifferences(Case k) {
        Tensor x = Tensor.randn(DType.F64, k.inputDims()).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, k.weightDims()).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, k.outChannels()).requiresGrad(k.bias());
        GradCheck.check("conv3d " + k, in -> F.conv3d(in[0], in[1], in[2], k.stride(), k.padding(), k.dilation(),
                k.groups()), x, w, b);
    }

    @Test
    void convTranspose3dGradientsWithOutputPaddingAtTheStrideBelowTheDilationMatchFiniteDifferences() {
        // Depth: output padding 1 at stride 1, within padding 1 (cropped); width: 2 at stride 1, beyond padding 0.
        Tensor z = Tensor.randn(DType.F64, 1, 2, 3, 2, 3).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, 2, 2, 2, 2, 2).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 2).requiresGrad(true);
        GradCheck.check("convTranspose3d output padding beyond the stride", in -> F.convTranspose3d(in[0], in[1], in[2],
                new int[] {1, 2, 1}, new int[] {1, 0, 0}, new int[] {1, 1, 2}, new int[] {2, 3, 3}), z, w, b);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ungroupedCases")
    void convTranspose3dGradientsOfInputWeightAndBiasMatchFiniteDifferences(Case k) {
        Tensor z = Tensor.randn(DType.F64, k.outputDims()).requiresGrad(true);
        Tensor w = Tensor.randn(DType.F64, k.weightDims()).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, k.inChannels()).requiresGrad(k.bias());
        GradCheck.check("convTranspose3d " + k, in -> F.convTranspose3d(in[0], in[1], in[2], k.stride(), k.padding(),
                k.outputPadding(), k.dilation()), z, w, b);
    }

    @Test
    void onlyTheGradientsAskedForAreComputed() {
        Tensor x = Tensor.randn(DType.F64, 1, 2, 3, 4, 4);
        Tensor w = Tensor.randn(DType.F64, 3, 2, 2, 3, 3).requiresGrad(true);
        Tensor b = Tensor.randn(DType.F64, 3);
        F.conv3d(x, w, b, null, new int[] {1}, null, 1).sum().backward();
        F.convTranspose3d(x, w.narrow(0, 0, 2), b.narrow(0, 0, 2), new int[] {2}, null, null, null).sum().backward();
        assertNull(x.grad(), "the data gets no gradient");
        assertNull(b.grad(), "a frozen bias gets no gradient");
        assertTrue(w.grad() != null, "the weight does");
    }

    @Test
    void anUnbatchedInputIsABatchOfOneWithoutTheBatchAxis() {
        Tensor x = Tensor.randn(DType.F64, 2, 4, 5, 3);
        Tensor w = Tensor.randn(DType.F64, 3, 2, 3, 2, 2);
        Tensor b = Tensor.randn(DType.F64, 3);
        int[] stride = {2, 1, 1};
        int[] padding = {1};
        Tensor y = F.conv3d(x, w, b, stride, padding, null, 1);
        assertArrayEquals(new int[] {3, 2, 6, 4}, y.shape().dims());
        assertArrayEquals(F.conv3d(x.unsqueeze(0), w, b, stride, padding, null, 1).toDoubleArray(), y.toDoubleArray(), 0);
        Tensor t = F.convTranspose3d(y, w, null, stride, padding, new int[] {1, 0, 0}, null);
        assertArrayEquals(new int[] {2, 4, 5, 3}, t.shape().dims());
        assertArrayEquals(F.convTranspose3d(y.unsqueeze(0), w, null, stride, padding, new int[] {1, 0, 0}, null)
                .toDoubleArray(), t.toDoubleArray(), 0);
    }

    /**
     * A recorded conv3d keeps for its backward pass only what it was given and its output (and an index of a few
     * hundred rows): not the depth slices it selected, three times the input here, nor its 2-D output before the
     * reordering, which it frees as it returns.
     */
    @Test
    void aRecordedConv3dKeepsNeitherTheSelectedSlicesNorTheUnorderedOutput() {
        Tensor x = Tensor.randn(2, 8, 8, 16, 16).requiresGrad(true);
        Tensor w = Tensor.randn(8, 8, 3, 3, 3).requiresGrad(true);
        Tensor keep;
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        keep = F.conv3d(x, w, null, null, new int[] {1}, null, 1);
        long grown = Engine.get().backend().bytesInUse() - before;
        long output = BytesInUse.ofOneLike(keep);
        assertTrue(grown < output + output / 4, "kept " + grown + " bytes for an output of " + output);
        keep.sum().backward();
        assertArrayEquals(x.shape().dims(), x.grad().shape().dims());
    }

    @Test
    void errorsNameTheOpTheShapesAndWhatIsWrong() {
        Tensor x = Tensor.zeros(2, 3, 4, 5, 5);
        assertEquals("conv3d: input [2, 3, 4, 5, 5] and weight [4, 3, 3, 3]: expected a 5-D input [batch, channels,"
                + " depth, height, width] and a 5-D weight [outChannels, inChannels / groups, kernelD, kernelH, kernelW]",
                message(() -> F.conv3d(x, Tensor.zeros(4, 3, 3, 3), null, null, null, null, 1)));
        assertEquals("conv3d: input [2, 3, 4, 5, 5] and weight [4, 2, 3, 3, 3]: the input has 3 channels but the weight"
                + " expects 2", message(() -> F.conv3d(x, Tensor.zeros(4, 2, 3, 3, 3), null, null, null, null, 1)));
        assertEquals("conv3d: input [2, 3, 4, 5, 5] and weight [4, 1, 3, 3, 3] with groups 2: the input has 3 channels"
                + " but the weight expects 2 (1 per group, 2 groups)",
                message(() -> F.conv3d(x, Tensor.zeros(4, 1, 3, 3, 3), null, null, null, null, 2)));
        assertEquals("conv3d: input [2, 3, 4, 5, 5] and weight [4, 3, 3, 3, 3]: the kernel's span 5 along the depth"
                + " (kernel 3, dilation 2) is larger than the padded input's 4",
                message(() -> F.conv3d(x, Tensor.zeros(4, 3, 3, 3, 3), null, null, null, new int[] {2, 1, 1}, 1)));
        assertEquals("conv3d: stride must have 1 or 3 values (depth, height, width), got [1, 1]",
                message(() -> F.conv3d(x, Tensor.zeros(4, 3, 3, 3, 3), null, new int[] {1, 1}, null, null, 1)));
        assertEquals("conv3d: bias [3] and weight [4, 3, 3, 3, 3]: the bias must be [4]",
                message(() -> F.conv3d(x, Tensor.zeros(4, 3, 3, 3, 3), Tensor.zeros(3), null, null, null, 1)));
        assertEquals("convTranspose3d: input [2, 3, 4, 5, 5] and weight [4, 2, 3, 3, 3]: the input has 3 channels but"
                + " the weight expects 4",
                message(() -> F.convTranspose3d(x, Tensor.zeros(4, 2, 3, 3, 3), null, null, null, null, null)));
        assertEquals("convTranspose3d: output padding [2, 0, 0] must be below the stride [2, 2, 2] or the dilation"
                + " [1, 1, 1] on each axis",
                message(() -> F.convTranspose3d(x, Tensor.zeros(3, 2, 3, 3, 3), null, new int[] {2},
                        null, new int[] {2, 0, 0}, null)));
    }

    private static String message(Runnable op) {
        return assertThrows(IllegalArgumentException.class, op::run).getMessage();
    }

    private static void assertClose(double[] expected, double[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + ": element count");
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], tolerance * Math.max(1, Math.abs(expected[i])), what + ": element " + i);
        }
    }
}
