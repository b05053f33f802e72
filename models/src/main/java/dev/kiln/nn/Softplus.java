package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * {@code log(1 + exp(beta x)) / beta}, element-wise (any shape, e.g. [batch, features] to the same), like PyTorch's
 * {@code torch.nn.Softplus} with its defaults {@code beta = 1}, {@code threshold = 20}: where {@code beta x} is above
 * the threshold it is x itself (gradient 1). It never overflows for large inputs, and for very negative ones it is
 * {@code exp(beta x) / beta} to the dtype's precision, not 0. No parameters.
 */
public class Softplus extends Module {
    private final double beta;
    private final double threshold;

    /** Beta 1 and threshold 20, PyTorch's defaults. */
    public Softplus() {
        this(1, 20);
    }

    /** @throws IllegalArgumentException naming the layer for a beta of 0 or NaN, or a NaN threshold */
    public Softplus(double beta, double threshold) {
        if (beta == 0 || Double.isNaN(beta) || Double.isNaN(threshold)) {
            throw new IllegalArgumentException("Softplus: beta must be non-zero and threshold a number, got beta " + beta
                    + " and threshold " + threshold);
        }
        this.beta = beta;
        this.threshold = threshold;
    }

    public double beta() {
        return beta;
    }

    public double threshold() {
        return threshold;
    }

    @Override
    public Tensor forward(Tensor x) {
        return new SoftplusFunction(beta, threshold).apply(x);
    }

    /** PyTorch's {@code extra_repr}: {@code beta=1, threshold=20} (whole values as ints, as PyTorch's defaults are). */
    @Override
    protected String extraRepr() {
        return "beta=" + PythonRepr.asWritten(beta) + ", threshold=" + PythonRepr.asWritten(threshold);
    }
}
