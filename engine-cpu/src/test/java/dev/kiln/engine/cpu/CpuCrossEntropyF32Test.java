package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.CpuSoftmaxF32Test.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fused F32 softmax cross-entropy, which runs in float over blocks of rows (rows longer than a block a piece at a
 * time), against the same op in F64 (per value in double) rounded: the rows' losses, and the logits' gradient under
 * the mean (one shared loss gradient) and under a weighted sum (one a row).
 */
class CpuCrossEntropyF32Test {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor targets(int rows, int c) {
        long[] t = new long[rows];
        for (int r = 0; r < rows; r++) {
            t[r] = (r * 7919L) % c;
        }
        return Tensor.fromArray(t, rows);
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 3, 10, 100, 2047, 2048, 2049, 5000})
    void lossesAreTheDoubleOnesRounded(int c) {
        int rows = c > 2048 ? 9 : 200;
        Tensor x = Tensor.randn(rows, c).mul(10).add(50);
        Tensor t = targets(rows, c);
        assertClose("losses", F.crossEntropy(x.to(DType.F64), t, Reduction.NONE), F.crossEntropy(x, t, Reduction.NONE),
                4, 1e-6);
    }

    /**
     * The target's entry p - 1 cancels where p is near 1, so it is held to a few ulps of 1 (p's own rounding) times
     * the loss gradient, as PyTorch's float gradient is; the other entries to 8 ulps.
     */
    @ParameterizedTest
    @ValueSource(ints = {1, 10, 2048, 2049, 5000})
    void gradientsAreTheDoubleOnesRounded(int c) {
        int rows = c > 2048 ? 5 : 60;
        Tensor x = Tensor.randn(rows, c).mul(3);
        Tensor t = targets(rows, c);
        Tensor w = Tensor.randn(rows);
        assertClose("gradient of the mean", meanGradient(x.to(DType.F64), t), meanGradient(x, t), 8,
                4 * Math.ulp(1f) / rows);
        assertClose("gradient of a weighted sum", weightedGradient(x.to(DType.F64), t, w.to(DType.F64)),
                weightedGradient(x, t, w), 8, 4 * Math.ulp(1f) * w.abs().max().item());
    }

    private static Tensor meanGradient(Tensor x, Tensor t) {
        Tensor leaf = x.detach().requiresGrad(true);
        F.crossEntropy(leaf, t).backward();
        return leaf.grad();
    }

    private static Tensor weightedGradient(Tensor x, Tensor t, Tensor w) {
        Tensor leaf = x.detach().requiresGrad(true);
        F.crossEntropy(leaf, t, Reduction.NONE).mul(w).sum().backward();
        return leaf.grad();
    }

    /**
     * A row holding NaN or +inf, or all -inf, loses NaN; a target of -inf beside finite logits loses +inf; as the F64
     * op's (and PyTorch's).
     */
    @ParameterizedTest
    @ValueSource(ints = {4, 3000})
    void nanAndInfiniteLogitsLoseAsTheDoubleOp(int c) {
        float[] v = new float[4 * c];
        v[1] = Float.NaN;
        v[c + c - 1] = Float.POSITIVE_INFINITY;
        for (int j = 2 * c; j < 3 * c; j++) {
            v[j] = Float.NEGATIVE_INFINITY;
        }
        v[3 * c] = Float.NEGATIVE_INFINITY;
        Tensor x = Tensor.fromArray(v, 4, c);
        Tensor t = Tensor.fromArray(new long[] {0, 0, 0, 0}, 4);
        float[] losses = F.crossEntropy(x, t, Reduction.NONE).toFloatArray();
        double[] reference = F.crossEntropy(x.to(DType.F64), t, Reduction.NONE).toDoubleArray();
        assertTrue(Float.isNaN(losses[0]) && Float.isNaN(losses[1]) && Float.isNaN(losses[2]),
                "NaN, +inf and all -inf rows: " + losses[0] + ", " + losses[1] + ", " + losses[2]);
        assertEquals(Float.POSITIVE_INFINITY, losses[3]);
        for (int r = 0; r < 4; r++) {
            assertEquals(reference[r], losses[r], 0, "row " + r);
        }
    }
}
