package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Updates;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link F#sparseEmbedding}, whose weight gradient lands in {@link Tensor#sparseGrad()}: against central finite
 * differences in F64 and the dense lookup's gradient (repeated indices and a padding row included), its entries, its
 * accumulation and release, and the sparse updates {@link Updates#addSparse} and {@link SparseRows#valuesIn}.
 * PyTorch's optimizer steps on it are {@code SparseEmbeddingPyTorchTest}'s (models).
 */
class SparseEmbeddingTest {
    /** Indices [2, 3] into a [5, 2] table: row 1 three times, the padding row 3 once. */
    private static final long[] INDICES = {1, 3, 1, 4, 0, 1};
    private static final int PADDING = 3;

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static Tensor weight() {
        double[] w = new double[10];
        for (int i = 0; i < w.length; i++) {
            w[i] = Math.sin(1.0 + i);
        }
        return Tensor.fromArray(w, 5, 2).requiresGrad(true);
    }

    private static Tensor indices() {
        return Tensor.fromArray(INDICES, 2, 3);
    }

    /** A loss whose gradient depends on the rows looked up: sum((y - cos(0.5 k))^2 * k). */
    private static Tensor loss(Tensor y) {
        double[] target = new double[(int) y.size()];
        double[] scale = new double[target.length];
        for (int k = 0; k < target.length; k++) {
            target[k] = Math.cos(0.5 * k);
            scale[k] = k + 1;
        }
        int[] dims = y.shape().dims();
        return y.sub(Tensor.fromArray(target, dims)).square().mul(Tensor.fromArray(scale, dims)).sum();
    }

    @Test
    void gradientMatchesFiniteDifferencesAndTheDenseLookup() {
        Tensor w = weight();
        loss(F.sparseEmbedding(indices(), w, PADDING)).backward();
        assertNull(w.grad(), "no dense gradient");
        double[] sparse = w.sparseGrad().toDense().toDoubleArray();

        double[] values = w.toDoubleArray();
        double h = 1e-6;
        for (int i = 0; i < values.length; i++) {
            double expected = i / 2 == PADDING ? 0 : (lossAt(values, i, h) - lossAt(values, i, -h)) / (2 * h);
            assertEquals(expected, sparse[i], 1e-7, "element " + i);
        }
        Tensor dense = weight();
        loss(F.embedding(indices(), dense, PADDING)).backward();
        assertArrayEquals(dense.grad().toDoubleArray(), sparse, 1e-15);
    }

    private static double lossAt(double[] values, int i, double delta) {
        double[] moved = values.clone();
        moved[i] += delta;
        try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            return loss(F.embedding(indices(), Tensor.fromArray(moved, 5, 2))).item();
        }
    }

    @Test
    void entriesAreTheLookedUpRowsSummedWithoutPadding() {
        Tensor w = weight();
        F.sparseEmbedding(indices(), w, PADDING).sum().backward();
        SparseRows g = w.sparseGrad();
        assertEquals(3, g.nnz(), "rows 0, 1 and 4, one entry each; not the padding row");
        assertEquals(1, g.sparseDim());
        assertEquals(1, g.denseDim());
        assertTrue(g.isCoalesced(), "each row once, its lookups summed");
        assertArrayEquals(new long[] {0, 1, 4}, g.indices().toLongArray());
        assertEquals(List.of(1, 3), List.of(g.indices().dim(0), g.indices().dim(1)));
        assertArrayEquals(new double[] {1, 1, 3, 3, 1, 1}, g.values().toDoubleArray(), 0);
        assertEquals(List.of(3, 2), List.of(g.values().dim(0), g.values().dim(1)));
        assertArrayEquals(new double[] {1, 1, 3, 3, 0, 0, 0, 0, 1, 1}, g.toDense().toDoubleArray(), 0);
    }

    /** PyTorch 1.13: after {@code grad.zero_()} a sparse gradient is still there, with no entries, coalesced. */
    @Test
    void passesAccumulateUntilZeroGradEmptiesItOrClearGradForgetsIt() {
        Tensor w = weight();
        F.sparseEmbedding(indices(), w).sum().backward();
        F.sparseEmbedding(indices(), w).sum().backward();
        assertEquals(2 * 4, w.sparseGrad().nnz(), "the second pass's rows appended");
        assertFalse(w.sparseGrad().isCoalesced());
        assertArrayEquals(new double[] {2, 2, 6, 6, 0, 0, 2, 2, 2, 2}, w.sparseGrad().toDense().toDoubleArray(), 0);
        w.zeroGrad();
        assertEquals(0, w.sparseGrad().nnz());
        assertTrue(w.sparseGrad().isCoalesced());
        assertArrayEquals(new double[10], w.sparseGrad().toDense().toDoubleArray(), 0);
        F.sparseEmbedding(indices(), w).sum().backward();
        assertEquals(4, w.sparseGrad().nnz(), "an empty gradient plus a pass is the pass");
        assertArrayEquals(new double[] {1, 1, 3, 3, 0, 0, 1, 1, 1, 1}, w.sparseGrad().toDense().toDoubleArray(), 0);
        w.clearGrad();
        assertNull(w.sparseGrad());
    }

    @Test
    void autogradGradLeavesTheSparseGradientAlone() {
        Tensor w = weight();
        Tensor scale = Tensor.fromArray(new double[] {2.0}, 1).requiresGrad(true);
        Tensor y = F.sparseEmbedding(indices(), w).mul(scale).sum();
        List<Tensor> grads = Autograd.grad(y, List.of(scale));
        assertEquals(weightLookedUpSum(), grads.get(0).item(), 1e-12);
        assertNull(w.sparseGrad(), "only a pass that fills grad() fills it");
    }

    private static double weightLookedUpSum() {
        try (Autograd.Guard g = Autograd.noGrad()) {
            return F.embedding(indices(), weight()).sum().item();
        }
    }

    @Test
    void withoutGradientsItIsThePlainLookup() {
        Tensor w = weight();
        Tensor y;
        try (Autograd.Guard g = Autograd.noGrad()) {
            y = F.sparseEmbedding(indices(), w);
        }
        assertFalse(y.requiresGrad());
        assertArrayEquals(F.embedding(indices(), w.detach()).toDoubleArray(), y.toDoubleArray(), 0);
    }

    @Test
    void refusesAWeightMadeByAnOpAndANegativePaddingIndex() {
        Tensor made = weight().mul(2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> F.sparseEmbedding(indices(), made));
        assertTrue(e.getMessage().contains("leaf"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> F.sparseEmbedding(indices(), weight(), -1));
    }

    @Test
    void addSparseAndValuesInTouchOnlyTheRowsOfARowSparseUpdate() {
        Tensor dense = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 3, 2);
        SparseRows delta = SparseRows.of(Tensor.fromArray(new long[] {2, 0, 2}, 1, 3),
                Tensor.fromArray(new double[] {10, 20, 30, 40, 50, 60}, 3, 2), 3);
        assertArrayEquals(new double[] {5, 6, 1, 2, 5, 6}, delta.valuesIn(dense).toDoubleArray(), 0);
        Updates.addSparse(dense, delta, -0.5);
        assertArrayEquals(new double[] {-14, -18, 3, 4, -25, -34}, dense.toDoubleArray(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Updates.addSparse(Tensor.zeros(DType.F64, 2, 3), delta, 1));
        assertTrue(e.getMessage().contains("[2, 3]") && e.getMessage().contains("[3, 2]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> delta.valuesIn(Tensor.zeros(DType.F64, 3, 3)));
    }

    @Test
    void addSparseAndValuesInTouchOnlyTheEntries() {
        Tensor dense = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        SparseCoo delta = SparseCoo.of(Tensor.fromArray(new long[] {1, 0, 1, 2, 0, 2}, 2, 3),
                Tensor.fromArray(new double[] {10, 20, 30}, 3), 2, 3);
        assertArrayEquals(new double[] {6, 1, 6}, delta.valuesIn(dense).toDoubleArray(), 0);
        Updates.addSparse(dense, delta, -0.5);
        assertArrayEquals(new double[] {-9, 2, 3, 4, 5, -14}, dense.toDoubleArray(), 0);
        SparseCoo doubled = delta.withValues(delta.values().mul(2));
        assertArrayEquals(new double[] {20, 40, 60}, doubled.values().toDoubleArray(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Updates.addSparse(Tensor.zeros(DType.F64, 3, 2), delta, 1));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> delta.withValues(Tensor.fromArray(new double[] {1}, 1)));
    }
}
