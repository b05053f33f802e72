package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Collapses every dimension from {@code startAxis} (default 1) on into one, like PyTorch's
 * {@code torch.nn.Flatten()}: [batch, c, h, w] to [batch, c*h*w]; dimension 0 (the batch) is kept.
 * A view: no copy.
 */
public class Flatten extends Module {
    private final int startAxis;

    /** Keeps dimension 0 and flattens the rest. */
    public Flatten() {
        this(1);
    }

    /** Flattens dimensions {@code startAxis..} into one. */
    public Flatten(int startAxis) {
        if (startAxis < 0) {
            throw new IllegalArgumentException("Flatten: start axis must be >= 0, got " + startAxis);
        }
        this.startAxis = startAxis;
    }

    public int startAxis() {
        return startAxis;
    }

    /** PyTorch's {@code extra_repr}: Kiln's Flatten always flattens to the last axis. */
    @Override
    protected String extraRepr() {
        return "start_dim=" + startAxis + ", end_dim=-1";
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() <= startAxis) {
            throw new IllegalArgumentException("Flatten: input " + x.shape() + " has no axis " + startAxis + " to flatten from");
        }
        return x.flatten(startAxis);
    }
}
