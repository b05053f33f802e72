package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link MaxPool3d}, {@link AvgPool3d}, {@link AdaptiveMaxPool3d} and {@link AdaptiveAvgPool3d}: a window's maximum
 * and mean over all three axes at once, gradients against finite differences (the max poolings on inputs without
 * ties, where the maximum's gradient is defined), and the errors; {@link VolumetricPyTorchParityTest} holds their
 * values against PyTorch's, on tied maxima too.
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
        assertEquals("MaxPool3d(kernel=3, stride=3, padding=0): input [2, 4, 4] must be [batch, channels, depth,"
                + " height, width] or unbatched [channels, depth, height, width]",
                assertThrows(IllegalArgumentException.class, () -> pool.forward(Tensor.zeros(2, 4, 4))).getMessage());
        assertEquals("MaxPool3d(kernel=3, stride=3, padding=0): input [1, 2, 4, 2, 5]: the kernel 3 is larger than the"
                + " height 2 padded by 0 on each side", assertThrows(IllegalArgumentException.class,
                        () -> pool.forward(Tensor.zeros(1, 2, 4, 2, 5))).getMessage());
        assertEquals("AvgPool3d: padding 1x2x1 must be at most half the kernel 3 on each axis",
                assertThrows(IllegalArgumentException.class, () -> new AvgPool3d(new int[] {3}, null,
                        new int[] {1, 2, 1}, false, true)).getMessage());
        assertEquals("AdaptiveAvgPool3d: output size must be at least 1, got (2, 0, 2)",
                assertThrows(IllegalArgumentException.class, () -> new AdaptiveAvgPool3d(2, 0, 2)).getMessage());
        assertEquals("AdaptiveMaxPool3d(output_size=(2, 2, 2)): input [3, 4, 4] must be [batch, channels, depth,"
                + " height, width] or unbatched [channels, depth, height, width] with at least one element per channel",
                assertThrows(IllegalArgumentException.class, () -> new AdaptiveMaxPool3d(2).forward(Tensor.zeros(3, 4, 4)))
                        .getMessage());
    }

    @Test
    void describeThemselvesAsPyTorchDoes() {
        assertEquals("AvgPool3d(kernel=1x2x2, stride=1x2x2, padding=0, ceil_mode=True, count_include_pad=False)",
                new AvgPool3d(new int[] {1, 2, 2}, null, new int[] {0}, true, false).toString());
        assertEquals("AdaptiveMaxPool3d(output_size=(1, 2, 3))", new AdaptiveMaxPool3d(1, 2, 3).toString());
    }
}
