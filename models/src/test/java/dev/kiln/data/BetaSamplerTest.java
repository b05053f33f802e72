package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The host sampler of lambda ~ Beta(alpha, alpha) for MixUp and CutMix, and the Marsaglia-Tsang gamma draws under it,
 * checked against their exact moments and, where the distribution function has a closed form (Beta(1, 1) is uniform,
 * Beta(1/2, 1/2) is the arcsine law), a Kolmogorov-Smirnov bound. The seeds are fixed, so every bound is met or not
 * once and for all; each sits at about five standard errors, so that a correct sampler meets them for any seed.
 */
class BetaSamplerTest {
    private static final int DRAWS = 200_000;

    @Test
    void gammaDrawsHaveTheShapesMeanAndVariance() {
        for (double shape : new double[] {0.1, 0.3, 1, 2.5, 9}) {
            double[] x = gammas(shape, new SplittableRandom(11));
            // Gamma(k, 1): mean k, variance k, fourth central moment 3k^2 + 6k.
            double sd = Math.sqrt(shape / DRAWS);
            assertEquals(shape, mean(x), 5 * sd, "mean of Gamma(" + shape + ")");
            double varianceSd = Math.sqrt((3 * shape * shape + 6 * shape - shape * shape) / DRAWS);
            assertEquals(shape, variance(x), 5 * varianceSd, "variance of Gamma(" + shape + ")");
        }
    }

    @Test
    void betaDrawsHaveTheMeanAndVarianceOfBeta() {
        double[][] ab = {{1, 1}, {0.2, 0.2}, {0.4, 0.4}, {2, 5}, {0.3, 3}, {20, 20}};
        for (double[] p : ab) {
            double a = p[0];
            double b = p[1];
            double[] x = betas(a, b, new SplittableRandom(7));
            double mean = a / (a + b);
            double var = a * b / ((a + b) * (a + b) * (a + b + 1));
            assertEquals(mean, mean(x), 5 * Math.sqrt(var / DRAWS), "mean of Beta(" + a + ", " + b + ")");
            // A draw lies in [0, 1], so (x - mean)^2 is at most 1 and its variance at most var.
            assertEquals(var, variance(x), 5 * Math.sqrt(var / DRAWS), "variance of Beta(" + a + ", " + b + ")");
        }
    }

    @Test
    void betaOfOneAndOneIsUniform() {
        double[] x = betas(1, 1, new SplittableRandom(3));
        assertTrue(kolmogorovSmirnov(x, v -> v) < 1.63 / Math.sqrt(DRAWS), "KS distance to U(0, 1)");
    }

    @Test
    void betaOfOneHalfIsTheArcsineLaw() {
        double[] x = betas(0.5, 0.5, new SplittableRandom(5));
        double d = kolmogorovSmirnov(x, v -> 2 / Math.PI * Math.asin(Math.sqrt(v)));
        // 1.63 / sqrt(n) is the KS statistic's 1% point.
        assertTrue(d < 1.63 / Math.sqrt(DRAWS), "KS distance to the arcsine law: " + d);
    }

    @Test
    void smallAlphaGivesDrawsInTheUnitIntervalPiledAtItsEnds() {
        double[] x = betas(0.01, 0.01, new SplittableRandom(9));
        long inside = Arrays.stream(x).filter(v -> v > 0.01 && v < 0.99).count();
        for (double v : x) {
            assertTrue(v >= 0 && v <= 1, "draw " + v + " outside [0, 1]");
        }
        // P(0.01 < X < 0.99) for Beta(0.01, 0.01): scipy.special.betainc(0.01, 0.01, x) at 0.99 less at 0.01.
        assertEquals(0.044758, inside / (double) DRAWS, 0.0025);
    }

    @Test
    void theSameStreamGivesTheSameDraws() {
        assertEquals(BetaSampler.beta(0.4, 0.4, new SplittableRandom(42)),
                BetaSampler.beta(0.4, 0.4, new SplittableRandom(42)));
    }

    @Test
    void refusesParametersThatAreNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> BetaSampler.beta(0, 1, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("Beta: the concentrations must be positive and finite, got 0.0 and 1.0"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> BetaSampler.beta(1, Double.NaN, new SplittableRandom(1)));
    }

    private static double[] gammas(double shape, SplittableRandom random) {
        double[] x = new double[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            x[i] = Math.exp(BetaSampler.logGamma(shape, random));
        }
        return x;
    }

    private static double[] betas(double a, double b, SplittableRandom random) {
        double[] x = new double[DRAWS];
        for (int i = 0; i < DRAWS; i++) {
            x[i] = BetaSampler.beta(a, b, random);
        }
        return x;
    }

    private static double mean(double[] x) {
        return Arrays.stream(x).sum() / x.length;
    }

    private static double variance(double[] x) {
        double m = mean(x);
        return Arrays.stream(x).map(v -> (v - m) * (v - m)).sum() / (x.length - 1);
    }

    /** The largest distance between the draws' empirical distribution function and {@code cdf}. */
    private static double kolmogorovSmirnov(double[] x, java.util.function.DoubleUnaryOperator cdf) {
        double[] sorted = x.clone();
        Arrays.sort(sorted);
        double d = 0;
        for (int i = 0; i < sorted.length; i++) {
            double f = cdf.applyAsDouble(sorted[i]);
            d = Math.max(d, Math.max((i + 1.0) / sorted.length - f, f - i / (double) sorted.length));
        }
        return d;
    }
}
