package dev.kiln.engine.cpu;

/**
 * The error function to near double precision (Java has none): its Maclaurin series where that converges
 * quickly, and the continued fraction of erfc in the tails.
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);

    private Erf() {
    }

    static double erf(double x) {
        double ax = Math.abs(x);
        if (ax > 6) {
            return Math.signum(x);
        }
        double r = ax < 2.5 ? series(ax) : 1 - erfcContinuedFraction(ax);
        return Math.copySign(r, x);
    }

    /**
     * erfc(x) = 1 - erf(x), from the continued fraction in the right tail, where 1 - erf(x) would lose the
     * digits of a value far below 1.
     */
    static double erfc(double x) {
        return x >= 2.5 ? erfcContinuedFraction(x) : 1 - erf(x);
    }

    /** erf(x) = 2/sqrt(pi) * sum (-1)^n x^(2n+1) / (n! (2n+1)); terms shrink fast for x &lt; 2.5. */
    private static double series(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 200; n++) {
            term *= -x2 / n;
            double add = term / (2 * n + 1);
            sum += add;
            if (Math.abs(add) < 1e-17 * Math.abs(sum)) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * sum;
    }

    /** erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated backwards. */
    private static double erfcContinuedFraction(double x) {
        double f = x;
        for (int k = 80; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
