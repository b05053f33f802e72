package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Max pooling with indices of windows holding several NaNs against PyTorch 1.13's CPU
 * ({@code models/src/test/pytorch/max_pool_nan.py}): the maximum is NaN at the window's last NaN in row-major window
 * order, and the gradient goes there; 1-D, 2-D (the straight-line 2 x 2 and 3 x 3 windows, clipped and ceil-mode
 * windows, dilation) and 3-D, in F32 and F64; the values without indices (no gradient recorded) as well.
 */
class MaxPoolNanPyTorchParityTest {
    private static final double NAN = Double.NaN;

    /** Per case: the output, the indices and the gradient of the output's sum, from max_pool_nan.py. */
    private static final double[][] EXPECTED = {
        // maxPool1d kernel 3 stride 1 of [1, 2, 9]
        {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 7.0, NAN, NAN, NAN, 10.0, NAN},
        {1, 3, 3, 5, 5, 5, 8, 0, 3, 4, 4, 4, 5, 8},
        {0.0, 1.0, 0.0, 2.0, 0.0, 3.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 3.0, 1.0, 0.0, 0.0, 1.0},
        // maxPool1d kernel 2 stride 2 padding 1 dilation 2 of [1, 1, 11]
        {NAN, NAN, NAN, NAN, NAN, NAN},
        {1, 3, 5, 5, 9, 9},
        {0.0, 1.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 2.0, 0.0},
        // maxPool2d kernel 2 stride 1 of [1, 2, 4, 5]
        {NAN, NAN, NAN, NAN, NAN, 9.0, NAN, NAN, 6.0, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, 8.0, NAN, NAN, 10.0, NAN,
            NAN, NAN},
        {5, 1, 8, 9, 5, 6, 13, 13, 15, 17, 18, 18, 5, 1, 8, 9, 5, 11, 13, 13, 16, 17, 18, 18},
        {0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 1.0, 0.0, 1.0, 2.0, 0.0, 0.0, 1.0,
            0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 1.0, 1.0, 2.0, 0.0},
        // maxPool2d kernel 3 stride 2 padding 1 of [2, 1, 5, 6]
        {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
        {1, 9, 9, 18, 21, 23, 25, 25, 29, 7, 8, 11, 19, 19, 23, 19, 27, 28},
        {0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0,
            0.0, 1.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0},
        // maxPool2d kernel (2, 4) stride 1 ceil of [1, 1, 4, 7]
        {NAN, NAN, NAN, NAN},
        {9, 13, 23, 25},
        {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            0.0, 1.0, 0.0, 1.0, 0.0, 0.0},
        // maxPool2d kernel 2 stride 1 dilation 2 of [1, 1, 5, 5]
        {7.0, NAN, 10.0, NAN, NAN, NAN, 8.0, NAN, 10.0},
        {12, 13, 14, 17, 18, 17, 20, 23, 14},
        {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 2.0, 0.0, 0.0, 2.0, 1.0, 0.0, 1.0, 0.0,
            0.0, 1.0, 0.0},
        // maxPool3d kernel 2 stride 1 of [1, 2, 3, 3, 4]
        {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN,
            NAN, NAN},
        {17, 18, 18, 21, 21, 23, 29, 29, 18, 33, 33, 23, 17, 17, 7, 21, 22, 22, 29, 29, 27, 33, 33, 22},
        {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 3.0, 0.0, 0.0, 2.0,
            0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0,
            1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 3.0, 0.0, 0.0, 0.0, 0.0, 1.0,
            0.0, 2.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0},
        // maxPool3d kernel (2, 3, 2) stride 2 padding 1 of [1, 1, 4, 5, 4]
        {6.0, NAN, NAN, NAN, NAN, 6.0, 7.0, NAN, 6.0, 8.0, NAN, NAN, NAN, NAN, 10.0, 10.0, NAN, 9.0, 8.0, NAN, NAN,
            NAN, NAN, 8.0, 9.0, NAN, 8.0},
        {4, 5, 3, 8, 13, 15, 12, 18, 15, 20, 45, 43, 48, 53, 47, 36, 58, 39, 64, 65, 63, 68, 73, 75, 72, 78, 75},
        {0.0, 0.0, 0.0, 1.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0, 1.0, 0.0,
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0,
            1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 1.0,
            1.0, 1.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0, 1.0, 0.0, 2.0, 0.0, 0.0, 1.0, 0.0},
    };

    /** Per case, in the order above: the input's shape and the pooling. */
    private static final int[][] SHAPES = {
        {1, 2, 9}, {1, 1, 11}, {1, 2, 4, 5}, {2, 1, 5, 6}, {1, 1, 4, 7}, {1, 1, 5, 5}, {1, 2, 3, 3, 4}, {1, 1, 4, 5, 4},
    };

    private static final List<Function<Tensor, F.MaxPoolOutput>> POOLS = List.of(
        x -> F.maxPool1dWithIndices(x, 3, 1, 0, 1, false),
        x -> F.maxPool1dWithIndices(x, 2, 2, 1, 2, false),
        x -> F.maxPool2dWithIndices(x, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, false),
        x -> F.maxPool2dWithIndices(x, new int[] {3, 3}, new int[] {2, 2}, new int[] {1, 1}, false),
        x -> F.maxPool2dWithIndices(x, new int[] {2, 4}, new int[] {2, 3}, new int[] {0, 0}, true),
        x -> F.maxPool2dWithIndices(x, new int[] {2, 2}, new int[] {1, 1}, new int[] {0, 0}, new int[] {2, 2},
                false),
        x -> F.maxPool3dWithIndices(x, new int[] {2, 2, 2}, new int[] {1, 1, 1}, new int[] {0, 0, 0},
                new int[] {1, 1, 1}, false),
        x -> F.maxPool3dWithIndices(x, new int[] {2, 3, 2}, new int[] {2, 2, 2}, new int[] {1, 1, 1},
                new int[] {1, 1, 1}, false));

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void theLastNanOfEachWindowIsTheMaximumAndTakesTheGradient(DType dtype) {
        for (int c = 0; c < SHAPES.length; c++) {
            String what = "case " + c + " of " + Arrays.toString(SHAPES[c]) + " " + dtype;
            Tensor x = input(SHAPES[c], dtype).requiresGrad(true);
            F.MaxPoolOutput pooled = POOLS.get(c).apply(x);
            assertArrayEquals(EXPECTED[3 * c], pooled.output().toDoubleArray(), 0, what + ": values");
            assertArrayEquals(Arrays.stream(EXPECTED[3 * c + 1]).mapToLong(v -> (long) v).toArray(),
                    pooled.indices().toLongArray(), what + ": indices");
            pooled.output().sum().backward();
            assertArrayEquals(EXPECTED[3 * c + 2], x.grad().toDoubleArray(), 0, what + ": gradient");
            try (Autograd.Guard off = Autograd.noGrad()) {
                assertArrayEquals(EXPECTED[3 * c], POOLS.get(c).apply(input(SHAPES[c], dtype)).output()
                        .toDoubleArray(), 0, what + ": values without gradients");
            }
        }
    }

    /** Per adaptive case: the output and the gradient of its sum, from max_pool_nan.py. */
    private static final double[][] ADAPTIVE_EXPECTED = {
        // adaptiveMaxPool1d 3 of [1, 2, 8]
        {NAN, NAN, NAN, NAN, NAN, NAN},
        {0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0},
        // adaptiveMaxPool2d (2, 3) of [1, 1, 3, 5]
        {NAN, NAN, NAN, NAN, NAN, NAN},
        {0.0, 0.0, 0.0, 0.0, 0.0, 2.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 0.0, 2.0, 0.0},
        // adaptiveMaxPool3d (2, 2, 2) of [1, 1, 3, 3, 3]
        {NAN, NAN, NAN, NAN, NAN, NAN, NAN, NAN},
        {0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 3.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.0,
            0.0, 1.0, 0.0, 2.0, 0.0},
    };

    /**
     * Adaptive max pooling of uneven windows (the per-window reductions, not one max pooling) records the last NaN
     * of each window too, as PyTorch's adaptive kernels and Kiln's even windows do.
     */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void adaptivePoolingOfUnevenWindowsSendsTheGradientToTheLastNan(DType dtype) {
        int[][] shapes = {{1, 2, 8}, {1, 1, 3, 5}, {1, 1, 3, 3, 3}};
        List<Module> pools = List.of(new AdaptiveMaxPool1d(3), new AdaptiveMaxPool2d(2, 3),
                new AdaptiveMaxPool3d(2, 2, 2));
        for (int c = 0; c < shapes.length; c++) {
            String what = pools.get(c) + " of " + Arrays.toString(shapes[c]) + " " + dtype;
            Tensor x = input(shapes[c], dtype).requiresGrad(true);
            Tensor y = pools.get(c).forward(x);
            assertArrayEquals(ADAPTIVE_EXPECTED[2 * c], y.toDoubleArray(), 0, what + ": values");
            y.sum().backward();
            assertArrayEquals(ADAPTIVE_EXPECTED[2 * c + 1], x.grad().toDoubleArray(), 0, what + ": gradient");
        }
    }

    /** Fractional max pooling's values and indices, 2-D then 3-D, from max_pool_nan.py. */
    private static final double[][] FRACTIONAL_EXPECTED = {
        {NAN, NAN, NAN, 6.0, NAN, NAN, NAN, NAN, NAN, 10.0, NAN, NAN},
        {5, 1, 9, 15, 17, 18, 5, 1, 9, 16, 17, 18},
        {NAN, NAN, NAN, 10.0, NAN, NAN, NAN, NAN},
        {21, 23, 29, 14, 53, 38, 61, 63},
    };

    /** Fractional max pooling with PyTorch's samples records each window's last NaN too. */
    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void fractionalPoolingRecordsTheLastNan(DType dtype) {
        F.MaxPoolOutput plane = FractionalMaxPool2d.withOutputSize(new int[] {2, 2}, new int[] {2, 3})
                .forwardWithIndices(input(new int[] {1, 2, 4, 5}, dtype),
                        Tensor.fromArray(new double[] {0.3, 0.6, 0.3, 0.6}, 1, 2, 2).to(dtype));
        F.MaxPoolOutput volume = FractionalMaxPool3d.withOutputSize(new int[] {2, 2, 2}, new int[] {2, 2, 2})
                .forwardWithIndices(input(new int[] {1, 1, 4, 4, 4}, dtype),
                        Tensor.fromArray(new double[] {0.3, 0.6, 0.9}, 1, 1, 3).to(dtype));
        F.MaxPoolOutput[] pooled = {plane, volume};
        for (int c = 0; c < pooled.length; c++) {
            String what = (c == 0 ? "FractionalMaxPool2d " : "FractionalMaxPool3d ") + dtype;
            assertArrayEquals(FRACTIONAL_EXPECTED[2 * c], pooled[c].output().toDoubleArray(), 0, what + ": values");
            assertArrayEquals(Arrays.stream(FRACTIONAL_EXPECTED[2 * c + 1]).mapToLong(v -> (long) v).toArray(),
                    pooled[c].indices().toLongArray(), what + ": indices");
        }
    }

    /** Element k is (7 k) mod 11, NaN where k mod 4 = 1 or k mod 5 = 3, as max_pool_nan.py's. */
    private static Tensor input(int[] shape, DType dtype) {
        double[] v = new double[Arrays.stream(shape).reduce(1, (a, b) -> a * b)];
        for (int k = 0; k < v.length; k++) {
            v[k] = k % 4 == 1 || k % 5 == 3 ? NAN : (7 * k) % 11;
        }
        return Tensor.fromArray(v, shape).to(dtype);
    }
}
