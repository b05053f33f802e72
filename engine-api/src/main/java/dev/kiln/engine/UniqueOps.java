package dev.kiln.engine;

import java.nio.LongBuffer;
import java.util.function.Supplier;

/**
 * PyTorch's {@code unique} (with {@code dim=None}) and {@code unique_consecutive}: the flattened input (sorted, for
 * unique) split into runs of equal elements, a run starting wherever an element differs from the one before it, so
 * that each NaN is a value of its own, as in PyTorch. Where the runs start is read on the host, as the number of values
 * depends on it (PyTorch reads it too); the values are gathered on the input's backend. No gradient (PyTorch has none).
 */
final class UniqueOps {
    private UniqueOps() {
    }

    /** The distinct values, sorted ascending (PyTorch's {@code sorted=True}; its unsorted order is unspecified). */
    static UniqueValues unique(Tensor x, boolean returnInverse, boolean returnCounts) {
        Checks.open("unique", x);
        return untracked(() -> {
            Tensor flat = x.reshape((int) x.size());
            IndexedValues sorted = flat.sort(0, false);
            return runs(sorted.values(), sorted.indices().toLongArray(), x.shape(), returnInverse, returnCounts);
        });
    }

    /** The first of each run of equal consecutive elements (PyTorch's {@code unique_consecutive} with dim=None). */
    static UniqueValues uniqueConsecutive(Tensor x, boolean returnInverse, boolean returnCounts) {
        Checks.open("uniqueConsecutive", x);
        return untracked(() -> runs(x.reshape((int) x.size()), null, x.shape(), returnInverse,
                returnCounts));
    }

    /**
     * The runs of {@code flat}, whose element i came from position {@code origin[i]} of the input (i itself where
     * origin is null).
     */
    private static UniqueValues runs(Tensor flat, long[] origin, Shape shape, boolean returnInverse,
                                     boolean returnCounts) {
        int n = flat.dim(0);
        long[] starts = new long[n];
        long[] inverse = new long[n];
        int k = 0;
        if (n > 0) {
            Tensor differs = flat.narrow(0, 1, n - 1).ne(flat.narrow(0, 0, n - 1));
            double[] changed = differs.toDoubleArray();
            for (int i = 0; i < n; i++) {
                if (i == 0 || changed[i - 1] != 0) {
                    starts[k++] = i;
                }
                inverse[origin == null ? i : (int) origin[i]] = k - 1;
            }
        }
        long[] first = java.util.Arrays.copyOf(starts, k);
        Tensor values = flat.indexSelect(0, longs(flat, first, k));
        Tensor inverseTensor = returnInverse ? longs(flat, inverse, n).reshape(shape.dims()) : null;
        Tensor counts = null;
        if (returnCounts) {
            long[] sizes = new long[k];
            for (int j = 0; j < k; j++) {
                sizes[j] = (j + 1 < k ? first[j + 1] : n) - first[j];
            }
            counts = longs(flat, sizes, k);
        }
        return new UniqueValues(values, inverseTensor, counts);
    }

    /** The result of {@code steps} run with gradients off; every other tensor they make is closed on the way out. */
    private static UniqueValues untracked(Supplier<UniqueValues> steps) {
        try (Scope scope = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
            UniqueValues result = steps.get();
            for (Tensor t : new Tensor[] {result.values(), result.inverse(), result.counts()}) {
                if (t != null) {
                    scope.keep(t);
                }
            }
            return result;
        }
    }

    /** {@code values} as an I64 [length] on {@code like}'s backend. */
    private static Tensor longs(Tensor like, long[] values, int length) {
        Tensor t = like.emptyLike(Shape.of(length), DType.I64);
        if (length > 0) {
            like.backend().copyFromHost(LongBuffer.wrap(values, 0, length), t);
        }
        return t;
    }
}
