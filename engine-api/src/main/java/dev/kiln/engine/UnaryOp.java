package dev.kiln.engine;

/**
 * Element-wise functions of one argument. Ops marked parametrised read the {@code param} argument of
 * {@link Backend#unary}: POW its exponent, LEAKY_RELU its negative slope, ELU its alpha.
 */
public enum UnaryOp {
    NEG, ABS, EXP, LOG, SQRT, POW, TANH, SIGMOID, RELU, LEAKY_RELU, ELU,
    /** Exact GELU, x * Phi(x) with the normal CDF written through erf (PyTorch's default). */
    GELU,
    /**
     * GELU's tanh approximation, 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))), PyTorch's
     * {@code approximate='tanh'} (GPT-style models).
     */
    GELU_TANH,
    /** SiLU (swish), x * sigmoid(x). */
    SILU,
    SIGN,
    SIN, COS, TAN, ASIN, ACOS, ATAN, SINH, COSH, ASINH, ACOSH, ATANH,
    /** log(1 + x), accurate near 0. */
    LOG1P,
    /** exp(x) - 1, accurate near 0. */
    EXPM1,
    LOG2, LOG10, EXP2, ERF, ERFC,
    /** The rounding ops: piecewise constant, so their gradient is zero (as SIGN's). ROUND rounds half to even. */
    FLOOR, CEIL, ROUND, TRUNC,
    /** x - trunc(x), with the sign of x; gradient 1. */
    FRAC,
    /** 1 / x. */
    RECIPROCAL,
    /** 1 / sqrt(x). */
    RSQRT;

    /** True for the piecewise constant ops (SIGN and the rounding ops), whose gradient is zero wherever defined. */
    public boolean isPiecewiseConstant() {
        return switch (this) {
            case SIGN, FLOOR, CEIL, ROUND, TRUNC -> true;
            default -> false;
        };
    }

    /**
     * True where the derivative at x is a function of the output y = op(x) alone, because it reads y and at
     * most x's sign, which y shares: tanh, sigmoid, ReLU, leaky ReLU with a slope of at least 0 and ELU with a
     * positive alpha. For these a backend's {@link Backend#unaryBackward} gives the same result when y is
     * passed for x, so that a fused layer (e.g. {@link Backend#biasActivation}) need not keep its input.
     */
    public boolean derivativeFromOutput(double param) {
        return switch (this) {
            case TANH, SIGMOID, RELU -> true;
            case LEAKY_RELU -> param >= 0;
            case ELU -> param > 0;
            default -> false;
        };
    }
}
