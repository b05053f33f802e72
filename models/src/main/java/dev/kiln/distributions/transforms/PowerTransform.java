package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * y = x^exponent, as PyTorch's {@code PowerTransform(exponent)}: from the positive reals to the positive reals, the
 * exponent a tensor broadcasting with x (through which gradients flow); log |dy/dx| = log |exponent y / x|. The sign
 * is sign(exponent), so a transformed cdf flips where the exponent is negative (PyTorch 1.13 takes it as +1
 * whatever the exponent, and so gives 1 - cdf there).
 */
public final class PowerTransform extends Transform {
    private final Tensor exponent;

    /** y = x^exponent element by element. */
    public PowerTransform(Tensor exponent) {
        this.exponent = exponent;
    }

    /** The exponent. */
    public Tensor exponent() {
        return exponent;
    }

    /** exp(exponent log x), x being positive: a tensor exponent with its gradient. */
    @Override
    public Tensor forward(Tensor x) {
        return x.log().mul(exponent).exp();
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.log().div(exponent).exp();
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        return exponent.mul(y).div(x).abs().log();
    }

    @Override
    public Constraint domain() {
        return Constraint.positive();
    }

    @Override
    public Constraint codomain() {
        return Constraint.positive();
    }

    @Override
    public Tensor sign() {
        return exponent.sign();
    }

    @Override
    public Shape forwardShape(Shape shape) {
        return Shape.broadcast(toString(), shape, exponent.shape());
    }

    @Override
    public Shape inverseShape(Shape shape) {
        return Shape.broadcast(toString(), shape, exponent.shape());
    }

    /** Equal to a PowerTransform whose exponent is equal element by element. */
    @Override
    public boolean equals(Object other) {
        return other instanceof PowerTransform o && AffineTransform.sameValues(exponent, o.exponent);
    }

    @Override
    public int hashCode() {
        return PowerTransform.class.hashCode();
    }

    @Override
    public String toString() {
        return "PowerTransform(exponent: " + exponent.shape() + ")";
    }
}
