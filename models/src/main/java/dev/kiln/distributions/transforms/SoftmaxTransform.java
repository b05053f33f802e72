package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * y = softmax(x) over the last axis, as PyTorch's {@code SoftmaxTransform}: from vectors of reals [..., K] to
 * probability vectors [..., K]. Not one-to-one (adding a constant to x leaves y unchanged), so it has no log |det|, as
 * in PyTorch; the inverse is the preimage log(y). Useful for coordinate-wise optimisation on the simplex, not for
 * densities: {@link StickBreakingTransform} is the bijection.
 */
public final class SoftmaxTransform extends Transform {
    @Override
    public Tensor forward(Tensor x) {
        return F.softmax(x, -1);
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.log();
    }

    /** @throws UnsupportedOperationException always: softmax is not a bijection (as PyTorch's) */
    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        throw new UnsupportedOperationException(this + " is not a bijection: it has no log |det Jacobian| (as in"
                + " PyTorch); use StickBreakingTransform for a density on the simplex");
    }

    @Override
    public Constraint domain() {
        return Constraint.realVector();
    }

    @Override
    public Constraint codomain() {
        return Constraint.simplex();
    }

    @Override
    public boolean bijective() {
        return false;
    }
}
