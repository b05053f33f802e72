package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.function.Supplier;

/**
 * The forward passes of layers built from several tensor operations (the composite activations): without
 * gradients, only their result outlives them, so that an evaluation holds one tensor per layer as with a layer of
 * one operation.
 */
final class Temporaries {
    private Temporaries() {
    }

    /**
     * {@code body}'s result. With gradients off no graph can read what {@code body} made along the way, so those
     * tensors are freed as soon as it returns and the result goes to the caller's scope; with gradients on they stay
     * for the backward pass.
     */
    static Tensor freedWithoutGradients(Supplier<Tensor> body) {
        if (Autograd.isEnabled()) {
            return body.get();
        }
        try (Scope scope = Scope.open()) {
            return scope.keep(body.get());
        }
    }
}
