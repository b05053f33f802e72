package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * y = tanh(x), as PyTorch's {@code TanhTransform}: from the reals to [-1, 1], the squashing of Soft Actor-Critic's
 * actions. log |dy/dx| = log(1 - tanh(x)^2) is taken as 2 (log 2 - x - softplus(-2x)), which stays finite where
 * tanh(x) rounds to ±1. The inverse atanh(y) is not clamped (as in PyTorch): y = ±1 gives ±infinity.
 */
public final class TanhTransform extends Transform {
    private static final double LOG_TWO = Math.log(2);

    @Override
    public Tensor forward(Tensor x) {
        return x.tanh();
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.atanh();
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        return x.neg().add(LOG_TWO).sub(F.softplus(x.mul(-2))).mul(2);
    }

    @Override
    public Constraint domain() {
        return Constraint.real();
    }

    @Override
    public Constraint codomain() {
        return Constraint.interval(-1, 1);
    }

    @Override
    public boolean increasing() {
        return true;
    }
}
