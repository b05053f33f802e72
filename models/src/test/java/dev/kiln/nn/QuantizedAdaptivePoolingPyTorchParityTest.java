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
 * Adaptive average pooling to sizes other than 1 x 1, and global average pooling, on the uint8 grid, bit for bit as PyTorch 1.13's quantized
 * {@code adaptive_avg_pool2d} on the channels-last quint8 tensors a converted model hands it
 * (models/src/test/pytorch/quantized_adaptive_pool.py): a quantised tensor through {@link StaticQuantization#forward},
 * and the F32 grid values a converted model's pooling reads. The input: scale 0.05, zero point 3,
 * {@code q[k] = (73 k + 29) mod 256}; every 2 x 2 window of the first case is a tie, which PyTorch rounds to even in
 * {@code q - zeroPoint}.
 */
class QuantizedAdaptivePoolingPyTorchParityTest {
    private static final Uint8Grid GRID = new Uint8Grid(0.05f, 3);
    private static final int[] SQUARE_TO_3X3 = {93, 175, 129, 137, 91, 173, 181, 135, 89, 97, 179, 133, 141, 95, 177,
        121, 139, 93, 165, 119, 137, 81, 163, 117, 125, 79, 161, 169, 123, 77, 85, 167, 121, 129, 83, 165, 109, 127, 81,
        153, 107, 125, 69, 151, 105, 113, 67, 149, 157, 111, 65, 137, 155, 109};
    private static final int[] UNEVEN_TO_3X4 = {65, 175, 150, 174, 63, 173, 148, 173, 62, 171, 147, 171, 60, 169, 145,
        169, 59, 168, 143, 167, 57, 167, 142, 166};
    private static final int[] GLOBAL_4X6 = {133, 135, 127, 130, 122, 125};

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
    private static Tensor gridValues(int... dims) {
        int count = 1;
        for (int d : dims) {
            count *= d;
        }
        float[] values = new float[count];
        for (int k = 0; k < count; k++) {
            values[k] = GRID.dequantize((73 * k + 29) % 256);
        }
        return Tensor.fromArray(values, dims);
    }

    private static QuantizedTensor quint8(int... dims) {
        return Quantize.perTensor(gridValues(dims), GRID.scale(), GRID.zeroPoint(), QuantizedDType.QUINT8);
    }

    @Test
    void aQuantisedTensorPooledTo3x3RoundsTiesAsPyTorch() {
        QuantizedTensor y = StaticQuantization.forward(new AdaptiveAvgPool2d(3), quint8(2, 3, 6, 6));
        assertEquals(GRID, new Uint8Grid((float) y.qScale(), y.qZeroPoint()), "the input's grid");
        assertArrayEquals(SQUARE_TO_3X3, y.values());
    }

    @Test
    void aQuantisedTensorPooledByUnevenWindowsMatchesPyTorch() {
        QuantizedTensor y = StaticQuantization.forward(new AdaptiveAvgPool2d(3, 4), quint8(1, 2, 5, 7));
        assertArrayEquals(UNEVEN_TO_3X4, y.values());
    }

    @Test
    void aPoolingOnTheGridOfAConvertedModelGivesPyTorchsValues() {
        AdaptiveAvgPool2d square = new AdaptiveAvgPool2d(3);
        square.poolOnGrid(GRID);
        AdaptiveAvgPool2d uneven = new AdaptiveAvgPool2d(3, 4);
        uneven.poolOnGrid(GRID);
        assertArrayEquals(dequantized(SQUARE_TO_3X3), square.forward(gridValues(2, 3, 6, 6)).toFloatArray());
        assertArrayEquals(dequantized(UNEVEN_TO_3X4), uneven.forward(gridValues(1, 2, 5, 7)).toFloatArray());
    }

    /** To 1 x 1 over 24 values, where 1.13 rounds two ties of a contiguous tensor the other way. */
    @Test
    void aGlobalPoolingOnTheGridGivesPyTorchsValues() {
        assertArrayEquals(GLOBAL_4X6, StaticQuantization.forward(new GlobalAvgPool2d(), quint8(2, 3, 4, 6)).values());
        GlobalAvgPool2d converted = new GlobalAvgPool2d();
        converted.poolOnGrid(GRID);
        assertArrayEquals(dequantized(GLOBAL_4X6), converted.forward(gridValues(2, 3, 4, 6)).toFloatArray());
    }

    private static float[] dequantized(int[] q) {
        float[] values = new float[q.length];
        for (int i = 0; i < q.length; i++) {
            values[i] = GRID.dequantize(q[i]);
        }
        return values;
    }

    /**
     * An unbatched [2, 7, 6] input to 3 x 4: 1.13 pools it with its contiguous kernel, which adds the zero point
     * before rounding, so five windows that tie round the other way from a batched input
     * (models/src/test/pytorch/quantized_adaptive_pool_unbatched.py).
     */
    @Test
    void anUnbatchedInputRoundsAsPyTorchsContiguousKernel() {
        int[] expected = {120, 107, 168, 156, 142, 130, 105, 136, 165, 152, 128, 116, 114, 101, 162, 150, 136, 124, 99,
            130, 159, 146, 122, 110};
        QuantizedTensor y = StaticQuantization.forward(new AdaptiveAvgPool2d(3, 4), quint8(2, 7, 6));
        assertArrayEquals(new int[] {2, 3, 4}, y.shape().dims());
        assertArrayEquals(expected, y.values());
        AdaptiveAvgPool2d converted = new AdaptiveAvgPool2d(3, 4);
        converted.poolOnGrid(GRID);
        assertArrayEquals(dequantized(expected), converted.forward(gridValues(2, 7, 6)).toFloatArray());
    }
}
