package dev.kiln.engine;

/**
 * A user-defined differentiable operation: subclass, implement {@link #forward} and {@link #backward},
 * and call {@link #apply}. The forward pass runs without recording; the backward pass receives the
 * gradient of the output and returns one gradient per input (null for inputs that need none). Feedback
 * alignment replaces a layer's backward this way:
 * <pre>{@code
 * class FeedbackLinear extends Function {
 *     protected Tensor forward(Tensor... in) { save(in[0]); return in[0].matmul(w.t()); }
 *     protected Tensor[] backward(Tensor g) { return new Tensor[] {g.matmul(feedback), null}; }
 * }
 * }</pre>
 * An instance records one call: create a new one for every application. In a backward pass that records its own
 * graph ({@link Autograd#grad} with {@link GradOptions#createGraph()}) {@link #backward} runs with gradients on, as in
 * PyTorch: what it computes with Tensor ops is differentiated again; what it computes otherwise (from host values,
 * under {@link Autograd#noGrad()}) counts as a constant.
 */
public abstract class Function {
    private Tensor[] saved = new Tensor[0];
    private boolean applied;

    /** Computes the output from the inputs; runs under {@link Autograd#noGrad()}. */
    protected abstract Tensor forward(Tensor... inputs);

    /** Gradients of the inputs given the gradient of the output. */
    protected abstract Tensor[] backward(Tensor gradOutput);

    /** Keeps tensors for {@link #backward}. */
    protected final void save(Tensor... tensors) {
        this.saved = tensors.clone();
    }

    /** The tensors passed to {@link #save}. */
    protected final Tensor[] saved() {
        return saved;
    }

    /** Runs forward and, when gradients are on, records this function in the graph. */
    public final Tensor apply(Tensor... inputs) {
        if (applied) {
            throw new IllegalStateException(getClass().getSimpleName() + ": a Function instance records one call; create a new one");
        }
        applied = true;
        Checks.open(getClass().getSimpleName(), inputs);
        long firstNew = Tensor.nextSerial();
        Tensor out;
        try (Autograd.Guard g = Autograd.noGrad()) {
            out = forward(inputs);
        }
        // A tensor that existed before (an input, a cached buffer) must not take this call's node: a view does.
        Tensor result = out.serial() < firstNew ? out.detach() : out;
        Tensor[] recorded = inputs.clone();
        result.record(getClass().getSimpleName(), recorded, Node.differentiable(gradOutput -> {
            Tensor[] grads = backward(gradOutput);
            if (grads.length != recorded.length) {
                throw new IllegalStateException(getClass().getSimpleName() + ".backward returned " + grads.length
                        + " gradients for " + recorded.length + " inputs");
            }
            for (int i = 0; i < grads.length; i++) {
                if (grads[i] != null && (!grads[i].shape().equals(recorded[i].shape())
                        || grads[i].dtype() != recorded[i].dtype())) {
                    throw new IllegalStateException(getClass().getSimpleName() + ".backward: gradient " + i + " is "
                            + grads[i].shape() + " " + grads[i].dtype() + ", input is " + recorded[i].shape() + " "
                            + recorded[i].dtype());
                }
            }
            return grads;
        }), true);
        return result;
    }
}
