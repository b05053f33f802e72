package dev.kiln.engine;

/** How a loss combines its per-example values, as PyTorch's {@code reduction} argument: 'mean', 'sum' or 'none'. */
public enum Reduction {
    /** The mean over the examples that count: a scalar. */
    MEAN,
    /** The sum over the examples: a scalar. */
    SUM,
    /** One value per example, not combined: [n]. */
    NONE
}
