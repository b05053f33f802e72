package dev.kiln.engine;

/**
 * PyTorch's {@code logcumsumexp} along one axis, {@code log(cumsum(exp(x)))} without overflow: {@link CumsumOps}'s
 * scan with each round's sums taken by logaddexp ({@code max + log1p(exp(-|a - b|))}, the same infinity where both
 * are), whose identity -infinity is shifted in. The gradient is PyTorch's {@code logcumsumexp_backward}: the positive
 * and negative parts of g, as logarithms, run through the same scan from the end.
 */
final class LogCumSumExpOps {
    private LogCumSumExpOps() {
    }

    static Tensor logcumsumexp(Tensor x, int axis) {
        Checks.open("logcumsumexp", x);
        Checks.floating("logcumsumexp", x);
        int a = Axes.axis("logcumsumexp", x.shape(), axis);
        return Composite.op("logcumsumexp", x,
                () -> CumsumOps.scan(x, a, false, Double.NEGATIVE_INFINITY, PointwiseMathOps::logaddexpOf),
                (out, g) -> {
                    double lowest = x.dtype() == DType.F32 ? -Float.MAX_VALUE : -Double.MAX_VALUE;
                    Tensor floor = ElementwiseOps.scalarLike(g, lowest);
                    Tensor logPositive = Tensor.where(g.gt(0), g.log(), floor);
                    Tensor logNegative = Tensor.where(g.lt(0), g.neg().log(), floor);
                    Tensor positive = fromEnd(logPositive.sub(out), a).add(x).exp();
                    Tensor negative = fromEnd(logNegative.sub(out), a).add(x).exp();
                    return positive.sub(negative);
                });
    }

    /** logcumsumexp from the end of {@code axis}. */
    private static Tensor fromEnd(Tensor t, int axis) {
        return t.flip(axis).logcumsumexp(axis).flip(axis);
    }
}
