package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/** The checks and broadcasting shared by the modules whose forward pass takes two inputs. */
final class TwoInputs {
    private TwoInputs() {
    }

    /**
     * The broadcast shape of the two inputs.
     *
     * @throws IllegalArgumentException naming the module, both shapes and the first axis where they differ when they
     *     do not broadcast
     */
    static Shape broadcast(Module module, Tensor x1, Tensor x2) {
        return Shape.broadcast(module.describe(), x1.shape(), x2.shape());
    }

    /** {@code x} repeated to {@code shape}, or {@code x} itself when it has that shape already. */
    static Tensor expanded(Tensor x, Shape shape) {
        return x.shape().equals(shape) ? x : x.expand(shape.dims());
    }

    /** The error for a call of the one-input {@link Module#forward(Tensor)}. */
    static UnsupportedOperationException unsupported(Module module) {
        return new UnsupportedOperationException(module.describe() + " takes two inputs; call forward(x1, x2)");
    }
}
