package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * An invertible map y = f(x) of tensors with the log of its Jacobian's absolute determinant, as PyTorch's
 * {@code torch.distributions.transforms.Transform}, for {@link dev.kiln.distributions.TransformedDistribution}.
 * {@link #domain()} and {@link #codomain()} are the sets x and y lie in; their {@code eventRank()} is PyTorch's
 * {@code event_dim}, the trailing axes that one Jacobian couples (0 for element-wise maps).
 *
 * <p>Shapes: {@code forward} and {@code inverse} keep their input's shape, broadcast with the transform's parameters
 * ({@link #forwardShape}, {@link #inverseShape}); {@code logAbsDetJacobian(x, y)} is x's shape less the domain's
 * event axes. Everything is composed of public tensor operations, so gradients flow to inputs and parameters.
 *
 * <p>Two transforms are equal when they are of one kind with equal parameters (PyTorch's {@code __eq__}), which is
 * what {@code KL.divergence} of two transformed distributions asks of their transforms.
 */
public abstract class Transform {
    /** y = f(x). */
    public abstract Tensor forward(Tensor x);

    /** x = f^-1(y) (for a map that is not one-to-one, one preimage: see the class's comment). */
    public abstract Tensor inverse(Tensor y);

    /**
     * log |det dy/dx| at x, given y = f(x): x's shape less the domain's event axes.
     *
     * @throws UnsupportedOperationException where the map is not a bijection ({@link AbsTransform})
     */
    public abstract Tensor logAbsDetJacobian(Tensor x, Tensor y);

    /** The set x lies in; its event rank is the axes one Jacobian couples on the input side. */
    public abstract Constraint domain();

    /** The set y lies in; its event rank is the axes one Jacobian couples on the output side. */
    public abstract Constraint codomain();

    /** Whether the map is one-to-one (PyTorch's {@code bijective}). */
    public boolean bijective() {
        return true;
    }

    /**
     * Whether y increases with x everywhere (PyTorch's {@code sign} of +1): a transformed cdf and icdf pass through
     * such a transform unchanged.
     */
    public boolean increasing() {
        return false;
    }

    /**
     * +1 where y increases with x and -1 where it decreases, broadcasting with values (PyTorch's {@code sign}), for a
     * monotone map that is not always {@link #increasing()}.
     *
     * @throws UnsupportedOperationException where the map is increasing (its sign is 1) or not monotone
     */
    public Tensor sign() {
        throw new UnsupportedOperationException(this + (increasing() ? " increases everywhere: its sign is +1"
                : " is not monotone: it has no sign"));
    }

    /** The shape of y for an x of {@code shape}: that shape broadcast with the parameters'. */
    public Shape forwardShape(Shape shape) {
        return shape;
    }

    /** The shape of x for a y of {@code shape}: that shape broadcast with the parameters'. */
    public Shape inverseShape(Shape shape) {
        return shape;
    }

    /** {@code t} summed over its last {@code n} axes (PyTorch's {@code _sum_rightmost}). */
    static Tensor sumRightmost(Tensor t, int n) {
        Tensor out = t;
        for (int i = 0; i < n; i++) {
            out = out.sum(-1, false);
        }
        return out;
    }

    /** Transforms without parameters are equal when of one class; those with parameters compare them too. */
    @Override
    public boolean equals(Object other) {
        return other != null && other.getClass() == getClass();
    }

    @Override
    public int hashCode() {
        return getClass().hashCode();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "()";
    }
}
