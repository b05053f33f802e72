package dev.kiln.engine;

/**
 * PyTorch's {@code nanmedian}: the lower median of the elements that are not NaN, the {@code ceil(k / 2)}-th smallest
 * of k, NaN where a slice holds nothing else. Along an axis it is an index (found on sorted values, NaN last, ties in
 * position order) and a gather of it, whose gradient goes to that element, as PyTorch's; over all elements the
 * gradient is shared evenly by the elements equal to the median (the NaNs, where it is NaN), as PyTorch's
 * {@code evenly_distribute_backward}. F32 or F64.
 */
final class NanMedianOps {
    private NanMedianOps() {
    }

    static IndexedValues nanmedian(Tensor x, int axis, boolean keepDim) {
        Checks.open("nanmedian", x);
        Checks.floating("nanmedian", x);
        int a = Axes.axis("nanmedian", x.shape(), axis);
        if (x.dim(a) == 0) {
            throw new IllegalArgumentException("nanmedian: axis " + axis + " of " + x.shape()
                    + " is empty; expected at least one element");
        }
        Tensor index = Composite.untracked(() -> medianIndex(x, a));
        return SortOps.picked(x, a, index, keepDim);
    }

    /** The median of all elements, a scalar. */
    static Tensor nanmedianAll(Tensor x) {
        Checks.open("nanmedian", x);
        Checks.floating("nanmedian", x);
        if (x.size() == 0) {
            throw new IllegalArgumentException("nanmedian: the input " + x.shape() + " is empty");
        }
        return Composite.op("nanmedian", x, () -> {
            Tensor flat = x.reshape(-1);
            return flat.gather(0, medianIndex(flat, 0)).reshape();
        }, (out, g) -> {
            Tensor median = out.detach();
            Tensor selected = x.eq(median).maximum(x.isnan().mul(median.isnan()));
            return selected.mul(g.div(selected.sum()));
        });
    }

    /** The lower median's position along a, kept as size 1: the (k - 1) / 2-th of the sorted values not NaN. */
    private static Tensor medianIndex(Tensor x, int a) {
        IndexedValues sorted = x.sort(a, false);
        Tensor numbers = x.isnan().sum(a, true).neg().add(x.dim(a));
        Tensor position = numbers.sub(1).div(2).floor().clampMin(0).to(DType.I64);
        return sorted.indices().gather(a, position);
    }
}
