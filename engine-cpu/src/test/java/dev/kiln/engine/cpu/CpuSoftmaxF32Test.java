package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * F32 softmax and log-softmax, forward and backward, which run in float over blocks of rows, against the same ops in
 * F64 (per value in double) rounded: rows of lengths that fill a block evenly and not, shorter than a block and one
 * block long, of values spread over +-30 around an offset of 50 (x - max keeps them from overflowing).
 */
class CpuSoftmaxF32Test {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(7);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    /** [rows, c] of N(50, 10) values, F32. */
    private static Tensor rows(int rows, int c) {
        return Tensor.randn(rows, c).mul(10).add(50);
    }

    /**
     * Every element of {@code actual} (F32) within {@code ulps} ulps of {@code reference}'s F64 value rounded to
     * float, or within {@code floor} where the reference is smaller (a probability far below the row's largest).
     */
    private static void assertClose(String what, Tensor reference, Tensor actual, int ulps, double floor) {
        double[] want = reference.toDoubleArray();
        float[] got = actual.toFloatArray();
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double allowed = Math.max(ulps * Math.ulp((float) want[i]), floor);
            assertTrue(Math.abs(got[i] - want[i]) <= allowed, what + " at " + i + ": " + got[i] + " against " + want[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 28, 100, 2047, 2048})
    void softmaxIsTheDoubleOneRounded(int c) {
        Tensor x = rows(300, c);
        assertClose("softmax", F.softmax(x.to(DType.F64), 1), F.softmax(x, 1), 4, 1e-12);
        assertClose("log-softmax", F.logSoftmax(x.to(DType.F64), 1), F.logSoftmax(x, 1), 4, 1e-6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 28, 100, 2048})
    void gradientsAreTheDoubleOnesRounded(int c) {
        Tensor x = rows(70, c);
        Tensor g = Tensor.randn(70, c);
        for (boolean log : new boolean[] {false, true}) {
            UnaryOperator<Tensor> f = t -> log ? F.logSoftmax(t, 1) : F.softmax(t, 1);
            assertClose((log ? "log-softmax" : "softmax") + " gradient", gradient(f, x.to(DType.F64), g.to(DType.F64)),
                    gradient(f, x, g), 8, 1e-6);
        }
    }

    private static Tensor gradient(UnaryOperator<Tensor> f, Tensor x, Tensor g) {
        Tensor leaf = x.detach().requiresGrad(true);
        f.apply(leaf).mul(g).sum().backward();
        return leaf.grad();
    }

    /** Attention's masked scores: -inf beside finite values is a probability of exactly 0, a log-probability -inf. */
    @Test
    void minusInfinityIsProbabilityZero() {
        float inf = Float.POSITIVE_INFINITY;
        Tensor x = Tensor.fromArray(new float[] {1, -inf, 2, -inf, -inf, 0.5f}, 2, 3);
        float[] p = F.softmax(x, 1).toFloatArray();
        assertEquals(0f, p[1]);
        assertEquals(0f, p[3]);
        assertEquals(0f, p[4]);
        assertEquals(1f, p[5]);
        float[] logP = F.logSoftmax(x, 1).toFloatArray();
        assertEquals(-inf, logP[1]);
        assertEquals(0f, logP[5]);
    }
}
