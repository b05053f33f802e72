package dev.kiln.engine;

/**
 * Tests for NaN and infinities, giving 1 where true and 0 where false as the comparisons do (same dtype, no
 * gradient), and {@code nanToNum}, which replaces them.
 */
final class NonFiniteOps {
    private NonFiniteOps() {
    }

    /** 1 where x is NaN (x != x); 0 everywhere for an integer tensor. */
    static Tensor isnan(Tensor x) {
        return Composite.untracked(() -> ElementwiseOps.binary(BinaryOp.NE, x, x));
    }

    /** 1 where x is +-infinity; 0 everywhere for an integer tensor. */
    static Tensor isinf(Tensor x) {
        if (!x.dtype().isFloating()) {
            return isnan(x);
        }
        return Composite.untracked(() -> x.abs().eq(Double.POSITIVE_INFINITY));
    }

    /** 1 where x is neither NaN nor infinite; 1 everywhere for an integer tensor. */
    static Tensor isfinite(Tensor x) {
        if (!x.dtype().isFloating()) {
            return Composite.untracked(() -> ElementwiseOps.binary(BinaryOp.EQ, x, x));
        }
        // |NaN| < inf is false, as is inf < inf.
        return Composite.untracked(() -> x.abs().lt(Double.POSITIVE_INFINITY));
    }

    /**
     * x with NaN replaced by {@code nan}, +infinity by {@code posinf} and -infinity by {@code neginf}; the gradient
     * passes where x is finite and is 0 where a value was replaced, as PyTorch's nan_to_num.
     */
    static Tensor nanToNum(Tensor x, double nan, double posinf, double neginf) {
        Checks.open("nanToNum", x);
        Checks.floating("nanToNum", x);
        return Composite.op("nanToNum", x, () -> {
            Tensor noNan = x.maskedFill(isnan(x), nan);
            Tensor noPositive = noNan.maskedFill(noNan.eq(Double.POSITIVE_INFINITY), posinf);
            return noPositive.maskedFill(noPositive.eq(Double.NEGATIVE_INFINITY), neginf);
        }, (out, g) -> g.mul(isfinite(x)));
    }

    /** The largest finite value of x's floating dtype, nanToNum's default for +infinity. */
    static double largestFinite(Tensor x) {
        return x.dtype() == DType.F32 ? Float.MAX_VALUE : Double.MAX_VALUE;
    }
}
