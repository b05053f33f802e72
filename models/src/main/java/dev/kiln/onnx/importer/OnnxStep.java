package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;

/** One compiled node of an imported graph: its output from its inputs. */
@FunctionalInterface
interface OnnxStep {
    /**
     * @param inputs the node's inputs by position, null where an optional input is left out
     * @param floatType the precision the graph runs in (its parameters'), for host constants that become tensors
     */
    OnnxValue apply(OnnxValue[] inputs, DType floatType);
}
