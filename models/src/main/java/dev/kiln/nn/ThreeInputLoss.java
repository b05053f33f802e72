package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A loss of three inputs as a Module, as PyTorch's {@code nn} losses of three inputs: {@link #forward(Tensor, Tensor,
 * Tensor)} is the subclass's {@link #compute}, {@link Module#call(Tensor, Tensor, Tensor)} runs it with the module's
 * backward hooks, the one-input forward is refused naming the three inputs, and the repr is PyTorch's, e.g.
 * {@code TripletMarginLoss()}.
 */
public abstract class ThreeInputLoss extends Module implements ThreeInputForward {
    private final String inputs;

    /** @param inputs the three inputs' names as PyTorch's forward names them, e.g. "anchor, positive, negative" */
    protected ThreeInputLoss(String inputs) {
        this.inputs = inputs;
    }

    /** The loss of the three inputs; each subclass documents their shapes. */
    public abstract Tensor compute(Tensor x1, Tensor x2, Tensor x3);

    /** {@link #compute}, as PyTorch's module's forward. */
    @Override
    public Tensor forward(Tensor x1, Tensor x2, Tensor x3) {
        return compute(x1, x2, x3);
    }

    /** @throws UnsupportedOperationException always: the loss takes three inputs */
    @Override
    public Tensor forward(Tensor x) {
        throw Losses.threeInputs(this, inputs);
    }
}
