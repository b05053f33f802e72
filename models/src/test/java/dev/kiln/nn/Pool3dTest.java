package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
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
 * {@link MaxPool3d}, {@link AvgPool3d}, {@link AdaptiveMaxPool3d} and {@link AdaptiveAvgPool3d}: a window's maximum
 * and mean over all three axes at once, dilated max pooling against a direct scan of each window, gradients against
 * finite differences (the max poolings on inputs without ties, where the maximum's gradient is defined), and the
 * errors; {@link VolumetricPyTorchParityTest} holds their values against PyTorch's, on tied maxima too.
 */
class Pool3dTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(44);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** 0, 1, 2, ... shuffled: distinct values, so that finite differences see one maximum per window. */
    private static Tensor distinct(int... dims) {
        int n = 1;
        for (int d : dims) {
            n *= d;
        }
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (i * 7919L % n) / (double) n;
        }
        return Tensor.fromArray(v, dims).requiresGrad(true);
    }

    @Test
    void aWindowSpanningDepthHeightAndWidthTakesItsMaximumAndMean() {
        Tensor x = Tensor.arange(0, 16, 1, DType.F64).reshape(1, 1, 2, 2, 4);
        assertArrayEquals(new double[] {13, 15}, new MaxPool3d(new int[] {2, 2, 2}, null, new int[] {0}, false)
                .forward(x).toDoubleArray(), 0);
        assertArrayEquals(new double[] {6.5, 8.5}, new AvgPool3d(2).forward(x).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {15}, new AdaptiveMaxPool3d(1).forward(x).toDoubleArray(), 0);
        assertArrayEquals(new double[] {7.5}, new AdaptiveAvgPool3d(1).forward(x).toDoubleArray(), 1e-12);
    }

    @Test
    void maxPoolingGradientsMatchFiniteDifferences() {
        Tensor x = distinct(2, 2, 5, 4, 6);
        MaxPool3d pool = new MaxPool3d(new int[] {3, 2, 3}, new int[] {2, 1, 2}, new int[] {1, 1, 1}, true);
        GradCheck.check("MaxPool3d", in -> pool.forward(in[0]), x);
        AdaptiveMaxPool3d adaptive = new AdaptiveMaxPool3d(3, 3, 4);
        GradCheck.check("AdaptiveMaxPool3d", in -> adaptive.forward(in[0]), x);
    }

    /** Width 5, kernel 2, dilation 3: the windows are positions {0, 3} and {1, 4}. */
    @Test
    void aDilatedWindowTakesTheMaximumOfTheElementsItSpans() {
        Tensor x = Tensor.fromArray(new double[] {1, 9, 2, 3, 0}, 1, 1, 1, 1, 5);
        MaxPool3d pool = new MaxPool3d(new int[] {1, 1, 2}, new int[] {1}, new int[] {0}, new int[] {1, 1, 3}, false);
        assertArrayEquals(new double[] {3, 9}, pool.forward(x).toDoubleArray(), 0);
    }

    /**
     * Values and indices of dilated, strided, padded and ceil-mode windows over an input of many ties, against
     * PyTorch's loop: each window's taps scanned in (depth, height, width) order, the first maximum kept. Windows span
     * all three axes, or depth, or width, or one element.
     */
    @Test
    void maxPoolingMatchesADirectScanOfEachWindow() {
        int[] dims = {2, 3, 6, 7, 8};
        Random random = new Random(45);
        double[] v = new double[2 * 3 * 6 * 7 * 8];
        Arrays.setAll(v, i -> random.nextInt(4));
        Tensor x = Tensor.fromArray(v, dims);
        int[][][] settings = {
                {{2, 3, 2}, {1, 2, 2}, {1, 1, 0}, {2, 1, 3}},
                {{3}, {2}, {1}, {2}},
                {{1, 3, 3}, {1, 2, 1}, {0, 1, 1}, {1, 2, 1}},
                {{2}, {3, 2, 3}, {1}, {1}},
                {{2, 1, 1}, {2, 1, 1}, {1, 0, 0}, {1}},
                {{1, 1, 3}, {1}, {0}, {1, 1, 2}},
                {{1}, {1}, {0}, {1}}};
        for (int[][] s : settings) {
            for (boolean ceil : new boolean[] {false, true}) {
                MaxPool3d pool = new MaxPool3d(s[0], s[1], s[2], s[3], ceil);
                F.MaxPoolOutput pooled = pool.forwardWithIndices(x);
                double[][] expected = scan(v, dims, pool, pooled.output().shape().dims());
                assertArrayEquals(expected[0], pooled.output().toDoubleArray(), 0, pool.toString());
                assertArrayEquals(expected[1], pooled.indices().toDoubleArray(), 0, pool.toString());
            }
        }
    }

    /** {values, indices} of a max pooling by PyTorch's CPU loop over each window's taps. */
    private static double[][] scan(double[] v, int[] dims, MaxPool3d pool, int[] outDims) {
        int[] k = pool.kernel();
        int[] s = pool.stride();
        int[] p = pool.padding();
        int[] d = pool.dilation();
        int planes = dims[0] * dims[1];
        int volume = dims[2] * dims[3] * dims[4];
        int outVolume = outDims[2] * outDims[3] * outDims[4];
        double[][] result = new double[2][planes * outVolume];
        for (int q = 0; q < planes * outVolume; q++) {
            int plane = q / outVolume;
            int[] o = {q % outVolume / (outDims[3] * outDims[4]), q / outDims[4] % outDims[3], q % outDims[4]};
            double max = Double.NEGATIVE_INFINITY;
            int at = -1;
            for (int t = 0; t < k[0] * k[1] * k[2]; t++) {
                int[] tap = {t / (k[1] * k[2]), t / k[2] % k[1], t % k[2]};
                int flat = 0;
                boolean inside = true;
                for (int a = 0; a < 3; a++) {
                    int position = o[a] * s[a] - p[a] + tap[a] * d[a];
                    inside &= position >= 0 && position < dims[2 + a];
                    flat = flat * dims[2 + a] + position;
                }
                if (inside && (at < 0 || v[plane * volume + flat] > max)) {
                    max = v[plane * volume + flat];
                    at = flat;
                }
            }
            result[0][q] = max;
            result[1][q] = at;
        }
        return result;
    }

    @Test
    void dilatedMaxPoolingGradientsMatchFiniteDifferences() {
        Tensor x = distinct(2, 2, 6, 5, 7);
        MaxPool3d pool = new MaxPool3d(new int[] {2, 3, 2}, new int[] {1, 2, 2}, new int[] {1, 1, 1},
                new int[] {2, 1, 3}, true);
        GradCheck.check("dilated MaxPool3d", in -> pool.forward(in[0]), x);
    }

    @Test
    void averagePoolingGradientsMatchFiniteDifferences() {
        Tensor x = Tensor.randn(DType.F64, 2, 2, 5, 4, 6).requiresGrad(true);
        AvgPool3d pool = new AvgPool3d(new int[] {3, 2, 3}, new int[] {2, 1, 2}, new int[] {1, 1, 1}, true, false);
        GradCheck.check("AvgPool3d", in -> pool.forward(in[0]), x);
        AdaptiveAvgPool3d adaptive = new AdaptiveAvgPool3d(3, 3, 4);
        GradCheck.check("AdaptiveAvgPool3d", in -> adaptive.forward(in[0]), x);
    }

    @Test
    void errorsNameTheLayerTheInputAndWhatIsWrong() {
        MaxPool3d pool = new MaxPool3d(3);
        assertEquals("MaxPool3d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False): input [2, 4, 4] must be [batch, channels, depth,"
                + " height, width] or unbatched [channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(2, 4, 4))).getMessage());
        assertEquals("MaxPool3d(kernel_size=3, stride=3, padding=0, dilation=1, ceil_mode=False): input [1, 2, 4, 2, 5]: the kernel 3 is larger than the"
                + " height 2 padded by 0 on each side", assertThrows(IllegalArgumentException.class,
                        () -> pool.forward(Tensor.zeros(1, 2, 4, 2, 5))).getMessage());
        assertEquals("AvgPool3d: padding 1x2x1 must be at most half the kernel 3 on each axis",
                assertThrows(IllegalArgumentException.class, () -> new AvgPool3d(new int[] {3}, null,
                        new int[] {1, 2, 1}, false, true)).getMessage());
        assertEquals("AdaptiveAvgPool3d: output size must be at least 1, got (2, 0, 2)",
                assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool3d(2, 0, 2)).getMessage());
        assertEquals("AdaptiveMaxPool3d(output_size=2): input [3, 4, 4] must be [batch, channels, depth,"
                + " height, width] or unbatched [channels, depth, height, width] with at least one element per channel",
                assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool3d(2).forward(Tensor.zeros(3, 4, 4)))
                        .getMessage());
    }

    @Test
    void badDilationsAndWindowsNameTheLayerAndWhatIsWrong() {
        assertEquals("MaxPool3d: dilation must be at least 1, got [1, 0, 1]",
                assertThrows(IllegalArgumentException.class, () -> new MaxPool3d(new int[] {2}, null, new int[] {0},
                        new int[] {1, 0, 1}, false)).getMessage());
        MaxPool3d wide = new MaxPool3d(new int[] {3}, null, new int[] {0}, new int[] {2}, false);
        assertEquals("MaxPool3d(kernel_size=3, stride=3, padding=0, dilation=2, ceil_mode=False): input [1, 1, 5, 4, 5]: the kernel 3 with"
                + " dilation 2 spans 5, more than the height 4 padded by 0 on each side",
                assertThrows(IllegalArgumentException.class, () -> wide.forward(Tensor.zeros(1, 1, 5, 4, 5)))
                        .getMessage());
    }

    @Test
    void theFunctionalMaxPoolingNamesTheOpAndTheInput() {
        assertEquals("maxPool3d: input [1, 2, 3, 4]: expected a 5-D input [batch, channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> F.maxPool3d(Tensor.zeros(1, 2, 3, 4),
                        new int[] {2}, null, null, null, false)).getMessage());
        assertEquals("maxPool3d: input [1, 1, 4, 4, 4]: padding [1, 2, 1] must be at most half the kernel [3, 3, 3]"
                + " on each axis", assertThrows(IllegalArgumentException.class, () -> F.maxPool3d(
                        Tensor.zeros(1, 1, 4, 4, 4), new int[] {3}, null, new int[] {1, 2, 1}, null, false))
                .getMessage());
        assertEquals("maxPool3d: input [1, 1, 4, 4, 4]: the output depth 0 is too small: the kernel's span 7 along"
                + " the depth (kernel 3, stride 3, padding 1, dilation 3) is larger than the padded input's 6",
                assertThrows(IllegalArgumentException.class, () -> F.maxPool3d(Tensor.zeros(1, 1, 4, 4, 4),
                        new int[] {3, 1, 1}, null, new int[] {1, 0, 0}, new int[] {3, 1, 1}, false)).getMessage());
    }

    @Test
    void describeThemselvesAsPyTorchDoes() {
        assertEquals("AvgPool3d(kernel_size=(1, 2, 2), stride=(1, 2, 2), padding=0)",
                new AvgPool3d(new int[] {1, 2, 2}, null, new int[] {0}, true, false).toString());
        assertEquals("AdaptiveMaxPool3d(output_size=(1, 2, 3))", new AdaptiveMaxPool3d(1, 2, 3).toString());
        assertEquals("MaxPool3d(kernel_size=3, stride=2, padding=1, dilation=(1, 2, 1), ceil_mode=True)",
                new MaxPool3d(new int[] {3}, new int[] {2}, new int[] {1}, new int[] {1, 2, 1}, true).toString());
    }
}
