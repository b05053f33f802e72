package dev.kiln.engine;

import java.util.List;

/**
 * PyTorch's {@code mode(dim)}: the most frequent value along an axis and an index of it, as PyTorch 1.13's CPU kernel
 * picks them. That kernel sorts each slice and walks the runs of equal values: the first run of the largest count
 * wins (so the smallest of the most frequent values), and its index is that of the run's last element in the sorted
 * order; its sort is an insertion sort on up to 16 elements, which keeps equal values in position order, so the index
 * is the value's last position (beyond 16 elements PyTorch's order among equal values is its sort's; Kiln's stays the
 * last position). Each NaN is a value of its own. Here the runs come from a stable sort, their starts and ends from
 * running maxima and minima of positions, and the winner from one argmax; the value is a gather of the input, whose
 * gradient goes to the index, as PyTorch's. Any dtype; positions are counted in F32, exact up to 2^24 elements.
 */
final class ModeOps {
    private ModeOps() {
    }

    static IndexedValues mode(Tensor x, int axis, boolean keepDim) {
        Checks.open("mode", x);
        int a = Axes.axis("mode", x.shape(), axis);
        if (x.dim(a) == 0) {
            throw new IllegalArgumentException("mode: axis " + axis + " of " + x.shape()
                    + " is empty; expected at least one element");
        }
        Tensor index = Composite.untracked(() -> modeIndex(x, a));
        return SortOps.picked(x, a, index, keepDim);
    }

    /** The mode's position along a, kept as size 1. */
    private static Tensor modeIndex(Tensor x, int a) {
        int n = x.dim(a);
        IndexedValues sorted = x.sort(a, false);
        Tensor values = sorted.values();
        Tensor one = values.narrow(a, 0, 1).to(DType.F32).fullLike(1);
        Tensor differs = n == 1 ? null
                : values.narrow(a, 1, n - 1).ne(values.narrow(a, 0, n - 1)).to(DType.F32);
        Tensor startsRun = differs == null ? one : Tensor.cat(List.of(one, differs), a);
        Tensor endsRun = differs == null ? one : Tensor.cat(List.of(differs, one), a);
        Tensor position = startsRun.fullLike(1).cumsum(a).sub(1);
        Tensor start = Tensor.where(startsRun, position, startsRun.fullLike(0)).cummax(a).values();
        Tensor end = Tensor.where(endsRun, position, endsRun.fullLike(n)).flip(a).cummin(a).values().flip(a);
        Tensor count = Tensor.where(endsRun, end.sub(start).add(1), endsRun.fullLike(0));
        return sorted.indices().gather(a, count.argmax(a, true));
    }
}
