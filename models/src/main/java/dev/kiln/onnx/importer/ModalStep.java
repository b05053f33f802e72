package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;

/**
 * A step that trains otherwise than it evaluates, as BatchNormalization (batch statistics, running statistics
 * updated) and Dropout (elements dropped) do: the graph hands it the mode of the {@link OnnxModule} that runs it, so
 * that {@code train()} and {@code eval()} switch the node as they switch Kiln's own layers.
 */
@FunctionalInterface
interface ModalStep extends OnnxStep {
    /**
     * @param inputs the node's inputs by position, null where an optional input is left out
     * @param floatType the precision the graph runs in
     * @param training whether the module runs in training mode
     */
    OnnxValue apply(OnnxValue[] inputs, DType floatType, boolean training);

    /** The step in evaluation mode. */
    @Override
    default OnnxValue apply(OnnxValue[] inputs, DType floatType) {
        return apply(inputs, floatType, false);
    }
}
