package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.QuantizedDType;
import dev.kiln.engine.QuantizedTensor;
import dev.kiln.engine.Quantize;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A windowed {@link AvgPool2d} on the uint8 grid, bit for bit as PyTorch 1.13's quantized {@code avg_pool2d} on the
 * channels-last quint8 tensors its quantized convolutions write (models/src/test/pytorch/quantized_avg_pool.py, which
 * also checks the rounding on a quantized conv2d's output): padding counts as the zero point, in the divisor with
 * {@code count_include_pad}, and ceil mode's last window stops at the padded input. The input: [1, 2, 7, 6], scale
 * 0.05, zero point 3, {@code q[k] = (73 k + 29) mod 256}.
 */
class QuantizedAvgPoolingPyTorchParityTest {
    private static final Uint8Grid GRID = new Uint8Grid(0.05f, 3);
    private static final int[] SHAPE = {1, 2, 7, 6};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    /** The script's input values on {@link #GRID}, F32: {@code (q - 3) * 0.05}. */
    private static Tensor gridValues() {
        float[] values = new float[SHAPE[0] * SHAPE[1] * SHAPE[2] * SHAPE[3]];
        for (int k = 0; k < values.length; k++) {
            values[k] = GRID.dequantize((73 * k + 29) % 256);
        }
        return Tensor.fromArray(values, SHAPE);
    }

    /**
     * The pooled integers, [1, 2, outH, outW] row-major, through {@link StaticQuantization#forward}, and their grid
     * values from the F32 path of a converted model's pooling ({@link AvgPool2d#poolOnGrid}).
     */
    private static void assertPooled(AvgPool2d pool, int outH, int outW, int... expected) {
        QuantizedTensor x = Quantize.perTensor(gridValues(), GRID.scale(), GRID.zeroPoint(), QuantizedDType.QUINT8);
        QuantizedTensor y = StaticQuantization.forward(pool, x);
        assertEquals(GRID, new Uint8Grid((float) y.qScale(), y.qZeroPoint()), "the input's grid");
        assertArrayEquals(new int[] {1, 2, outH, outW}, y.shape().dims(), pool.toString());
        assertArrayEquals(expected, y.values(), pool.toString());
        pool.poolOnGrid(GRID);
        float[] values = new float[expected.length];
        for (int i = 0; i < values.length; i++) {
            values[i] = GRID.dequantize(expected[i]);
        }
        assertArrayEquals(values, pool.forward(gridValues()).toFloatArray(), "converted " + pool);
    }

    @Test
    void nonOverlappingWindowsRoundTiesAsPyTorch() {
        assertPooled(new AvgPool2d(2), 3, 3, 93, 175, 129, 137, 91, 173, 181, 135, 89, 87, 169, 123, 131, 85, 167,
                175, 129, 83);
    }

    @Test
    void paddingCountsAsTheZeroPointAndInTheDivisor() {
        assertPooled(new AvgPool2d(3, 2, 1), 4, 3, 43, 93, 105, 88, 112, 145, 103, 135, 110, 77, 102, 86, 40, 89,
                101, 84, 106, 139, 99, 129, 104, 75, 98, 82);
    }

    @Test
    void paddingLeftOutOfTheDivisorWithoutCountIncludePad() {
        assertPooled(new AvgPool2d(3, 2, 1, false, false), 4, 3, 93, 138, 156, 131, 112, 145, 153, 135, 110, 171,
                152, 127, 87, 132, 150, 125, 106, 139, 147, 129, 104, 165, 146, 121);
    }

    @Test
    void ceilModesLastWindowStopsAtThePaddedInput() {
        assertPooled(new AvgPool2d(3, 2, 1, true, true), 4, 4, 43, 93, 105, 36, 88, 112, 145, 82, 103, 135, 110, 51,
                77, 102, 86, 40, 40, 89, 101, 34, 84, 106, 139, 79, 99, 129, 104, 47, 75, 98, 82, 38);
        assertPooled(new AvgPool2d(2, 3, 1, true, false), 3, 3, 29, 211, 138, 100, 91, 209, 134, 125, 115, 23, 205,
                132, 94, 85, 203, 128, 119, 109);
    }

    /**
     * The pooled integers of the script's values as an unbatched [2, 7, 6] input, [2, outH, outW] row-major, through
     * {@link StaticQuantization#forward} and the F32 path of a converted model's pooling.
     */
    private static void assertPooledUnbatched(AvgPool2d pool, int outH, int outW, int... expected) {
        try (Tensor batched = gridValues(); Tensor values = batched.reshape(2, 7, 6)) {
            QuantizedTensor x = Quantize.perTensor(values, GRID.scale(), GRID.zeroPoint(), QuantizedDType.QUINT8);
            QuantizedTensor y = StaticQuantization.forward(pool, x);
            assertEquals(GRID, new Uint8Grid((float) y.qScale(), y.qZeroPoint()), "the input's grid");
            assertArrayEquals(new int[] {2, outH, outW}, y.shape().dims(), pool.toString());
            assertArrayEquals(expected, y.values(), pool.toString());
            pool.poolOnGrid(GRID);
            float[] pooled = new float[expected.length];
            for (int i = 0; i < pooled.length; i++) {
                pooled[i] = GRID.dequantize(expected[i]);
            }
            assertArrayEquals(pooled, pool.forward(values).toFloatArray(), "converted " + pool);
        }
    }

    /**
     * 1.13 pools an unbatched input, never channels-last, with its contiguous kernel, which adds the zero point
     * before rounding (ties to even in q itself): windows that tie round differently from the batched cases above
     * (models/src/test/pytorch/quantized_avg_pool_unbatched.py).
     */
    @Test
    void unbatchedInputRoundsAsPyTorchsContiguousKernel() {
        assertPooledUnbatched(new AvgPool2d(2), 3, 3, 92, 174, 128, 136, 90, 172, 180, 134, 88, 86, 168, 122, 130,
                84, 166, 174, 128, 82);
        assertPooledUnbatched(new AvgPool2d(3, 2, 1, true, true), 4, 4, 43, 93, 105, 36, 88, 112, 145, 82, 103, 135,
                110, 50, 77, 102, 86, 40, 40, 89, 101, 34, 84, 106, 139, 79, 99, 129, 104, 48, 75, 98, 82, 38);
        assertPooledUnbatched(new AvgPool2d(3, 2, 1, false, false), 4, 3, 92, 138, 156, 131, 112, 145, 154, 135, 110,
                170, 152, 127, 86, 132, 150, 125, 106, 139, 148, 129, 104, 164, 146, 121);
    }
}
