package dev.kiln.engine;

/**
 * Element-wise functions of one argument. Ops marked parametrised read the {@code param} argument of
 * {@link Backend#unary}: POW its exponent, LEAKY_RELU its negative slope, ELU its alpha.
 */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, POW, TANH, SIGMOID, RELU, LEAKY_RELU, ELU,
    /** Exact GELU, x * Phi(x) with the normal CDF written through erf (PyTorch's default). */
    GELU,
    SIGN
}
