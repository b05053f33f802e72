package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.distributions.Finfo;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * y = sigmoid(x), as PyTorch's {@code SigmoidTransform}: from the reals to [0, 1]. As in PyTorch, y is clamped to
 * [tiny, 1 - eps] (the dtype's smallest normal number and machine epsilon) both ways, so that neither end is reached
 * and the inverse log(y) - log(1 - y) stays finite; log |dy/dx| = -softplus(-x) - softplus(x).
 */
public final class SigmoidTransform extends Transform {
    @Override
    public Tensor forward(Tensor x) {
        return clamped(x.sigmoid());
    }

    @Override
    public Tensor inverse(Tensor y) {
        Tensor p = clamped(y);
        return p.log().sub(p.neg().log1p());
    }

    /** {@code p} clamped to [tiny, 1 - eps] of its dtype. */
    private static Tensor clamped(Tensor p) {
        return p.clamp(Finfo.tiny(p.dtype()), 1 - Finfo.eps(p.dtype()));
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        return F.softplus(x.neg()).neg().sub(F.softplus(x));
    }

    @Override
    public Constraint domain() {
        return Constraint.real();
    }

    @Override
    public Constraint codomain() {
        return Constraint.unitInterval();
    }

    @Override
    public boolean increasing() {
        return true;
    }
}
