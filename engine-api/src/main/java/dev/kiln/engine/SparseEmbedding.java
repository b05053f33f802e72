package dev.kiln.engine;

import java.util.Arrays;
import java.util.List;

/**
 * The embedding lookup whose weight gradient is sparse, PyTorch's {@code F.embedding(..., sparse=True)}: the rows are
 * looked up into a leaf of their own, and a backward pass that fills {@code grad()} hands that leaf's gradient to the
 * weight's {@link Tensor#sparseGrad()}, one row entry per row looked up ({@link SparseRows}), coalesced: a row looked
 * up several times holds the sum of its lookups' gradients once (PyTorch's entry per lookup sums to the same), and the
 * padding row is left out. The weight never gets a dense gradient [rows, dim] from it, so a step costs the rows looked
 * up, not the table.
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
        if (!weight.isLeaf()) {
            throw new IllegalArgumentException("sparseEmbedding: weight " + weight.shape() + " was made by "
                    + weight.gradFnName() + "; a sparse gradient is kept by a leaf (a parameter)");
        }
        Tensor rows;
        try (Autograd.Guard g = Autograd.noGrad()) {
            rows = IndexOps.embedding(indices, weight, paddingIdx);
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

    /**
     * The weight's gradient from the rows' gradient {@code g} [...indices, dim]: the rows looked up, sorted, each
     * once with its lookups' gradients summed in lookup order (so that an optimizer's coalesce has nothing left to
     * do), padding lookups left out.
     */
    private static SparseRows gradient(Tensor g, long[] looked, Tensor weight, int paddingIdx) {
        int dim = weight.dim(1);
        long[] rowsLooked = sortedDistinct(looked, paddingIdx);
        int count = rowsLooked.length;
        // Each lookup's place among the rows; padding lookups go to one more place, which is then dropped.
        long[] place = new long[looked.length];
        for (int j = 0; j < looked.length; j++) {
            place[j] = looked[j] == paddingIdx ? count : Arrays.binarySearch(rowsLooked, looked[j]);
        }
        Backend be = weight.backend();
        Tensor rowIndex = onBackend(Tensor.fromArray(rowsLooked, count), be);
        // Summed in place by the backend: the gradient's values take no part in any graph.
        boolean padded = Arrays.stream(looked).anyMatch(i -> i == paddingIdx);
        Tensor summed = Tensor.empty(Shape.of(count + (padded ? 1 : 0), dim), g.dtype(), be);
        try (Tensor places = onBackend(Tensor.fromArray(place, place.length), be);
             Tensor rowsGrad = g.view(0, Shape.of(looked.length, dim))) {
            be.fill(summed, 0);
            be.indexAdd(summed, 0, places, rowsGrad);
        }
        Tensor values = summed;
        if (padded) {
            values = summed.narrow(0, 0, count).copy();
            summed.close();
        }
        return SparseRows.assembled(rowIndex, values, weight.dim(0), true, List.of(rowIndex, values));
    }

    /**
     * The rows looked up, sorted, each once, without {@code paddingIdx}: sorted in place and deduplicated, where a
     * stream's distinct boxed each index into a HashSet (a third of a sparse SGD step of 512 lookups).
     */
    private static long[] sortedDistinct(long[] looked, int paddingIdx) {
        long[] rows = looked.clone();
        Arrays.sort(rows);
        int count = 0;
        for (int j = 0; j < rows.length; j++) {
            boolean repeat = count > 0 && rows[count - 1] == rows[j];
            if (!repeat && rows[j] != paddingIdx) {
                rows[count++] = rows[j];
            }
        }
        return Arrays.copyOf(rows, count);
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
