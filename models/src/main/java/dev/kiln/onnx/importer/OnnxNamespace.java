package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.onnx.TensorProto;

/**
 * A module that holds an imported graph's initializers under their ONNX names: a dotted name such as
 * {@code "layer1.0.conv1.weight"} is kept as PyTorch keeps it, in nested namespaces ({@code layer1}, {@code 0},
 * {@code conv1}) with the tensor as {@code weight} in the last, so that the state dict's keys are the initializers'
 * names. A namespace below the {@link OnnxModule} only holds tensors; it has no forward pass of its own.
 */
class OnnxNamespace extends Module {
    /**
     * Registers {@code tensor} under the dotted {@code name} below this namespace, as a parameter when
     * {@code trainable}, else as a buffer, creating the namespaces on the way.
     *
     * @throws IllegalArgumentException naming the initializer when a part of its name is empty or already taken
     */
    void place(String name, Tensor tensor, boolean trainable) {
        String[] parts = name.split("\\.", -1);
        OnnxNamespace owner = this;
        try {
            for (int k = 0; k < parts.length - 1; k++) {
                Module next = owner.namedChildren().get(parts[k]);
                owner = next instanceof OnnxNamespace n ? n : owner.registerModule(parts[k], new OnnxNamespace());
            }
            String last = parts[parts.length - 1];
            if (trainable) {
                owner.registerParameter(last, tensor);
            } else {
                owner.registerBuffer(last, tensor);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("ONNX import: initializer '" + name + "' cannot be held under its "
                    + "name: " + e.getMessage(), e);
        }
    }

    /** {@code t} as a tensor outside every scope, to be held by a module. */
    static Tensor held(TensorProto t) {
        return unscoped(() -> OnnxTensors.toTensor(t));
    }

    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException("ONNX import: this module only holds initializers; run the "
                + "OnnxModule that contains it");
    }
}
