package dev.kiln.engine;

/**
 * PyTorch's {@code nansum} and {@code nanmean}: sums and means over axes that skip NaN, as if each NaN were 0 (the
 * mean divides by the elements that are not NaN: NaN for a slice of NaN only). The sum is recorded as one op whose
 * gradient is the output's gradient spread over the input times 1 where it is not NaN, 0 where it is (NaN where that
 * gradient is infinite, as PyTorch's: a slice of NaN only has NaN mean gradients); the mean divides the sum by the
 * count, a constant. F32 or F64.
 */
final class NanReductionOps {
    private NanReductionOps() {
    }

    /** The sum over {@code axes} (none: all axes) of the elements that are not NaN. */
    static Tensor nansum(Tensor x, int[] axes, boolean keepDim) {
        Checks.open("nansum", x);
        Checks.floating("nansum", x);
        int[] a = axes("nansum", x, axes);
        Shape kept = Axes.kept(x.shape(), a);
        Shape reduced = Axes.reduced(x.shape(), a, keepDim);
        return Composite.op("nansum", x, () -> Axes.sum(withoutNaN(x, x), a).reshape(reduced.dims()),
                (out, g) -> g.reshape(kept.dims()).mul(x.eq(x)));
    }

    /** The mean over {@code axes} (none: all axes) of the elements that are not NaN. */
    static Tensor nanmean(Tensor x, int[] axes, boolean keepDim) {
        Checks.open("nanmean", x);
        Checks.floating("nanmean", x);
        int[] a = axes("nanmean", x, axes);
        Tensor count = Composite.untracked(() -> Axes.sum(x.eq(x), a)
                .reshape(Axes.reduced(x.shape(), a, keepDim).dims()));
        return Tensor.consume(count, x, c -> Tensor.consume(nansum(x, axes, keepDim), x, sum -> sum.div(c)));
    }

    private static int[] axes(String op, Tensor x, int[] axes) {
        return axes.length == 0 ? java.util.stream.IntStream.range(0, x.rank()).toArray()
                : Axes.distinct(op, x.shape(), axes);
    }

    /** {@code t} with 0 where x is NaN. */
    private static Tensor withoutNaN(Tensor x, Tensor t) {
        return Tensor.where(x.isnan(), ElementwiseOps.scalarLike(t, 0), t);
    }
}
