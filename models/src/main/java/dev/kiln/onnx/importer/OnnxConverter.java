package dev.kiln.onnx.importer;

/**
 * Turns a node of one op type into an {@link OnnxStep}, reading and checking its attributes once, when the model is
 * loaded: an attribute Kiln cannot honour fails the load, naming the node.
 */
@FunctionalInterface
interface OnnxConverter {
    /** The step that computes the node's first output. */
    OnnxStep compile(OnnxNode node);

    /**
     * The step that computes output {@code index}, or null where Kiln does not compute it (a node must then have no
     * reader of it). By default the first output alone; an op of several outputs, such as Split, gives a step for each.
     */
    default OnnxStep compileOutput(OnnxNode node, int index) {
        return index == 0 ? compile(node) : null;
    }

    /**
     * The steps of all {@code count} outputs, null where Kiln does not compute one: by default
     * {@link #compileOutput} for each; an op whose outputs come from one computation (LSTM's Y, Y_h and Y_c) gives
     * steps that share it.
     */
    default OnnxStep[] compileOutputs(OnnxNode node, int count) {
        OnnxStep[] steps = new OnnxStep[count];
        for (int k = 0; k < count; k++) {
            steps[k] = compileOutput(node, k);
        }
        return steps;
    }
}
