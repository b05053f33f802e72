package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Softmin over one axis, like PyTorch's {@code torch.nn.Softmin(dim)}: {@code softmax(-x)} along {@code axis}, so
 * that each slice sums to 1 with the largest weight on its smallest element; [batch, classes] to the same shape.
 * No parameters.
 */
public class Softmin extends Module {
    private final int axis;

    /** Over the last axis, as {@link Softmax}'s default (PyTorch's {@code dim=None} guesses an axis instead). */
    public Softmin() {
        this(-1);
    }

    /** Over {@code axis} (negative counts from the end). */
    public Softmin(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    /** @throws IllegalArgumentException naming this layer and the input shape when it has no such axis */
    @Override
    public Tensor forward(Tensor x) {
        if (axis >= x.rank() || axis < -x.rank()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " has no axis " + axis);
        }
        return Temporaries.freedWithoutGradients(() -> F.softmax(x.neg(), axis));
    }

    /** PyTorch's {@code extra_repr}: {@code dim=1}. */
    @Override
    protected String extraRepr() {
        return "dim=" + axis;
    }
}
