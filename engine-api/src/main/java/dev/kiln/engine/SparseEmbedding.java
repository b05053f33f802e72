package dev.kiln.engine;

import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The embedding lookup whose weight gradient is sparse, PyTorch's {@code F.embedding(..., sparse=True)}: the rows are
 * looked up into a leaf of their own, and a backward pass that fills {@code grad()} hands that leaf's gradient to the
 * weight's {@link Tensor#sparseGrad()}, one entry per element of each looked-up row (PyTorch's rows, spelt out per
 * column, as {@link SparseCoo} keeps single elements), the padding row's left out. The weight never gets a dense
 * gradient [rows, dim] from it, so a step costs the rows looked up, not the table.
 */
final class SparseEmbedding {
    private SparseEmbedding() {
    }

    /**
     * Rows {@code indices} of {@code weight} [rows, dim], shaped [...indices, dim]; a weight that needs no gradient
     * here (gradients off, or not required) is looked up as {@link IndexOps#embedding} does. The indices are read on
     * the host, once, here: the positions of the gradient depend on them.
     */
    static Tensor lookup(Tensor indices, Tensor weight, int paddingIdx) {
        if (!weight.requiresGrad() || !Autograd.isEnabled()) {
            return IndexOps.embedding(indices, weight, paddingIdx);
        }
        Tensor rows;
        try (Autograd.Guard g = Autograd.noGrad()) {
            rows = IndexOps.embedding(indices, weight, paddingIdx);
        }
        if (!weight.isLeaf()) {
            throw new IllegalArgumentException("sparseEmbedding: weight " + weight.shape() + " was made by "
                    + weight.gradFnName() + "; a sparse gradient is kept by a leaf (a parameter)");
        }
        long[] looked = indices.toLongArray();
        rows.requiresGrad(true);
        // Only passes that fill grad() run it: Autograd.grad leaves every gradient store alone.
        rows.registerAccumulateGradHook(g -> {
            weight.accumulateSparseGrad(Scope.outside(() -> gradient(g, looked, weight, paddingIdx)));
            return null;
        });
        return rows;
    }

    /** The weight's gradient from the rows' gradient {@code g} [...indices, dim], padding entries left out. */
    private static SparseCoo gradient(Tensor g, long[] looked, Tensor weight, int paddingIdx) {
        int dim = weight.dim(1);
        int[] kept = IntStream.range(0, looked.length).filter(j -> looked[j] != paddingIdx).toArray();
        long[] rowOf = new long[kept.length * dim];
        long[] colOf = new long[kept.length * dim];
        for (int k = 0; k < kept.length; k++) {
            for (int c = 0; c < dim; c++) {
                rowOf[k * dim + c] = looked[kept[k]];
                colOf[k * dim + c] = c;
            }
        }
        Backend be = weight.backend();
        Tensor rowIndex = onBackend(Tensor.fromArray(rowOf, rowOf.length), be);
        Tensor colIndex = onBackend(Tensor.fromArray(colOf, colOf.length), be);
        Tensor values;
        if (kept.length == looked.length) {
            try (Tensor flat = g.view(0, Shape.of(looked.length * dim))) {
                values = flat.copy();
            }
        } else {
            try (Tensor rowsGrad = g.view(0, Shape.of(looked.length, dim)); Tensor picked = selected(rowsGrad, kept)) {
                values = picked.view(0, Shape.of(kept.length * dim));
            }
        }
        return SparseCoo.assembled(rowIndex, colIndex, values, weight.dim(0), dim, false,
                List.of(rowIndex, colIndex, values));
    }

    private static Tensor selected(Tensor rowsGrad, int[] kept) {
        try (Tensor positions = onBackend(Tensor.fromArray(Arrays.stream(kept).asLongStream().toArray(),
                kept.length), rowsGrad.backend())) {
            return rowsGrad.indexSelect(0, positions);
        }
    }

    /** {@code t} on {@code be}, closing {@code t} when it had to be copied there. */
    private static Tensor onBackend(Tensor t, Backend be) {
        Tensor moved = t.to(be);
        if (moved != t) {
            t.close();
        }
        return moved;
    }
}
