package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.distributions.Finfo;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The stick-breaking bijection from vectors of reals [..., K - 1] to probability vectors [..., K], as PyTorch's
 * {@code StickBreakingTransform}: z_k = sigmoid(x_k - log(K - 1 - k)) breaks off that fraction of the stick left, so
 * y_k = z_k prod_{j<k} (1 - z_j) and y_{K-1} is what remains; the shift makes x = 0 the uniform vector. The sigmoid is
 * clamped to [tiny, 1 - eps] of the dtype and the inverse's remaining stick to at least tiny, as PyTorch's.
 * <pre>
 * log |det dy[:-1]/dx| = sum_k (-u_k + log sigmoid(u_k) + log y_k),  u_k = x_k - log(K - 1 - k)
 * </pre>
 * {@link dev.kiln.distributions.LogisticNormal} is a Normal pushed through it.
 */
public final class StickBreakingTransform extends Transform {
    @Override
    public Tensor forward(Tensor x) {
        Tensor z = x.sub(logOffset(x, x.dim(-1))).sigmoid().clamp(Finfo.tiny(x.dtype()), 1 - Finfo.eps(x.dtype()));
        Tensor remaining = z.neg().add(1).cumprod(-1);
        return F.pad(z, new int[] {0, 1}, 1).mul(F.pad(remaining, new int[] {1, 0}, 1));
    }

    @Override
    public Tensor inverse(Tensor y) {
        int n = y.dim(-1) - 1;
        Tensor crop = y.narrow(y.rank() - 1, 0, n);
        // Rounding can leave no stick where y's last element is about 0: clamped, as PyTorch's.
        Tensor stickLeft = crop.cumsum(-1).neg().add(1).clampMin(Finfo.tiny(y.dtype()));
        return crop.log().sub(stickLeft.log()).add(logOffset(y, n));
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        Tensor u = x.sub(logOffset(x, x.dim(-1)));
        // 1 - sigmoid(u) = exp(-u) sigmoid(u): the term of the stick left, kept in logs.
        return u.neg().add(F.logSigmoid(u)).add(y.narrow(y.rank() - 1, 0, y.dim(-1) - 1).log()).sum(-1, false);
    }

    /** log(n - k) for k = 0 .. n - 1, [n], in {@code like}'s dtype and on its backend. */
    private static Tensor logOffset(Tensor like, int n) {
        return like.fullLike(1, Shape.of(n)).cumsum(0).neg().add(n + 1).log();
    }

    @Override
    public Constraint domain() {
        return Constraint.realVector();
    }

    @Override
    public Constraint codomain() {
        return Constraint.simplex();
    }

    /** [..., K - 1] to [..., K]. */
    @Override
    public Shape forwardShape(Shape shape) {
        requireAxis(shape);
        return shape.without(-1).insert(shape.rank() - 1, shape.dim(-1) + 1);
    }

    /** [..., K] to [..., K - 1]. */
    @Override
    public Shape inverseShape(Shape shape) {
        requireAxis(shape);
        return shape.without(-1).insert(shape.rank() - 1, shape.dim(-1) - 1);
    }

    private void requireAxis(Shape shape) {
        if (shape.rank() < 1) {
            throw new IllegalArgumentException(this + ": a shape of at least one axis expected, got " + shape);
        }
    }
}
