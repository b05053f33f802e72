package dev.kiln.engine;

/**
 * PyTorch's {@code renorm}: each slice along an axis whose p-norm exceeds maxnorm scaled by
 * {@code maxnorm / (norm + 1e-7)}, the others kept, composed of Tensor ops ({@link Tensor#norm}, a where and a
 * product), so its gradient is PyTorch's {@code renorm_backward} and differentiable again.
 */
final class RenormOps {
    /** PyTorch's guard against dividing by a norm of 0 (which never exceeds maxnorm >= 0 anyway). */
    private static final double EPSILON = 1e-7;

    private RenormOps() {
    }

    static Tensor renorm(Tensor x, double p, int axis, double maxnorm) {
        String op = "renorm";
        Checks.open(op, x);
        Checks.floating(op, x);
        if (!(p > 0)) {
            throw new IllegalArgumentException("renorm: p must be positive (or Double.POSITIVE_INFINITY), got " + p);
        }
        if (!(maxnorm >= 0)) {
            throw new IllegalArgumentException("renorm: maxnorm must be >= 0, got " + maxnorm);
        }
        if (x.rank() < 2) {
            throw new IllegalArgumentException("renorm: input needs at least 2 dimensions, got " + x.shape());
        }
        int a = Axes.axis(op, x.shape(), axis);
        int[] others = new int[x.rank() - 1];
        for (int i = 0, k = 0; i < x.rank(); i++) {
            if (i != a) {
                others[k++] = i;
            }
        }
        return Composite.composed(() -> {
            Tensor norm = x.norm(p, others, true);
            Tensor factor = Tensor.where(norm.gt(maxnorm), norm.add(EPSILON).reciprocal().mul(maxnorm),
                    norm.fullLike(1));
            return x.mul(factor);
        }, x);
    }
}
