package dev.kiln.engine;

/**
 * PyTorch's {@code count_nonzero}, {@code any} and {@code all}: the non-zeros (NaN included) of each slice counted in
 * F64, exact to 2^53 elements, by a comparison and sums; any and all compare that count, and give 1 or 0 in the input's
 * dtype, as Kiln's comparisons do (PyTorch gives bool). An empty slice holds no non-zero: any 0, all 1. No gradient.
 */
final class LogicalReductionOps {
    private LogicalReductionOps() {
    }

    /** The non-zeros over {@code axes} (none: all axes), as I64 without those axes. */
    static Tensor countNonzero(Tensor x, int[] axes) {
        Checks.open("countNonzero", x);
        int[] a = axes.length == 0 ? all(x) : Axes.distinct("countNonzero", x.shape(), axes);
        return Composite.untracked(() -> counted(x, BinaryOp.NE, a, false).to(DType.I64));
    }

    /** 1 where some element over {@code axes} (none: all axes) is non-zero, else 0, in x's dtype. */
    static Tensor any(Tensor x, int[] axes, boolean keepDim) {
        Checks.open("any", x);
        int[] a = axes.length == 0 ? all(x) : Axes.distinct("any", x.shape(), axes);
        return Composite.untracked(() -> counted(x, BinaryOp.NE, a, keepDim).gt(0).to(x.dtype()));
    }

    /** 1 where every element over {@code axes} (none: all axes) is non-zero, else 0, in x's dtype. */
    static Tensor all(Tensor x, int[] axes, boolean keepDim) {
        Checks.open("all", x);
        int[] a = axes.length == 0 ? all(x) : Axes.distinct("all", x.shape(), axes);
        return Composite.untracked(() -> counted(x, BinaryOp.EQ, a, keepDim).eq(0).to(x.dtype()));
    }

    private static int[] all(Tensor x) {
        return java.util.stream.IntStream.range(0, x.rank()).toArray();
    }

    /** How many elements over {@code axes} compare with 0 as {@code comparison} says, in F64. */
    private static Tensor counted(Tensor x, BinaryOp comparison, int[] axes, boolean keepDim) {
        Tensor hits = ElementwiseOps.compareScalar(comparison, x, 0).to(DType.F64);
        return Axes.sum(hits, axes).reshape(Axes.reduced(x.shape(), axes, keepDim).dims());
    }
}
