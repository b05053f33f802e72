package dev.kiln.engine;

import java.util.function.Supplier;

/**
 * {@link Composite} for an op of several inputs broadcast together: its forward steps run with gradients off, it
 * records one node of its own, and each input's gradient, composed of ops of the output's shape, is summed back to that
 * input's shape. Only the inputs that require a gradient get one computed.
 */
final class BroadcastComposite {
    private BroadcastComposite() {
    }

    /** The gradient of input {@code index}, of the output's (broadcast) shape, from the output and its gradient. */
    @FunctionalInterface
    interface Gradient {
        Tensor of(int index, Tensor output, Tensor gradOutput);
    }

    /**
     * The result of {@code steps} on {@code inputs}, recorded as op {@code name}; {@code gradient} gives each input's
     * gradient (a null input is skipped); a fresh tensor even where the steps return an input.
     */
    static Tensor op(String name, Tensor[] inputs, Supplier<Tensor> steps, Gradient gradient) {
        Tensor out = Composite.untracked(() -> {
            Tensor result = steps.get();
            for (Tensor input : inputs) {
                if (input != null && result.storage() == input.storage()) {
                    return result.copy();
                }
            }
            return result;
        });
        out.record(name, inputs, Node.differentiable(g -> Composite.gradients(() -> {
            Tensor[] grads = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                if (inputs[i] != null && inputs[i].requiresGrad()) {
                    grads[i] = ElementwiseOps.unbroadcast(gradient.of(i, out, g), inputs[i].shape());
                }
            }
            return grads;
        })));
        return out;
    }
}
