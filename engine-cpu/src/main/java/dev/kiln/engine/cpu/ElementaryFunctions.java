package dev.kiln.engine.cpu;

import dev.kiln.engine.UnaryOp;

/**
 * The element-wise functions after the activations (sin ... rsqrt) for {@link CpuElementwise}, in double:
 * java.lang.Math where it has them, else the forms here, accurate to a few ulps (the inverse hyperbolic functions in fdlibm's forms,
 * through log1p near their zeros so that small arguments keep their precision). PyTorch's floating remainder and
 * floor division too.
 */
final class ElementaryFunctions {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    private static final double LN2 = Math.log(2);
    private static final double LN10 = Math.log(10);
    /** Above this, x^2 + 1 is x^2 in double and asinh(x), acosh(x) are log(2x). */
    private static final double LARGE = 0x1p28;
    private static final long MANTISSA_BITS = 0xFFFFFFFFFFFFFL;

    private ElementaryFunctions() {
    }

    /** op(x) for the ops after SIGN. */
    static double value(UnaryOp op, double x) {
        return switch (op) {
            case SIN -> Math.sin(x);
            case COS -> Math.cos(x);
            case TAN -> Math.tan(x);
            case ASIN -> Math.asin(x);
            case ACOS -> Math.acos(x);
            case ATAN -> Math.atan(x);
            case SINH -> Math.sinh(x);
            case COSH -> Math.cosh(x);
            case ASINH -> asinh(x);
            case ACOSH -> acosh(x);
            case ATANH -> atanh(x);
            case LOG1P -> Math.log1p(x);
            case EXPM1 -> Math.expm1(x);
            case LOG2 -> log2(x);
            case LOG10 -> Math.log10(x);
            case EXP2 -> Math.pow(2, x);
            case ERF -> Erf.erf(x);
            case ERFC -> Erf.erfc(x);
            case FLOOR -> Math.floor(x);
            case CEIL -> Math.ceil(x);
            case ROUND -> Math.rint(x);
            case TRUNC -> trunc(x);
            case FRAC -> x - trunc(x);
            case RECIPROCAL -> 1 / x;
            case RSQRT -> 1 / Math.sqrt(x);
            default -> throw new IllegalArgumentException("not an elementary function: " + op);
        };
    }

    /** d op(x) / dx, given x and y = op(x), for the ops after SIGN: 0 for the rounding ops. */
    static double derivative(UnaryOp op, double x, double y) {
        return switch (op) {
            case FLOOR, CEIL, ROUND, TRUNC -> 0;
            case SIN -> Math.cos(x);
            case COS -> -Math.sin(x);
            case TAN -> 1 + y * y;
            case ASIN -> 1 / Math.sqrt(1 - x * x);
            case ACOS -> -1 / Math.sqrt(1 - x * x);
            case ATAN -> 1 / (1 + x * x);
            case SINH -> Math.cosh(x);
            case COSH -> Math.sinh(x);
            case ASINH -> 1 / Math.sqrt(x * x + 1);
            case ACOSH -> 1 / Math.sqrt(x * x - 1);
            case ATANH -> 1 / (1 - x * x);
            case LOG1P -> 1 / (x + 1);
            case EXPM1 -> y + 1;
            case LOG2 -> 1 / (x * LN2);
            case LOG10 -> 1 / (x * LN10);
            case EXP2 -> y * LN2;
            case ERF -> TWO_OVER_SQRT_PI * Math.exp(-x * x);
            case ERFC -> -TWO_OVER_SQRT_PI * Math.exp(-x * x);
            case FRAC -> 1;
            case RECIPROCAL -> -(y * y);
            case RSQRT -> -0.5 * (y * y * y);
            default -> throw new IllegalArgumentException("not an elementary function: " + op);
        };
    }

    private static double asinh(double x) {
        double ax = Math.abs(x);
        double r;
        if (ax > LARGE) {
            r = Math.log(ax) + LN2;
        } else if (ax > 2) {
            r = Math.log(2 * ax + 1 / (Math.sqrt(ax * ax + 1) + ax));
        } else {
            double square = ax * ax;
            r = Math.log1p(ax + square / (1 + Math.sqrt(1 + square)));
        }
        return Math.copySign(r, x);
    }

    /** NaN below 1. */
    private static double acosh(double x) {
        if (x < 1) {
            return Double.NaN;
        }
        if (x > LARGE) {
            return Math.log(x) + LN2;
        }
        if (x > 2) {
            return Math.log(2 * x - 1 / (x + Math.sqrt(x * x - 1)));
        }
        double t = x - 1;
        return Math.log1p(t + Math.sqrt(2 * t + t * t));
    }

    /** NaN outside [-1, 1]: log1p's argument falls below -1 there. */
    private static double atanh(double x) {
        double ax = Math.abs(x);
        double r = ax < 0.5 ? 0.5 * Math.log1p(2 * ax + 2 * ax * ax / (1 - ax)) : 0.5 * Math.log1p(2 * ax / (1 - ax));
        return Math.copySign(r, x);
    }

    /** Exact at the normal powers of two, where log(x) / log(2) can miss the integer by an ulp. */
    private static double log2(double x) {
        if (x > 0 && x <= Double.MAX_VALUE && (Double.doubleToRawLongBits(x) & MANTISSA_BITS) == 0
                && x >= Double.MIN_NORMAL) {
            return Math.getExponent(x);
        }
        return Math.log(x) / LN2;
    }

    /** Rounded toward zero; -0.5 gives -0. */
    private static double trunc(double x) {
        return x < 0 ? Math.ceil(x) : Math.floor(x);
    }

    /**
     * C's pow(a, b), PyTorch's pow of two tensors: Math.pow but for 1^b = 1 (b NaN too) and (-1)^(+-inf) = 1, where
     * Math.pow gives NaN.
     */
    static double pow(double a, double b) {
        return a == 1 || a == -1 && Double.isInfinite(b) ? 1 : Math.pow(a, b);
    }

    /**
     * base^exponent of integers as PyTorch's: by squaring, wrapping at 64 bits (an I32 result narrowed from it wraps
     * as 32-bit arithmetic would); a negative exponent gives 0, but 1 for the base 1 and +-1 by parity for -1.
     */
    static long integerPower(long base, long exponent) {
        if (exponent < 0) {
            if (base == -1) {
                return (exponent & 1) == 0 ? 1 : -1;
            }
            return base == 1 ? 1 : 0;
        }
        long power = 1;
        long square = base;
        for (long e = exponent; e != 0; e >>>= 1) {
            if ((e & 1) != 0) {
                power *= square;
            }
            square *= square;
        }
        return power;
    }

    /** Python's a % b for floats, as PyTorch computes it: fmod moved by b where its sign differs from b's. */
    static double remainder(double a, double b) {
        double mod = a % b;
        return mod != 0 && (b < 0) != (mod < 0) ? mod + b : mod;
    }

    /**
     * floor(a / b) as PyTorch's div_floor_floating: from fmod, so that a quotient just below an integer is not
     * rounded up to it by the division; a / b for b = 0, and a zero with the sign of a / b.
     */
    static double floorDivide(double a, double b) {
        if (b == 0) {
            return a / b;
        }
        double mod = a % b;
        double div = (a - mod) / b;
        if (mod != 0 && (b < 0) != (mod < 0)) {
            div -= 1;
        }
        if (div == 0) {
            return Math.copySign(0, a / b);
        }
        double floor = Math.floor(div);
        return div - floor > 0.5 ? floor + 1 : floor;
    }
}
