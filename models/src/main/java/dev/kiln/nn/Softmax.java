package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Softmax over one axis, like PyTorch's {@code torch.nn.Softmax(dim)}: [batch, classes] to the same
 * shape, each slice along {@code axis} summing to 1. For a loss, feed logits to
 * {@link CrossEntropyLoss} instead (it is fused and stable).
 */
public class Softmax extends Module {
    private final int axis;

    /** Softmax over the last axis. */
    public Softmax() {
        this(-1);
    }

    /** Softmax over {@code axis} (negative counts from the end). */
    public Softmax(int axis) {
        this.axis = axis;
    }

    public int axis() {
        return axis;
    }

    @Override
    public Tensor forward(Tensor x) {
        return F.softmax(x, axis);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return "dim=" + axis;
    }
}
