package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Tensor;

/**
 * From square matrices [..., n, n] of reals to lower-triangular ones with a positive diagonal, as PyTorch's
 * {@code LowerCholeskyTransform}: the strict lower triangle is kept, the diagonal exponentiated and the upper triangle
 * dropped, so y = tril(x, -1) + diag(exp(diag x)); the inverse takes the log of the diagonal. Parameterises a
 * Cholesky factor (a covariance L L^T) by unconstrained numbers. Not one-to-one (the upper triangle is lost), so it has
 * no log |det|, as in PyTorch.
 */
public final class LowerCholeskyTransform extends Transform {
    @Override
    public Tensor forward(Tensor x) {
        return x.tril(-1).add(x.diagonal(0, -2, -1).exp().diagEmbed(0, -2, -1));
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.tril(-1).add(y.diagonal(0, -2, -1).log().diagEmbed(0, -2, -1));
    }

    /** @throws UnsupportedOperationException always: the map drops the upper triangle (as PyTorch's) */
    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        throw new UnsupportedOperationException(this + " is not a bijection (it drops the upper triangle): it has no"
                + " log |det Jacobian| (as in PyTorch)");
    }

    @Override
    public Constraint domain() {
        return Constraint.independent(Constraint.real(), 2);
    }

    @Override
    public Constraint codomain() {
        return Constraint.lowerCholesky();
    }

    @Override
    public boolean bijective() {
        return false;
    }
}
