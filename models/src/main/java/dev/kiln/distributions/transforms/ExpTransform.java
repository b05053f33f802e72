package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Tensor;

/** y = exp(x), as PyTorch's {@code ExpTransform}: from the reals to the positive reals; log |dy/dx| = x. */
public final class ExpTransform extends Transform {
    @Override
    public Tensor forward(Tensor x) {
        return x.exp();
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.log();
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        return x;
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
    public boolean increasing() {
        return true;
    }
}
