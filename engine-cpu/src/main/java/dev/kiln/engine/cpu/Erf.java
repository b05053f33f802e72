package dev.kiln.engine.cpu;

/**
 * The error function to near double precision (Java has none). A series of positive terms is exact but slow (a few
 * hundred terms); it builds, once, a table of erf's Taylor polynomials at the centres k / 16 of [0, 6], from which
 * {@link #erf} and {@link #erfc} take a value in one polynomial of degree 10 (ten times faster than the series was).
 */
final class Erf {
    private static final double TWO_OVER_SQRT_PI = 2 / Math.sqrt(Math.PI);
    /** Beyond this, erf(x) is 1 in double. */
    private static final double TABLE_END = 6;
    private static final int CENTRES_PER_UNIT = 16;
    /**
     * The polynomials' degree: within 1/32 of a centre the remainder is below 1e-18, as erf's derivatives of order n
     * are bounded by 2/sqrt(pi) sqrt(2^n n!) (Cramér's bound on Hermite functions).
     */
    private static final int DEGREE = 10;
    /** Taylor coefficients of erf at centre k / 16, for k = 0 .. 96, at [k * (DEGREE + 1) + m] for order m. */
    private static final double[] TAYLOR = taylorTable();
    /**
     * From here erfc comes from its continued fraction, where 80 steps converge to double precision: the table's
     * polynomials, accurate relative to erf, lose digits of erfc below 1e-8.
     */
    private static final double ERFC_TAIL = 4;
    private static final int TAIL_STEPS = 80;
    private static final double[] ERFC_AT_CENTRES = erfcAtCentres();

    private Erf() {
    }

    static double erf(double x) {
        double ax = Math.abs(x);
        if (!(ax < TABLE_END)) {
            return Double.isNaN(x) ? x : Math.signum(x);
        }
        int k = centre(ax);
        return Math.copySign(TAYLOR[k * (DEGREE + 1)] + change(k, ax), x);
    }

    /**
     * erfc(x) = 1 - erf(x) to near double precision relative to itself: on the right from erfc at the table's centre,
     * where 1 - erf(x) would lose the digits of a value far below 1, and in the tail from the continued fraction.
     */
    static double erfc(double x) {
        if (x < 0) {
            return 1 + erf(-x);
        }
        if (!(x < ERFC_TAIL)) {
            return Double.isNaN(x) ? x : erfcContinuedFraction(x, TAIL_STEPS);
        }
        int k = centre(x);
        return ERFC_AT_CENTRES[k] - change(k, x);
    }

    /** The table's centre nearest to {@code ax} in [0, 6): k for k / 16. */
    private static int centre(double ax) {
        return (int) (ax * CENTRES_PER_UNIT + 0.5);
    }

    /** erf(ax) - erf(c) for c = k / 16: the Taylor polynomial at c without its constant term. */
    private static double change(int k, double ax) {
        double h = ax - (double) k / CENTRES_PER_UNIT;
        int base = k * (DEGREE + 1);
        double r = TAYLOR[base + DEGREE];
        for (int m = DEGREE - 1; m >= 1; m--) {
            r = r * h + TAYLOR[base + m];
        }
        return r * h;
    }

    /**
     * erfc at the table's centres: 1 - erf below 0.5, where erfc is near 1; above, the continued fraction taken far
     * enough to converge (its convergence slows toward 0).
     */
    private static double[] erfcAtCentres() {
        double[] values = new double[(int) (ERFC_TAIL * CENTRES_PER_UNIT) + 1];
        for (int k = 0; k < values.length; k++) {
            double c = (double) k / CENTRES_PER_UNIT;
            values[k] = c < 0.5 ? 1 - positiveSeries(c) : erfcContinuedFraction(c, 2_000);
        }
        return values;
    }

    /**
     * The coefficients erf^(m)(c) / m! at each centre c: erf(c) from the series, and
     * erf^(m)(c) = 2/sqrt(pi) (-1)^(m-1) H_(m-1)(c) exp(-c^2) for m &gt;= 1, with the Hermite polynomials
     * H_0 = 1, H_1 = 2c, H_(n+1) = 2c H_n - 2n H_(n-1).
     */
    private static double[] taylorTable() {
        int centres = (int) (TABLE_END * CENTRES_PER_UNIT) + 1;
        double[] table = new double[centres * (DEGREE + 1)];
        for (int k = 0; k < centres; k++) {
            double c = (double) k / CENTRES_PER_UNIT;
            int base = k * (DEGREE + 1);
            table[base] = positiveSeries(c);
            double gaussian = TWO_OVER_SQRT_PI * Math.exp(-c * c);
            double previous = 0;
            double hermite = 1;
            double factorial = 1;
            for (int m = 1; m <= DEGREE; m++) {
                factorial *= m;
                double sign = m % 2 == 1 ? 1 : -1;
                table[base + m] = sign * hermite * gaussian / factorial;
                double next = 2 * c * hermite - 2 * (m - 1) * previous;
                previous = hermite;
                hermite = next;
            }
        }
        return table;
    }

    /**
     * erf(x) = 2/sqrt(pi) exp(-x^2) sum 2^n x^(2n+1) / (1 3 5 ... (2n+1)) for x &gt;= 0: terms of one sign, so that
     * nothing cancels (the Maclaurin series alternates, and loses digits beyond x = 1); slow for large x, which only
     * the table's construction sees.
     */
    private static double positiveSeries(double x) {
        double x2 = x * x;
        double term = x;
        double sum = x;
        for (int n = 1; n < 1000; n++) {
            term *= 2 * x2 / (2 * n + 1);
            sum += term;
            if (term < 1e-17 * sum) {
                break;
            }
        }
        return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
    }

    /**
     * erfc(x) = exp(-x^2)/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...))))), evaluated backwards from
     * {@code steps} deep.
     */
    private static double erfcContinuedFraction(double x, int steps) {
        double f = x;
        for (int k = steps; k >= 1; k--) {
            f = x + (k / 2.0) / f;
        }
        return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }
}
