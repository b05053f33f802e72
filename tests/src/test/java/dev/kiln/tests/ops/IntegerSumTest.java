package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#sum()} and {@link Tensor#sum(int, boolean)} of integer tensors as PyTorch 1.13's: I64 sums of I32 and
 * I64, exact past 2^31 and wrapping past 2^63, 0 over nothing, no gradient; {@code mean} of integers refused as torch
 * refuses it. Values from {@code models/src/test/pytorch/integer_sum.py}.
 */
class IntegerSumTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor matrix() {
        return Tensor.fromArray(new int[] {1, -2, 3, 40, 50, -60}, 2, 3);
    }

    @Test
    void anIntTensorSumsToALongScalar() {
        Tensor s = matrix().sum();
        assertEquals(DType.I64, s.dtype());
        assertArrayEquals(new long[] {32}, s.toLongArray());
        assertEquals(0, s.rank());
        assertFalse(s.requiresGrad());
    }

    @Test
    void sumsAlongAnAxisAreLongsAndKeepTheAxisWhenAsked() {
        assertArrayEquals(new long[] {2, 30}, matrix().sum(1, false).toLongArray());
        assertArrayEquals(new long[] {2, 30}, matrix().sum(-1, false).toLongArray());
        Tensor kept = matrix().sum(0, true);
        assertEquals(DType.I64, kept.dtype());
        assertArrayEquals(new int[] {1, 3}, kept.shape().dims());
        assertArrayEquals(new long[] {41, 48, -57}, kept.toLongArray());
    }

    @Test
    void intSumsPastTwoToThe31AreExact() {
        Tensor big = Tensor.fromArray(new int[] {Integer.MAX_VALUE, Integer.MAX_VALUE, 5}, 3);
        assertArrayEquals(new long[] {4294967299L}, big.sum().toLongArray());
    }

    @Test
    void longSumsWrapPastTwoToThe63AsTorchs() {
        long p = 1L << 62;
        Tensor wrap = Tensor.fromArray(new long[] {p, p, p, 7}, 4);
        assertArrayEquals(new long[] {-4611686018427387897L}, wrap.sum().toLongArray());
    }

    @Test
    void aSumOverNothingIsZero() {
        assertArrayEquals(new long[] {0, 0}, Tensor.zeros(DType.I64, 2, 0).sum(1, false).toLongArray());
        assertArrayEquals(new long[] {0}, Tensor.zeros(DType.I64, 0).sum().toLongArray());
    }

    @Test
    void theTutorialsCorrectPredictionCountSumsTheLongMatches() {
        Tensor predicted = Tensor.fromArray(new long[] {2, 0, 1, 1}, 4);
        Tensor labels = Tensor.fromArray(new long[] {2, 1, 1, 0}, 4);
        assertArrayEquals(new long[] {2}, predicted.eq(labels).sum().toLongArray());
    }

    @Test
    void theMeanOfIntegersIsRefusedAsTorchRefusesIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Tensor.fromArray(new long[] {1, 2}, 2).mean());
        assertEquals("mean: needs F32 or F64, got I64 for [2]", e.getMessage());
    }
}
