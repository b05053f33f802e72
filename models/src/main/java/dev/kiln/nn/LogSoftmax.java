package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Log-softmax over one axis, like PyTorch's {@code torch.nn.LogSoftmax(dim)}: [batch, classes] to the same shape,
 * {@code x - log(sum(exp(x)))} along {@code axis}, computed stably (never the log of a softmax): a classifier's
 * log-probabilities. For a loss on logits, {@link CrossEntropyLoss} fuses this with the loss.
 */
public class LogSoftmax extends Module {
    private final int axis;

    /** Over the last axis. */
    public LogSoftmax() {
        this(-1);
    }

    /** Over {@code axis} (negative counts from the end). */
    public LogSoftmax(int axis) {
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
        return F.logSoftmax(x, axis);
    }

    /** PyTorch's {@code extra_repr}: {@code dim=1}. */
    @Override
    protected String extraRepr() {
        return "dim=" + axis;
    }
}
