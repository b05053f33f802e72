package dev.kiln.nn;

import static dev.kiln.nn.PyTorchParity.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dilated max poolings whose windows' taps all fall in the padding, skipping over the input: minus infinity and
 * PyTorch 1.13's index (each axis's first tap at or past 0, flattened, which may lie beyond the input), as printed by
 * {@code models/src/test/pytorch/padding_alone_pool.py}; no gradient flows from such a window (PyTorch's backward adds
 * it at that index, out of bounds).
 */
class PaddingAloneMaxPoolTest {
    private static final double INF = Double.NEGATIVE_INFINITY;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static void assertPooled(double[] values, long[] indices, Tensor input, F.MaxPoolOutput pooled) {
        assertArrayEquals(values, pooled.output().toDoubleArray(), 0);
        assertArrayEquals(indices, pooled.indices().toLongArray());
        pooled.output().backward(pooled.output().fullLike(1));
        assertArrayEquals(new double[(int) input.size()], input.grad().toDoubleArray(), 0);
    }

    /** Length 2, kernel 2, padding 1, dilation 3: the taps are -1 and 2. */
    @Test
    void maxPool1dGivesMinusInfinityAndNoGradient() {
        Tensor x = tensor(DType.F64, 1, 1, 2, 2);
        assertPooled(new double[] {INF, INF}, new long[] {2, 2}, x, F.maxPool1dWithIndices(x, 2, 1, 1, 3, false));
        assertArrayEquals(new double[] {INF, INF}, new MaxPool1d(2, 1, 1, 3, false).forward(x).toDoubleArray(), 0);
    }

    /** Length 1, kernel 2, stride 3, padding 1, dilation 3 in ceil mode: one window hanging over, taps -1 and 2. */
    @Test
    void maxPool1dInCeilModeGivesMinusInfinity() {
        Tensor x = tensor(DType.F64, 2, 2, 1, 1);
        assertPooled(new double[] {INF, INF}, new long[] {2, 2}, x, F.maxPool1dWithIndices(x, 2, 3, 1, 3, true));
    }

    /** Width 2, kernel 2, padding 1, dilation 3 across; the index counts on into the next rows and beyond the plane. */
    @Test
    void maxPool2dIndexesPastTheRowAsPyTorch() {
        Tensor x = tensor(DType.F64, 3, 1, 1, 3, 2);
        assertPooled(new double[] {INF, INF, INF}, new long[] {2, 4, 6}, x, F.maxPool2dWithIndices(x,
                new int[] {1, 2}, new int[] {1, 2}, new int[] {0, 1}, new int[] {1, 3}, false));
    }

    /** Width 1, kernel 2, padding 1, dilation 2: the taps are -1 and 1. */
    @Test
    void maxPool3dGivesMinusInfinityAndNoGradient() {
        Tensor x = tensor(DType.F64, 4, 1, 1, 2, 2, 1);
        assertPooled(new double[] {INF, INF, INF, INF}, new long[] {1, 2, 3, 4}, x, F.maxPool3dWithIndices(x,
                new int[] {1, 1, 2}, new int[] {1}, new int[] {0, 0, 1}, new int[] {1, 1, 2}, false));
        Tensor y = tensor(DType.F64, 4, 1, 1, 2, 2, 1);
        Tensor out = new MaxPool3d(new int[] {1, 1, 2}, new int[] {1}, new int[] {0, 0, 1}, new int[] {1, 1, 2},
                false).forward(y);
        out.sum().backward();
        assertArrayEquals(new double[] {0, 0, 0, 0}, y.grad().toDoubleArray(), 0);
    }
}
