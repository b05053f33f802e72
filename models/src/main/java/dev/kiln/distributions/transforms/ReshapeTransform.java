package dev.kiln.distributions.transforms;

import dev.kiln.distributions.Constraint;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * Reshapes the event [..., inShape...] to [..., outShape...], as PyTorch's {@code ReshapeTransform(in_shape,
 * out_shape)}: the leading axes are kept, the elements are the same in row-major order, and log |det| is 0 over
 * [x's leading axes...]. Domain and codomain are reals over the in and out shapes' axes.
 */
public final class ReshapeTransform extends Transform {
    private final Shape inShape;
    private final Shape outShape;

    /**
     * Events of {@code inShape} reshaped to {@code outShape}.
     *
     * @throws IllegalArgumentException where the two shapes hold different numbers of elements
     */
    public ReshapeTransform(Shape inShape, Shape outShape) {
        if (inShape.size() != outShape.size()) {
            throw new IllegalArgumentException("ReshapeTransform: inShape " + inShape + " and outShape " + outShape
                    + " must hold the same number of elements, got " + inShape.size() + " and " + outShape.size());
        }
        this.inShape = inShape;
        this.outShape = outShape;
    }

    /** The event shape of x. */
    public Shape inShape() {
        return inShape;
    }

    /** The event shape of y. */
    public Shape outShape() {
        return outShape;
    }

    @Override
    public Tensor forward(Tensor x) {
        return x.reshape(replaced(x.shape(), inShape, outShape).dims());
    }

    @Override
    public Tensor inverse(Tensor y) {
        return y.reshape(replaced(y.shape(), outShape, inShape).dims());
    }

    @Override
    public Tensor logAbsDetJacobian(Tensor x, Tensor y) {
        return x.fullLike(0, leading(x.shape(), inShape));
    }

    @Override
    public Constraint domain() {
        return Constraint.independent(Constraint.real(), inShape.rank());
    }

    @Override
    public Constraint codomain() {
        return Constraint.independent(Constraint.real(), outShape.rank());
    }

    @Override
    public Shape forwardShape(Shape shape) {
        return replaced(shape, inShape, outShape);
    }

    @Override
    public Shape inverseShape(Shape shape) {
        return replaced(shape, outShape, inShape);
    }

    /** {@code shape} with its trailing {@code from} axes replaced by {@code to}'s. */
    private Shape replaced(Shape shape, Shape from, Shape to) {
        Shape lead = leading(shape, from);
        int[] dims = Arrays.copyOf(lead.dims(), lead.rank() + to.rank());
        System.arraycopy(to.dims(), 0, dims, lead.rank(), to.rank());
        return Shape.of(dims);
    }

    /** The axes of {@code shape} before the trailing event {@code event}, after checking that it ends in it. */
    private Shape leading(Shape shape, Shape event) {
        int cut = shape.rank() - event.rank();
        if (cut < 0 || !Shape.of(Arrays.copyOfRange(shape.dims(), cut, shape.rank())).equals(event)) {
            throw new IllegalArgumentException(this + ": shape " + shape + " must end in " + event);
        }
        return Shape.of(Arrays.copyOf(shape.dims(), cut));
    }

    /** Equal to a ReshapeTransform of the same two shapes. */
    @Override
    public boolean equals(Object other) {
        return other instanceof ReshapeTransform o && o.inShape.equals(inShape) && o.outShape.equals(outShape);
    }

    @Override
    public int hashCode() {
        return 31 * inShape.hashCode() + outShape.hashCode();
    }

    @Override
    public String toString() {
        return "ReshapeTransform(" + inShape + " -> " + outShape + ")";
    }
}
