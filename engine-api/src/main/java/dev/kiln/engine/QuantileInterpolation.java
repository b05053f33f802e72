package dev.kiln.engine;

/**
 * How {@link Tensor#quantile} picks a value when the quantile's rank {@code q (n - 1)} falls between two sorted
 * elements i &lt; rank &lt; j (PyTorch's {@code interpolation} argument).
 */
public enum QuantileInterpolation {
    /** {@code a_i + (a_j - a_i) (rank - i)}. */
    LINEAR,
    /** a_i. */
    LOWER,
    /** a_j. */
    HIGHER,
    /** {@code (a_i + a_j) / 2}. */
    MIDPOINT,
    /** The element at the rank rounded half to even. */
    NEAREST
}
