package dev.kiln.engine;

import java.util.List;

/**
 * The modulus and argument of complex tensors in view_as_real form [..., 2] (PyTorch's {@code abs} and {@code angle}
 * of a complex tensor), each one recorded op whose gradient is PyTorch's: zero at the origin, where both functions
 * have a kink and the derivative of a hypot or an atan2 would be 0 / 0.
 */
final class ComplexPartsOps {
    private ComplexPartsOps() {
    }

    /** {@code sqrt(re^2 + im^2)} [...]; the gradient {@code g * c / |c|} (0 at the origin, as PyTorch's sgn). */
    static Tensor abs(Tensor c) {
        FftOps.checkComplex("Fft.abs", c);
        int last = c.rank() - 1;
        return Composite.op("complexAbs", c,
                () -> c.narrow(last, 0, 1).hypot(c.narrow(last, 1, 1)).squeeze(last),
                (out, g) -> g.unsqueeze(last).mul(c).div(nonZero(out).unsqueeze(last)));
    }

    /** {@code atan2(im, re)} [...] in (-pi, pi]; the gradient {@code g * (-im, re) / |c|^2} (0 at the origin). */
    static Tensor angle(Tensor c) {
        FftOps.checkComplex("Fft.angle", c);
        int last = c.rank() - 1;
        return Composite.op("complexAngle", c,
                () -> c.narrow(last, 1, 1).atan2(c.narrow(last, 0, 1)).squeeze(last),
                (out, g) -> {
                    Tensor turned = Tensor.cat(List.of(c.narrow(last, 1, 1).neg(), c.narrow(last, 0, 1)), last);
                    return g.unsqueeze(last).mul(turned).div(nonZero(c.square().sum(last, false)).unsqueeze(last));
                });
    }

    /** {@code t} with its zeros replaced by ones: a divisor whose zeros meet zero numerators only. */
    private static Tensor nonZero(Tensor t) {
        return Tensor.where(t.eq(0.0), t.fullLike(1), t);
    }
}
