package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Tensor;

/**
 * y = |x|, as PyTorch's {@code AbsTransform}: from the reals to the positive reals (PyTorch's codomain, so that 0
 * fails validation). Not one-to-one: the inverse gives the non-negative preimage y itself, and there is no Jacobian
 * or sign, so a distribution transformed by it samples but has no logProb or cdf.
 */
public final class AbsTransform extends Transform {
    @Override
    public Tensor forward(Tensor x) {
        return x.abs();
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y;
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        throw new UnsupportedOperationException(this + " is not a bijection: it has no log |det Jacobian|");
    }

    @Override
    public Constraint domain() {
        return Constraint.real();
    }

    @Override
    public Constraint codomain() {
        return Constraint.positive();
    }

    @Override
    public boolean bijective() {
        return false;
    }
}
