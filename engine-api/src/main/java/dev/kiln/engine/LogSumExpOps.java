package dev.kiln.engine;

/**
 * PyTorch's {@code logsumexp} over one axis, {@code log(sum(exp(x)))} computed as {@code m + log(sum(exp(x - m)))}
 * with m the maximum (0 where that is infinite, as PyTorch shifts), so that large values do not overflow: an axis
 * of all -infinity gives -infinity, one holding +infinity gives +infinity, one holding NaN gives NaN, and an empty
 * axis gives -infinity. The gradient is PyTorch's, {@code g * exp(x - result)} (the softmax; NaN where the result is
 * infinite, as there).
 */
final class LogSumExpOps {
    private LogSumExpOps() {
    }

    static Tensor logsumexp(Tensor x, int axis, boolean keepDim) {
        Checks.open("logsumexp", x);
        Checks.floating("logsumexp", x);
        int a = Axes.axis("logsumexp", x.shape(), axis);
        Shape kept = x.shape().with(a, 1);
        Shape reduced = keepDim ? kept : x.shape().without(a);
        return Composite.op("logsumexp", x, () -> shifted(x, a).reshape(reduced.dims()),
                (out, g) -> x.sub(out.reshape(kept.dims())).exp().mul(g.reshape(kept.dims())));
    }

    /** The log-sum-exp over {@code axis}, kept as size 1. */
    private static Tensor shifted(Tensor x, int axis) {
        if (x.dim(axis) == 0) {
            Tensor empty = x.emptyLike(x.shape().with(axis, 1), x.dtype());
            x.backend().fill(empty, Double.NEGATIVE_INFINITY);
            return empty;
        }
        Tensor max = x.max(axis, true);
        Tensor shift = max.maskedFill(max.abs().eq(Double.POSITIVE_INFINITY), 0);
        return x.sub(shift).exp().sum(axis, true).log().add(shift);
    }
}
