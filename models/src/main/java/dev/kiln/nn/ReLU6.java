package dev.kiln.nn;

/**
 * min(max(x, 0), 6), element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.ReLU6}: {@link Hardtanh} on [0, 6], so its gradient is 0 at 0 and at 6. No parameters.
 */
public class ReLU6 extends Hardtanh {
    public ReLU6() {
        super(0, 6);
    }

    /** Nothing, as PyTorch's: {@code ReLU6()} (its bounds are fixed). */
    @Override
    protected String extraRepr() {
        return "";
    }
}
