package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.F;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dilated {@link MaxPool2d}, {@link MaxPool1d} and {@link F#maxPool2d(Tensor, int[], int[], int[], int[], boolean)}:
 * windows that skip elements, values and indices against a direct scan of each window, gradients against finite
 * differences (on inputs without ties, where the maximum's gradient is defined), and the errors;
 * {@link DilatedMaxPoolPyTorchParityTest} holds their values against PyTorch's, on tied maxima and unpooled too.
 */
class DilatedMaxPoolTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** 0, 1, 2, ... shuffled: distinct values, so that finite differences see one maximum per window. */
    private static Tensor distinct(int... dims) {
        int n = Arrays.stream(dims).reduce(1, (a, b) -> a * b);
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * 7919L % n) / (double) n;
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    /** Length 5, kernel 2, dilation 3: the windows are positions {0, 3} and {1, 4}. */
    @Test
    void aDilatedWindowTakesTheMaximumOfTheElementsItsTapsReach() {
        Tensor row = Tensor.fromArray(new double[] {1, 9, 2, 3, 0}, 1, 1, 5);
        F.MaxPoolOutput pooled = new MaxPool1d(2, 1, 0, 3, false).forwardWithIndices(row);
        assertArrayEquals(new double[] {3, 9}, pooled.output().toDoubleArray(), 0);
        assertArrayEquals(new long[] {3, 1}, pooled.indices().toLongArray());
        // A 3 x 3 plane, kernel 2, dilation 2: the one window is its four corners.
        Tensor plane = Tensor.fromArray(new double[] {1, 8, 2, 7, 9, 6, 5, 0, 4}, 1, 1, 3, 3);
        assertArrayEquals(new double[] {5}, new MaxPool2d(2, 1, 0, 2, false).forward(plane).toDoubleArray(), 0);
    }

    /**
     * Values and indices of dilated, strided, padded and ceil-mode windows over an input of many ties, against
     * PyTorch's loop: each window's taps scanned in row-major order, the first maximum kept. Settings are {kernel,
     * stride, padding, dilation}, each (height, width).
     */
    @Test
    void dilatedPoolingMatchesADirectScanOfEachWindow() {
        int[] dims = {2, 3, 9, 11};
        Random random = new Random(46);
        double[] v = new double[2 * 3 * 9 * 11];
        Arrays.setAll(v, i -> random.nextInt(4));
        Tensor x = Tensor.fromArray(v, dims);
        int[][][] settings = {
                {{3, 3}, {1, 1}, {0, 0}, {2, 2}},
                {{3, 2}, {2, 3}, {1, 1}, {3, 2}},
                {{2, 3}, {1, 2}, {1, 0}, {1, 3}},
                {{4, 2}, {3, 1}, {2, 1}, {2, 4}},
                {{1, 3}, {1, 2}, {0, 1}, {5, 2}}};
        for (int[][] s : settings) {
            for (boolean ceil : new boolean[] {false, true}) {
                String what = Arrays.deepToString(s) + (ceil ? " ceil" : "");
                F.MaxPoolOutput pooled = F.maxPool2dWithIndices(x, s[0], s[1], s[2], s[3], ceil);
                int[] out = pooled.output().shape().dims();
                assertArrayEquals(new int[] {2, 3, outSize(9, s, 0, ceil), outSize(11, s, 1, ceil)}, out, what);
                double[][] expected = scan(v, dims, s, out);
                assertArrayEquals(expected[0], pooled.output().toDoubleArray(), 0, what);
                assertArrayEquals(expected[1], pooled.indices().toDoubleArray(), 0, what);
                assertArrayEquals(expected[0], F.maxPool2d(x, s[0], s[1], s[2], s[3], ceil).toDoubleArray(), 0, what);
            }
        }
    }

    /** PyTorch's pooling_output_shape along axis a of settings s. */
    private static int outSize(int in, int[][] s, int a, boolean ceil) {
        int span = s[3][a] * (s[0][a] - 1) + 1;
        int stride = s[1][a];
        int pad = s[2][a];
        int windows = Math.floorDiv(in + 2 * pad - span + (ceil ? stride - 1 : 0), stride) + 1;
        return ceil && (windows - 1) * stride >= in + pad ? windows - 1 : windows;
    }

    /** {values, indices} of a max pooling by PyTorch's CPU loop over each window's taps. */
    private static double[][] scan(double[] v, int[] dims, int[][] s, int[] out) {
        int planes = dims[0] * dims[1];
        int plane = dims[2] * dims[3];
        int outPlane = out[2] * out[3];
        double[][] result = new double[2][planes * outPlane];
        for (int q = 0; q < planes * outPlane; q++) {
            int oh = q % outPlane / out[3];
            int ow = q % out[3];
            double max = Double.NEGATIVE_INFINITY;
            int at = -1;
            for (int i = 0; i < s[0][0]; i++) {
                for (int j = 0; j < s[0][1]; j++) {
                    int h = oh * s[1][0] - s[2][0] + i * s[3][0];
                    int w = ow * s[1][1] - s[2][1] + j * s[3][1];
                    boolean inside = h >= 0 && h < dims[2] && w >= 0 && w < dims[3];
                    if (inside && (at < 0 || v[q / outPlane * plane + h * dims[3] + w] > max)) {
                        max = v[q / outPlane * plane + h * dims[3] + w];
                        at = h * dims[3] + w;
                    }
                }
            }
            result[0][q] = max;
            result[1][q] = at;
        }
        return result;
    }

    @Test
    void aDilationAlongAnAxisWithAWindowOfOneChangesNothing() {
        Tensor x = distinct(1, 2, 5, 6);
        assertArrayEquals(F.maxPool2d(x, new int[] {1, 3}, new int[] {1, 2}, new int[] {0, 1}, false).toDoubleArray(),
                F.maxPool2d(x, new int[] {1, 3}, new int[] {1, 2}, new int[] {0, 1}, new int[] {4, 1}, false)
                        .toDoubleArray(), 0);
    }

    @Test
    void dilatedMaxPool2dGradientsMatchFiniteDifferences() {
        Tensor x = distinct(2, 2, 7, 8);
        MaxPool2d pool = new MaxPool2d(3, 2, 1, 2, true);
        GradCheck.check(pool.toString(), in -> pool.forward(in[0]), x);
        GradCheck.check("maxPool2dWithIndices dilated (2, 3)", in -> F.maxPool2dWithIndices(in[0], new int[] {3, 2},
                new int[] {1, 2}, new int[] {1, 1}, new int[] {2, 3}, false).output(), x);
    }

    @Test
    void dilatedMaxPool1dGradientsMatchFiniteDifferences() {
        Tensor x = distinct(2, 3, 11);
        MaxPool1d pool = new MaxPool1d(3, 2, 1, 2, true);
        GradCheck.check(pool.toString(), in -> pool.forward(in[0]), x);
        GradCheck.check(pool + " with indices", in -> pool.forwardWithIndices(in[0]).output(), x);
    }

    @Test
    void aDilationBelowOneIsRefusedNamingTheLayerOrOp() {
        assertEquals("MaxPool2d: dilation must be at least 1, got 0",
                assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(2, 2, 0, 0, false)).getMessage());
        assertEquals("MaxPool1d: dilation must be at least 1, got -1",
                assertThrows(IllegalArgumentException.class, () -> new MaxPool1d(2, 2, 0, -1, false)).getMessage());
        assertEquals("maxPool2d: dilation must be at least 1, got [2, 0]",
                assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(Tensor.zeros(1, 1, 4, 4),
                        new int[] {2}, null, null, new int[] {2, 0}, false)).getMessage());
    }

    @Test
    void aKernelSpanningMoreThanThePaddedInputIsRefusedWithBothSizes() {
        assertEquals("maxPool2d: input [1, 1, 4, 6]: the output height 0 is too small: the kernel's span 5 along the"
                + " height (kernel 3, stride 3, padding 0, dilation 2) is larger than the padded input's 4",
                assertThrows(IllegalArgumentException.class, () -> F.maxPool2d(Tensor.zeros(1, 1, 4, 6),
                        new int[] {3}, null, null, new int[] {2}, false)).getMessage());
        MaxPool2d pool = new MaxPool2d(2, 1, 1, 5, false);
        assertEquals("MaxPool2d(kernel_size=2, stride=1, padding=1, dilation=5, ceil_mode=False): input [1, 1, 8, 3]: maxPool2d: input"
                + " [1, 1, 8, 3]: the output width 0 is too small: the kernel's span 6 along the width (kernel 2,"
                + " stride 1, padding 1, dilation 5) is larger than the padded input's 5",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(1, 1, 8, 3)))
                        .getMessage());
        MaxPool1d row = new MaxPool1d(3, 1, 1, 3, false);
        assertEquals("MaxPool1d(kernel_size=3, stride=1, padding=1, dilation=3, ceil_mode=False): input [2, 1, 3]: the kernel 3 with"
                + " dilation 3 spans 7, longer than the length 3 padded by 1 on each end",
                assertThrows(IllegalArgumentException.class, () -> row.forward(Tensor.zeros(2, 1, 3))).getMessage());
    }

    @Test
    void describeThemselvesAsPyTorchDoes() {
        assertEquals("MaxPool2d(kernel_size=3, stride=2, padding=1, dilation=2, ceil_mode=True)",
                new MaxPool2d(3, 2, 1, 2, true).toString());
        assertEquals("MaxPool1d(kernel_size=4, stride=4, padding=0, dilation=3, ceil_mode=False)", new MaxPool1d(4, 4, 0, 3, false).toString());
        assertEquals("MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)", new MaxPool2d(2, 2, 0, 1, false).toString());
        assertEquals(3, new MaxPool1d(4, 4, 0, 3, false).dilation());
    }
}
