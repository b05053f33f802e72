package dev.kiln.zoo;

import dev.kiln.engine.Tensor;

/** The zoo's readers of samples as sequences: the check and view their forward passes share. */
final class SampleSequences {
    private SampleSequences() {
    }

    /**
     * x [batch, ...] of {@code steps * features} values per sample (e.g. [batch, 1, 28, 28] or [batch, 784]) viewed
     * as [batch, steps, features]; other inputs are refused, naming {@code model} and the shape it needs.
     */
    static Tensor view(String model, Tensor x, int steps, int features) {
        if (x.rank() < 2 || x.size() != (long) x.dim(0) * steps * features) {
            throw new IllegalArgumentException(model + ": input " + x.shape() + " must hold " + steps + " x " + features
                    + " values per sample, e.g. [batch, " + steps * features + "]");
        }
        return x.reshape(x.dim(0), steps, features);
    }
}
