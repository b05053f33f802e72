package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8Conv;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link StaticInt8Conv#globalAvgPoolForward} (a quantised ResNet's head: {@link QuantizedLinear} with the average
 * pooling fused) against PyTorch 1.13's quantized {@code adaptive_avg_pool2d(x, 1)}, {@code flatten} and quantized
 * {@code Linear} (onednn engine), printed by {@code models/src/test/pytorch/quantize_static_avgpool_linear.py}: the
 * same q values where the Linear is the identity (the pooling's rounding, ties half to even), within one step of the
 * output grid otherwise.
 */
class StaticInt8GlobalAvgPoolPyTorchParityTest {
    private Scope scope;
    private Autograd.Guard noGrad;

    @BeforeEach
    void open() {
        scope = Scope.open();
        noGrad = Autograd.noGrad();
    }

    @AfterEach
    void close() {
        noGrad.close();
        scope.close();
    }

    /** F32 [dims] of the grid values (q - zeroPoint) * scale of q = (37 * i + 11 * seed) mod 256. */
    private static Tensor gridValues(int seed, float scale, int zeroPoint, int... dims) {
        int n = dims[0] * dims[1] * dims[2] * dims[3];
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = ((37 * i + 11 * seed) % 256 - zeroPoint) * scale;
        }
        return Tensor.fromArray(values, dims);
    }

    /** The int8 layer [out, channels, 1, 1] of weights (29 * i + 7 * seed) mod 255 - 127 times their row's scale. */
    private static StaticInt8Conv.Layer layer(int seed, int out, int channels, float[] scales, float[] bias,
                                              Uint8Grid grid, boolean relu) {
        float[] w = new float[out * channels];
        for (int i = 0; i < w.length; i++) {
            w[i] = ((29 * i + 7 * seed) % 255 - 127) * scales[i / channels];
        }
        return packed(w, out, channels, scales, Tensor.fromArray(bias, out), grid, relu);
    }

    /** The int8 layer [out, channels, 1, 1] with weight 1 (scale 1) at (o, o), no bias: it copies the pooled q. */
    private static StaticInt8Conv.Layer identity(int out, int channels, Uint8Grid grid, boolean relu) {
        float[] w = new float[out * channels];
        for (int o = 0; o < out; o++) {
            w[o * channels + o] = 1;
        }
        float[] scales = new float[out];
        Arrays.fill(scales, 1f);
        return packed(w, out, channels, scales, null, grid, relu);
    }

    private static StaticInt8Conv.Layer packed(float[] w, int out, int channels, float[] scales, Tensor bias,
                                               Uint8Grid grid, boolean relu) {
        Tensor weights = Tensor.fromArray(w, out, channels, 1, 1);
        return new StaticInt8Conv.Layer(StaticInt8Conv.pack(weights, Tensor.fromArray(scales, out)), bias,
                new int[] {1}, new int[] {0}, new int[] {1}, grid, relu);
    }

    /** The q values of y's grid values: round(y / scale) + zeroPoint. */
    private static int[] q(Tensor y, Uint8Grid grid) {
        float[] values = y.toFloatArray();
        int[] q = new int[values.length];
        for (int i = 0; i < q.length; i++) {
            q[i] = Math.round(values[i] / grid.scale()) + grid.zeroPoint();
        }
        return q;
    }

    private static void assertSameQ(Tensor y, Uint8Grid grid, int[] expected) {
        assertArrayEquals(expected, q(y, grid), "q values of " + y.shape());
    }

    private static void assertWithinOneStep(Tensor y, Uint8Grid grid, int[] expected) {
        int[] actual = q(y, grid);
        for (int i = 0; i < expected.length; i++) {
            assertTrue(Math.abs(actual[i] - expected[i]) <= 1, "element " + i + ": q " + actual[i] + ", PyTorch "
                    + expected[i]);
        }
    }

    /** 2 x 2 pooling: sums of four q values, a quarter of them ties. */
    @Test
    void meansOfFourRoundHalfToEvenAsPyTorch() {
        Tensor x = gridValues(1, 0.05f, 0, 3, 16, 2, 2);
        StaticInt8Conv.Layer fc = identity(16, 16, new Uint8Grid(0.05f, 0), false);
        int[] expected = {66, 150, 106, 126, 146, 102, 186, 78, 162, 118, 138, 158, 114, 198, 90, 110, 130, 86,
                170, 62, 146, 102, 122, 142, 98, 182, 74, 158, 114, 134, 154, 110, 194, 86, 170, 126,
                82, 166, 58, 142, 98, 118, 138, 94, 178, 70, 154, 110};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.05f, 0), fc);
        assertEquals(Shape.of(3, 16, 1, 1), y.shape());
        assertSameQ(y, fc.outputGrid(), expected);
    }

    /** 1 x 2 pooling with a zero point: every other mean a tie. */
    @Test
    void meansOfTwoRoundHalfToEvenAsPyTorch() {
        Tensor x = gridValues(2, 0.1f, 100, 2, 8, 1, 2);
        StaticInt8Conv.Layer fc = identity(8, 8, new Uint8Grid(0.1f, 100), false);
        int[] expected = {40, 114, 188, 134, 80, 154, 228, 46, 120, 194, 140, 86, 160, 234, 52, 126};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.1f, 100), fc);
        assertEquals(Shape.of(2, 8, 1, 1), y.shape());
        assertSameQ(y, fc.outputGrid(), expected);
    }

    /** 2 x 2 pooling with an odd zero point: q - 3 rounds half to even. */
    @Test
    void meansWithAnOddZeroPointRoundAsPyTorch() {
        Tensor x = gridValues(6, 0.05f, 3, 2, 16, 2, 2);
        StaticInt8Conv.Layer fc = identity(16, 16, new Uint8Grid(0.05f, 3), false);
        int[] expected = {121, 141, 161, 117, 137, 93, 113, 133, 89, 173, 65, 149, 105, 125, 145, 101, 185, 77,
                161, 117, 137, 157, 113, 197, 89, 109, 129, 85, 169, 61, 145, 101};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.05f, 3), fc);
        assertEquals(Shape.of(2, 16, 1, 1), y.shape());
        assertSameQ(y, fc.outputGrid(), expected);
    }

    /** 3 x 3 pooling (ResNet-18 at 96 x 96), more rows than channels in the layer. */
    @Test
    void meansOfNineAsPyTorch() {
        Tensor x = gridValues(3, 0.02f, 7, 2, 6, 3, 3);
        StaticInt8Conv.Layer fc = identity(6, 6, new Uint8Grid(0.02f, 7), false);
        int[] expected = {124, 116, 136, 99, 119, 139, 131, 123, 143, 163, 98, 118};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.02f, 7), fc);
        assertEquals(Shape.of(2, 6, 1, 1), y.shape());
        assertSameQ(y, fc.outputGrid(), expected);
    }

    /** A Linear 16 -> 5 with bias after 2 x 2 pooling, the head of a ResNet. */
    @Test
    void linearAfterPoolingAsPyTorch() {
        Tensor x = gridValues(4, 0.05f, 0, 3, 16, 2, 2);
        float[] scales = {0.0020000000949949026f, 0.0024999999441206455f, 0.003000000026077032f,
                0.0035000001080334187f, 0.004000000189989805f};
        float[] bias = {-0.25f, 0.0f, 0.25f, -0.25f, 0.0f};
        StaticInt8Conv.Layer fc = layer(4, 5, 16, scales, bias, new Uint8Grid(0.05f, 128), false);
        int[] expected = {87, 89, 81, 59, 227, 104, 124, 92, 92, 255, 82, 82, 122, 107, 255};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.05f, 0), fc);
        assertEquals(Shape.of(3, 5, 1, 1), y.shape());
        assertWithinOneStep(y, fc.outputGrid(), expected);
    }

    /** As the Linear above with its ReLU fused, on 4 x 4 (16 values a mean). */
    @Test
    void linearReluAfterPoolingAsPyTorch() {
        Tensor x = gridValues(5, 0.03f, 3, 2, 12, 4, 4);
        float[] scales = {0.0020000000949949026f, 0.0024999999441206455f, 0.003000000026077032f,
                0.0035000001080334187f, 0.004000000189989805f, 0.0044999998062849045f,
                0.004999999888241291f};
        float[] bias = {-0.25f, 0.0f, 0.25f, -0.25f, 0.0f, 0.25f, -0.25f};
        StaticInt8Conv.Layer fc = layer(5, 7, 12, scales, bias, new Uint8Grid(0.02f, 30), true);
        int[] expected = {30, 88, 30, 30, 155, 30, 30, 30, 89, 30, 30, 155, 83, 30};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.03f, 3), fc);
        assertEquals(Shape.of(2, 7, 1, 1), y.shape());
        assertWithinOneStep(y, fc.outputGrid(), expected);
    }

    /** 512 x 512 pooling: sums past 2^24, exact as PyTorch's integer sums (F32 sums drift: 127.5 to 127). */
    @Test
    void meansOfLargePlanesAsPyTorch() {
        Tensor x = gridValues(7, 0.05f, 0, 1, 2, 512, 512);
        StaticInt8Conv.Layer fc = identity(2, 2, new Uint8Grid(0.05f, 0), false);
        int[] expected = {128, 128};
        Tensor y = StaticInt8Conv.globalAvgPoolForward(x, new Uint8Grid(0.05f, 0), fc);
        assertEquals(Shape.of(1, 2, 1, 1), y.shape());
        assertSameQ(y, fc.outputGrid(), expected);
    }
}
