package dev.kiln.engine;

/**
 * PyTorch's {@code searchsorted} and {@code bucketize}: for each value, how many entries of a sorted sequence come
 * before it, by a binary search run on all values at once, one gather per halving: ceil(log2 n) + 1 rounds over the
 * values, where comparing every value with every entry would take O(values n). Without {@code right} the count is of
 * the entries e with {@code !(e >= v)} (PyTorch's lower bound), with it of those with {@code !(e > v)} (its upper
 * bound): a NaN value counts every entry, as in PyTorch. No gradient (the result is I64).
 */
final class SearchSortedOps {
    private SearchSortedOps() {
    }

    static Tensor searchsorted(Tensor sorted, Tensor values, boolean right) {
        check(sorted, values);
        int n = sorted.dim(sorted.rank() - 1);
        return Composite.untracked(() -> {
            Tensor count = values.emptyLike(values.shape(), DType.I64);
            values.backend().fill(count, 0);
            if (n == 0 || values.size() == 0) {
                return count;
            }
            for (int step = Integer.highestOneBit(n); step >= 1; step >>= 1) {
                Tensor candidate = ElementwiseOps.integerArithmetic(BinaryOp.ADD, count, longScalar(count, step));
                Tensor probe = entries(sorted, ElementwiseOps.integerArithmetic(BinaryOp.SUB, candidate.clampMax(n),
                        longScalar(count, 1)), values.shape());
                Tensor before = (right ? probe.gt(values) : probe.ge(values)).eq(0);
                count = Tensor.where(candidate.le(n), Tensor.where(before, candidate, count), count);
            }
            return count;
        });
    }

    /** {@link #searchsorted} of {@code input} in the 1-D {@code boundaries}. */
    static Tensor bucketize(Tensor input, Tensor boundaries, boolean right) {
        Checks.open("bucketize", input, boundaries);
        if (boundaries.rank() != 1) {
            throw new IllegalArgumentException("bucketize: boundaries must be 1-D, got " + boundaries.shape());
        }
        return searchsorted(boundaries, input, right);
    }

    /** sorted's entries at {@code index} (values' shape): along the last axis, or of the one axis of a 1-D sequence. */
    private static Tensor entries(Tensor sorted, Tensor index, Shape shape) {
        if (sorted.rank() == 1) {
            return sorted.indexSelect(0, index.reshape((int) index.size())).reshape(shape.dims());
        }
        return sorted.gather(sorted.rank() - 1, index);
    }

    private static Tensor longScalar(Tensor like, long value) {
        return ElementwiseOps.scalarLike(like, value);
    }

    /**
     * One backend and dtype; sorted 1-D, or of values' rank with the same leading axes (PyTorch's rule), and not
     * empty along a leading axis.
     */
    private static void check(Tensor sorted, Tensor values) {
        Checks.open("searchsorted", sorted, values);
        Checks.sameBackend("searchsorted", sorted, values);
        if (sorted.dtype() != values.dtype()) {
            throw new IllegalArgumentException("searchsorted: values " + values.shape() + " are " + values.dtype()
                    + ", expected the sorted sequence's dtype " + sorted.dtype() + "; convert them with to(DType)");
        }
        if (sorted.rank() == 0) {
            throw new IllegalArgumentException("searchsorted: the sorted sequence must have at least one axis, got a"
                    + " scalar");
        }
        if (sorted.rank() == 1) {
            return;
        }
        boolean leadingMatch = sorted.rank() == values.rank();
        for (int i = 0; leadingMatch && i < sorted.rank() - 1; i++) {
            leadingMatch = sorted.dim(i) == values.dim(i);
        }
        if (!leadingMatch) {
            throw new IllegalArgumentException("searchsorted: sorted sequence " + sorted.shape() + " and values "
                    + values.shape() + ": expected a 1-D sequence, or values with the sequence's leading axes "
                    + sorted.shape().without(sorted.rank() - 1) + " and any last axis");
        }
    }
}
