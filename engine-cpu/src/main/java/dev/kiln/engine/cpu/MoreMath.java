package dev.kiln.engine.cpu;

/**
 * Element-wise functions java.lang.Math lacks, accurate to a few ulps in double: the inverse hyperbolic functions
 * (in fdlibm's forms, through log1p near their zeros, so that small arguments keep their precision), log2, trunc,
 * and PyTorch's floating remainder and floor division.
 */
final class MoreMath {
    private static final double LN2 = Math.log(2);
    /** Above this, x^2 + 1 is x^2 in double and asinh(x), acosh(x) are log(2x). */
    private static final double LARGE = 0x1p28;
    private static final long MANTISSA_BITS = 0xFFFFFFFFFFFFFL;

    private MoreMath() {
    }

    static double asinh(double x) {
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
    static double acosh(double x) {
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
    static double atanh(double x) {
        double ax = Math.abs(x);
        double r = ax < 0.5 ? 0.5 * Math.log1p(2 * ax + 2 * ax * ax / (1 - ax)) : 0.5 * Math.log1p(2 * ax / (1 - ax));
        return Math.copySign(r, x);
    }

    /** Exact at the normal powers of two, where log(x) / log(2) can miss the integer by an ulp. */
    static double log2(double x) {
        if (x > 0 && x <= Double.MAX_VALUE && (Double.doubleToRawLongBits(x) & MANTISSA_BITS) == 0
                && x >= Double.MIN_NORMAL) {
            return Math.getExponent(x);
        }
        return Math.log(x) / LN2;
    }

    /** Rounded toward zero; -0.5 gives -0. */
    static double trunc(double x) {
        return x < 0 ? Math.ceil(x) : Math.floor(x);
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
