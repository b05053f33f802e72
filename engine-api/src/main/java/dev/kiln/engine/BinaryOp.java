package dev.kiln.engine;

/**
 * Element-wise functions of two broadcast arguments, as PyTorch defines them. Comparisons give 1 where true and 0
 * where false.
 */
public enum BinaryOp {
    ADD, SUB, MUL, DIV, MAX, MIN,
    /** atan2(a, b): the angle of the point (b, a), in [-pi, pi]. */
    ATAN2,
    /**
     * a^b as C's pow (PyTorch's pow of two tensors): 1 where a is 1 or b is 0, NaN included; NaN where a negative a
     * meets a b that is not an integer. Of integers exact in the integer type, wrapping (a negative b gives 0 but
     * for a = 1 and a = -1). Not POW: the kernels' C enums of both op kinds share one scope, and
     * {@link UnaryOp#POW} is there.
     */
    POWER,
    /**
     * C's fmod: a - trunc(a / b) b, with the sign of a; NaN where b is 0. Of integers exact in the integer type; a
     * zero divisor is an error on the CPU.
     */
    FMOD,
    /**
     * Python's %: a - floor(a / b) b, with the sign of b; NaN where b is 0. Of integers exact in the integer type; a
     * zero divisor is an error on the CPU.
     */
    REMAINDER,
    /**
     * floor(a / b) (PyTorch's floor_divide since 1.13); a / b where b is 0. Piecewise constant: no gradient. Of
     * integers exact in the integer type, MIN_VALUE / -1 wrapping to MIN_VALUE; a zero divisor is an error on the
     * CPU.
     */
    FLOOR_DIVIDE,
    EQ, NE, LT, LE, GT, GE;

    /** True for the comparisons, which have no gradient and take integer operands too. */
    public boolean isComparison() {
        return ordinal() >= EQ.ordinal();
    }

    /**
     * True for FMOD, REMAINDER and FLOOR_DIVIDE, which take integer operands too and give integers, exactly, as
     * PyTorch's.
     */
    public boolean isIntegerDivision() {
        return this == FMOD || this == REMAINDER || this == FLOOR_DIVIDE;
    }

    /** True for the ops whose gradient is defined and not zero everywhere: all but FLOOR_DIVIDE and comparisons. */
    public boolean isDifferentiable() {
        return ordinal() < FLOOR_DIVIDE.ordinal();
    }
}
