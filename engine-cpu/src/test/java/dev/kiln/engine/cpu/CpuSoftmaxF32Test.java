package dev.kiln.engine.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * F32 softmax and log-softmax, forward and backward, which run in float over blocks of rows (rows longer than a block
 * a piece at a time), against the same ops in F64 (per value in double) rounded: rows of lengths that fill a block
 * evenly and not, shorter than a block, one block long and longer, of values spread over +-30 around an offset of 50
 * (x - max keeps them from overflowing).
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
     * float, or within {@code floor} where the reference is smaller (a probability far below the row's largest); the
     * cross-entropy's test holds its results so too.
     */
    static void assertClose(String what, Tensor reference, Tensor actual, int ulps, double floor) {
        double[] want = reference.toDoubleArray();
        float[] got = actual.toFloatArray();
        assertEquals(want.length, got.length, what);
        for (int i = 0; i < want.length; i++) {
            double allowed = Math.max(ulps * Math.ulp((float) want[i]), floor);
            assertTrue(Math.abs(got[i] - want[i]) <= allowed, what + " at " + i + ": " + got[i] + " against " + want[i]);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 28, 100, 2047, 2048, 2049, 5000})
    void softmaxIsTheDoubleOneRounded(int c) {
        Tensor x = rows(c > 2048 ? 7 : 300, c);
        assertClose("softmax", F.softmax(x.to(DType.F64), 1), F.softmax(x, 1), 4, 1e-12);
        assertClose("log-softmax", F.logSoftmax(x.to(DType.F64), 1), F.logSoftmax(x, 1), 4, 1e-6);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 28, 100, 2048, 2049, 5000})
    void gradientsAreTheDoubleOnesRounded(int c) {
        Tensor x = rows(70, c);
        Tensor g = Tensor.randn(70, c);
        for (boolean log : new boolean[] {false, true}) {
            UnaryOperator<Tensor> f = t -> log ? F.logSoftmax(t, 1) : F.softmax(t, 1);
            assertClose((log ? "log-softmax" : "softmax") + " gradient", gradient(f, x.to(DType.F64), g.to(DType.F64)),
                    gradient(f, x, g), 8, 1e-6);
        }
    }

    /**
     * Rows shorter than, as long as and just past the 16 lanes whose running sums the gradients take
     * ({@link LaneSums}), and lengths that leave a tail, with attention's -inf masks in every row: the masked
     * gradients exactly 0 (softmax, of either sign) and g (log-softmax), the rest within the F64 gradients' rounding.
     */
    @ParameterizedTest
    @ValueSource(ints = {2, 7, 8, 9, 15, 16, 17, 31, 32, 33, 47, 48, 49})
    void gradientsAtLaneEdgesWithMaskedValuesAreTheDoubleOnesRounded(int c) {
        int rows = 50;
        float[] v = rows(rows, c).toFloatArray();
        for (int r = 0; r < rows; r++) {
            v[r * c + (r * 7) % c] = Float.NEGATIVE_INFINITY;
        }
        Tensor x = Tensor.fromArray(v, rows, c);
        Tensor g = Tensor.randn(rows, c);
        for (boolean log : new boolean[] {false, true}) {
            UnaryOperator<Tensor> f = t -> log ? F.logSoftmax(t, 1) : F.softmax(t, 1);
            Tensor got = gradient(f, x, g);
            assertClose((log ? "log-softmax" : "softmax") + " gradient, rows of " + c,
                    gradient(f, x.to(DType.F64), g.to(DType.F64)), got, 8, 1e-6);
            float[] gx = got.toFloatArray();
            float[] gy = g.toFloatArray();
            for (int r = 0; r < rows; r++) {
                int masked = r * c + (r * 7) % c;
                assertEquals(log ? gy[masked] : 0f, gx[masked], 0f, "masked value of row " + r + ", rows of " + c);
            }
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

    /** A long row's NaN, +inf or all -inf makes the whole row NaN, as the short rows' and PyTorch's. */
    @Test
    void aLongRowHoldingNanOrInfinityIsNanThroughout() {
        int c = 4100;
        float[] v = new float[3 * c];
        v[3000] = Float.NaN;
        v[c + 4099] = Float.POSITIVE_INFINITY;
        Arrays.fill(v, 2 * c, 3 * c, Float.NEGATIVE_INFINITY);
        for (boolean log : new boolean[] {false, true}) {
            Tensor x = Tensor.fromArray(v, 3, c);
            float[] p = (log ? F.logSoftmax(x, 1) : F.softmax(x, 1)).toFloatArray();
            for (int i = 0; i < p.length; i++) {
                assertTrue(Float.isNaN(p[i]), (log ? "log-softmax" : "softmax") + " at " + i + ": " + p[i]);
            }
        }
    }

    /** -inf beside finite values in a long row: probability 0, log-probability -inf, the rest as the finite row's. */
    @Test
    void minusInfinityInALongRowIsProbabilityZero() {
        int c = 3000;
        Tensor finite = rows(1, c);
        float[] v = finite.toFloatArray();
        v[2500] = Float.NEGATIVE_INFINITY;
        float[] p = F.softmax(Tensor.fromArray(v, 1, c), 1).toFloatArray();
        float[] logP = F.logSoftmax(Tensor.fromArray(v, 1, c), 1).toFloatArray();
        assertEquals(0f, p[2500]);
        assertEquals(Float.NEGATIVE_INFINITY, logP[2500]);
        double total = 0;
        for (float q : p) {
            total += q;
        }
        assertEquals(1.0, total, 1e-5);
    }
}
