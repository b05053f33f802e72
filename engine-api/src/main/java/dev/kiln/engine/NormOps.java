package dev.kiln.engine;

import java.util.Arrays;

/**
 * Vector norms over axes, as PyTorch's {@code torch.linalg.vector_norm} for p = 1 (the sum of |x|), 2 (the
 * square root of the sum of squares, without rescaling: it overflows where PyTorch's does), infinity (the
 * largest |x|; NaN wins) and any other p &gt; 0 ({@code (sum |x|^p)^(1/p)}, likewise without rescaling). Gradients
 * are PyTorch's {@code norm_backward}: {@code sign(x) g} for p = 1; {@code g x / norm}, and 0 where the norm is 0,
 * for p = 2; for infinity, g shared evenly by the elements whose |x| is the norm (or NaN), times their sign; for
 * other p, {@code g sign(x) |x|^(p-1) / norm^(p-1)}, 0 where the norm is 0 and, for p &lt; 1, where x is 0.
 */
final class NormOps {
    private NormOps() {
    }

    static Tensor norm(Tensor x, double p, int[] axes, boolean keepDim) {
        Checks.open("norm", x);
        Checks.floating("norm", x);
        checkOrder(x, p);
        return anyOrder(x, p, axes, keepDim);
    }

    /**
     * {@link #norm} for any order but 0, as {@code linalg.vector_norm} takes it: also -infinity (the smallest |x|,
     * its gradient as infinity's) and negative p ({@code (sum |x|^p)^(1/p)}, 0 with a zero gradient where an element
     * is 0, as PyTorch's).
     */
    static Tensor anyOrder(Tensor x, double p, int[] axes, boolean keepDim) {
        int[] a = Axes.of("norm", x.shape(), axes);
        if (p == Double.POSITIVE_INFINITY && Axes.count(x.shape(), a) == 0) {
            throw new IllegalArgumentException("norm: the infinity norm over axes " + Arrays.toString(axes) + " of "
                    + x.shape() + " has no elements to take the largest of");
        }
        Shape kept = Axes.kept(x.shape(), a);
        Shape reduced = Axes.reduced(x.shape(), a, keepDim);
        return Composite.op("norm", x, () -> norm(x, p, a).reshape(reduced.dims()),
                (out, g) -> gradient(x, p, a, out.reshape(kept.dims()), g.reshape(kept.dims())));
    }

    static Tensor normAll(Tensor x, double p) {
        return Tensor.consume(x.reshape(-1), x, flat -> norm(flat, p, new int[] {0}, false));
    }

    private static void checkOrder(Tensor x, double p) {
        if (!(p > 0)) {
            throw new IllegalArgumentException("norm: p must be positive (or Double.POSITIVE_INFINITY), got " + p
                    + " for tensor " + x.shape());
        }
    }

    /** The norm over {@code axes}, kept as size 1. */
    private static Tensor norm(Tensor x, double p, int[] axes) {
        if (p == 1) {
            return Axes.sum(x.abs(), axes);
        }
        if (p == 2) {
            return Axes.sum(x.square(), axes).sqrt();
        }
        if (p == Double.POSITIVE_INFINITY) {
            return Axes.max(x.abs(), axes);
        }
        if (p == Double.NEGATIVE_INFINITY) {
            return x.abs().amin(axes, true);
        }
        return Axes.sum(x.abs().pow(p), axes).pow(1 / p);
    }

    private static Tensor gradient(Tensor x, double p, int[] axes, Tensor norm, Tensor g) {
        if (p == 1) {
            return x.sign().mul(g);
        }
        if (p == 2) {
            return g.mul(x.div(norm).maskedFill(norm.eq(0), 0));
        }
        if (Double.isInfinite(p)) {
            Tensor abs = x.abs();
            Tensor selected = abs.eq(norm).maximum(abs.ne(abs));
            return x.sign().mul(g.div(Axes.sum(selected, axes)).mul(selected));
        }
        // |x|^(p-1) is infinite at x = 0 for p < 1, where PyTorch takes the gradient as 0; elsewhere it is 0 there.
        // For p < 0 a zero element makes the norm 0, and every element's gradient 0.
        Tensor scaled = x.sign().mul(x.abs().pow(p - 1)).maskedFill(x.eq(0), 0);
        return scaled.mul(g.div(norm.pow(p - 1)).maskedFill(norm.eq(0), 0));
    }
}
