package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import java.util.function.BiFunction;

/**
 * The outputs of a node of several outputs computed once for the steps of all of them. The graph runs a node's
 * output steps one after another on the same input values, so the first step computes every output and the later
 * ones take theirs, as long as their inputs are those very values; the outputs are let go once the last named one is
 * taken, so that no tensor (nor, with gradients, its graph) outlives the run.
 */
final class SharedRun {
    private final int lastOutput;
    private final BiFunction<OnnxValue[], DType, OnnxValue[]> compute;
    private OnnxValue[] inputs;
    private OnnxValue[] outputs;

    /**
     * @param lastOutput the index of the last output whose step runs
     * @param compute all outputs from the node's inputs and the graph's precision
     */
    SharedRun(int lastOutput, BiFunction<OnnxValue[], DType, OnnxValue[]> compute) {
        this.lastOutput = lastOutput;
        this.compute = compute;
    }

    synchronized OnnxValue output(int index, OnnxValue[] in, DType floatType) {
        if (outputs == null || !sameValues(in)) {
            outputs = compute.apply(in, floatType);
            inputs = in.clone();
        }
        OnnxValue out = outputs[index];
        if (index >= lastOutput) {
            outputs = null;
            inputs = null;
        }
        return out;
    }

    private boolean sameValues(OnnxValue[] in) {
        if (in.length != inputs.length) {
            return false;
        }
        for (int k = 0; k < in.length; k++) {
            if (in[k] != inputs[k]) {
                return false;
            }
        }
        return true;
    }
}
