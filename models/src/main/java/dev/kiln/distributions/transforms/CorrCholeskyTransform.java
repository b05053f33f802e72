package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.distributions.Finfo;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The bijection from vectors of reals [..., D (D - 1) / 2] to Cholesky factors of correlation matrices [..., D, D],
 * as PyTorch's {@code CorrCholeskyTransform} (Stan's): r = tanh(x), clamped to (-1 + eps, 1 - eps), fills the strict
 * lower triangle row by row, and each row is stick-broken on the squares so that it has unit norm:
 * y_ij = r_ij sqrt(prod_{k<j} (1 - r_ik^2)), y_ii = sqrt(prod_{k<i} (1 - r_ik^2)), upper triangle 0.
 * <pre>
 * log |det| = sum_{i, j<i} (log(1 - tanh(x)^2) + log(1 - sum_{k<j} y_ik^2) / 2)
 * </pre>
 * the determinant between x and the strict lower triangle of y (the two spaces differ in size, as PyTorch's). The
 * inverse is atanh(y_ij / sqrt(1 - sum_{k<j} y_ik^2)). {@link dev.kiln.distributions.LKJCholesky} lives on its
 * codomain.
 */
public final class CorrCholeskyTransform extends Transform {
    private static final double LOG_TWO = Math.log(2);

    @Override
    public Tensor forward(Tensor x) {
        double eps = Finfo.eps(x.dtype());
        int d = dimension(x.dim(-1));
        Tensor r = TriangleVectors.toMatrix(x.tanh().clamp(-1 + eps, 1 - eps), d, -1);
        Tensor rowLeft = r.square().neg().add(1).sqrt().cumprod(-1);
        Tensor shifted = F.pad(rowLeft.narrow(r.rank() - 1, 0, d - 1), new int[] {1, 0}, 1);
        Tensor identity = x.fullLike(0, Shape.of(d)).add(1).diagEmbed(0, -2, -1);
        return r.add(identity).mul(shifted);
    }

    @Override
    public Tensor inverse(Tensor y) {
        int d = y.dim(-1);
        Tensor left = y.square().cumsum(-1).neg().add(1);
        Tensor shifted = F.pad(left.narrow(y.rank() - 1, 0, d - 1), new int[] {1, 0}, 1);
        Tensor t = TriangleVectors.toVector(y, -1).div(TriangleVectors.toVector(shifted, -1).sqrt());
        // atanh(t) written as PyTorch's log((1 + t) / (1 - t)) / 2.
        return t.add(1).div(t.neg().add(1)).log().mul(0.5);
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        // Diagonal -2 picks, for element (i, j), the stick left before it: no shift needed.
        Tensor left = TriangleVectors.toVector(y.square().cumsum(-1).neg().add(1), -2);
        Tensor stickBreaking = left.log().sum(-1, false).mul(0.5);
        Tensor tanh = x.add(F.softplus(x.mul(-2))).sub(LOG_TWO).sum(-1, false).mul(-2);
        return stickBreaking.add(tanh);
    }

    @Override
    public Constraint domain() {
        return Constraint.realVector();
    }

    @Override
    public Constraint codomain() {
        return Constraint.corrCholesky();
    }

    /** [..., D (D - 1) / 2] to [..., D, D]. */
    @Override
    public Shape forwardShape(Shape shape) {
        if (shape.rank() < 1) {
            throw new IllegalArgumentException(this + ": a shape of at least one axis expected, got " + shape);
        }
        int d = dimension(shape.dim(-1));
        return shape.without(-1).insert(shape.rank() - 1, d).insert(shape.rank(), d);
    }

    /** [..., D, D] to [..., D (D - 1) / 2]. */
    @Override
    public Shape inverseShape(Shape shape) {
        if (shape.rank() < 2 || shape.dim(-1) != shape.dim(-2)) {
            throw new IllegalArgumentException(this + ": square matrices [..., D, D] expected, got " + shape);
        }
        int d = shape.dim(-1);
        return shape.without(-1).without(-1).insert(shape.rank() - 2, d * (d - 1) / 2);
    }

    /** D with D (D - 1) / 2 = n. */
    private int dimension(int n) {
        int d = (int) Math.round(Math.sqrt(0.25 + 2.0 * n) + 0.5);
        if (d * (d - 1) / 2 != n) {
            throw new IllegalArgumentException(this + ": the last axis must hold D (D - 1) / 2 elements (the strict"
                    + " lower triangle of a D x D matrix), got " + n);
        }
        return d;
    }
}
