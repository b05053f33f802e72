package dev.kiln.engine;

import java.util.Arrays;

/**
 * Vector norms over axes, as PyTorch's {@code torch.linalg.vector_norm} for p = 1 (the sum of |x|), 2 (the
 * square root of the sum of squares, without rescaling: it overflows where PyTorch's does) and infinity (the
 * largest |x|; NaN wins). Gradients are PyTorch's {@code norm_backward}: {@code sign(x) g} for p = 1;
 * {@code g x / norm}, and 0 where the norm is 0, for p = 2; for infinity, g shared evenly by the elements whose |x|
 * is the norm (or NaN), times their sign.
 */
final class NormOps {
    private NormOps() {
    }

    static Tensor norm(Tensor x, double p, int[] axes, boolean keepDim) {
        Checks.open("norm", x);
        Checks.floating("norm", x);
        checkOrder(x, p);
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
        if (p != 1 && p != 2 && p != Double.POSITIVE_INFINITY) {
            throw new IllegalArgumentException("norm: p must be 1, 2 or Double.POSITIVE_INFINITY, got " + p
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
        return Axes.max(x.abs(), axes);
    }

    private static Tensor gradient(Tensor x, double p, int[] axes, Tensor norm, Tensor g) {
        if (p == 1) {
            return x.sign().mul(g);
        }
        if (p == 2) {
            return g.mul(x.div(norm).maskedFill(norm.eq(0), 0));
        }
        Tensor abs = x.abs();
        Tensor selected = abs.eq(norm).maximum(abs.ne(abs));
        return x.sign().mul(g.div(Axes.sum(selected, axes)).mul(selected));
    }
}
