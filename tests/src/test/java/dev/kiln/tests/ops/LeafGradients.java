package dev.kiln.tests.ops;

import dev.kiln.engine.Tensor;

/** Reading the gradients a backward pass left on leaves, for comparison with another pass's. */
final class LeafGradients {
    private LeafGradients() {
    }

    /** Each leaf's gradient, then cleared for the next backward pass. */
    static double[][] take(Tensor[] leaves) {
        double[][] grads = new double[leaves.length][];
        for (int k = 0; k < leaves.length; k++) {
            grads[k] = leaves[k].grad().toDoubleArray();
            leaves[k].clearGrad();
        }
        return grads;
    }
}
