package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Draws of Cauchy, HalfNormal, HalfCauchy, Gumbel, Poisson, Geometric and Binomial from the engine's seeded stream,
 * judged by statistics as {@link DistributionSamplingTest} judges the others: over {@value #DRAWS} draws the sample
 * mean within {@value #STANDARD_ERRORS} standard errors of the mean, the sample variance within as many of the
 * variance (its standard error sqrt((kurtosis - 1) / n) variance), and the frequency of a value, or of values at most
 * x, within as many standard errors sqrt(p (1 - p) / n) of its probability (for Cauchy's, without moments). Counts
 * are checked on both sides of each sampler's switch (Poisson's rate 10, Binomial's n min(p, 1 - p) of 10).
 */
class MoreDistributionsSamplingTest {
    private static final int DRAWS = 100000;
    private static final double STANDARD_ERRORS = 5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(2025);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor scalar(double value) {
        return Tensor.full(value, DType.F64);
    }

    @Test
    void drawsHaveTheSampleShapeThenTheBatchShape() {
        Tensor ones = Tensor.ones(DType.F64, 2, 3);
        assertEquals(Shape.of(4, 2, 3), new Cauchy(ones, ones).rsample(4).shape());
        assertEquals(Shape.of(4, 2, 3), new HalfNormal(ones).sample(4).shape());
        assertEquals(Shape.of(4, 2, 3), new HalfCauchy(ones).sample(4).shape());
        assertEquals(Shape.of(4, 2, 3), new Gumbel(ones, ones).rsample(4).shape());
        assertEquals(Shape.of(4, 5, 2, 3), new Poisson(ones).sample(4, 5).shape());
        assertEquals(Shape.of(4, 2, 3), Geometric.ofProbs(ones.mul(0.5)).sample(4).shape());
        assertEquals(Shape.of(4, 2, 3), Binomial.ofProbs(scalar(7), ones.mul(0.5)).sample(4).shape());
    }

    @Test
    void onlyTheContinuousOnesHaveReparameterisedDraws() {
        Tensor loc = Tensor.zeros(DType.F64, 3).requiresGrad(true);
        assertTrue(new Cauchy(loc, scalar(1)).rsample(2).requiresGrad());
        assertTrue(new Gumbel(loc, scalar(1)).rsample(2).requiresGrad());
        assertTrue(new HalfNormal(loc.add(1)).rsample(2).requiresGrad());
        assertTrue(new HalfCauchy(loc.add(1)).rsample(2).requiresGrad());
        assertFalse(new Poisson(loc.add(1)).hasRsample());
        assertFalse(Geometric.ofProbs(loc.add(0.5)).hasRsample());
        assertFalse(Binomial.ofProbs(scalar(3), loc.add(0.5)).hasRsample());
        assertFalse(new Poisson(loc.add(1)).sample(2).requiresGrad());
    }

    @Test
    void continuousDrawsHaveTheMomentsOrTheQuantilesOfTheirDistribution() {
        double halfNormalKurtosis = 3.8691773036059693;
        assertMoments(new HalfNormal(scalar(1.5)), halfNormalKurtosis);
        assertMoments(new Gumbel(scalar(-0.5), scalar(2.0)), 5.4);
        assertQuantiles(new Cauchy(scalar(1.0), scalar(0.5)), -3, 0, 1, 1.5, 10);
        assertQuantiles(new HalfCauchy(scalar(2.0)), 0.1, 1, 2, 5, 50);
    }

    @Test
    void poissonDrawsAreWholeCountsOfTheirDistributionOnBothSidesOfTheSwitch() {
        for (double rate : new double[] {0.5, 4, 9.9, 10, 25, 400}) {
            assertMoments(new Poisson(scalar(rate)), 3 + 1 / rate);
        }
        assertFrequencies(new Poisson(scalar(3)), 0, 1, 3, 6);
        assertFrequencies(new Poisson(scalar(25)), 15, 24, 25, 33);
        assertEquals(0, new Poisson(scalar(0)).sample(100).abs().max().item(), "draws of rate 0");
    }

    @Test
    void geometricDrawsHaveItsMomentsAndFrequencies() {
        double p = 0.3;
        assertMoments(Geometric.ofProbs(scalar(p)), 9 + p * p / (1 - p));
        assertFrequencies(Geometric.ofProbs(scalar(p)), 0, 1, 4);
        assertEquals(0, Geometric.ofProbs(scalar(1)).sample(100).abs().max().item(), "draws of probability 1");
    }

    @Test
    void binomialDrawsAreWholeCountsOfTheirDistributionOnBothSidesOfTheSwitch() {
        double[][] cases = {{10, 0.3}, {20, 0.95}, {100, 0.4}, {200, 0.9}, {1000, 0.02}};
        for (double[] c : cases) {
            double n = c[0];
            double p = c[1];
            assertMoments(Binomial.ofProbs(scalar(n), scalar(p)), 3 + (1 - 6 * p * (1 - p)) / (n * p * (1 - p)));
        }
        assertFrequencies(Binomial.ofProbs(scalar(10), scalar(0.3)), 0, 3, 7);
        assertFrequencies(Binomial.ofProbs(scalar(100), scalar(0.4)), 30, 40, 41, 50);
        assertEquals(0, Binomial.ofProbs(scalar(12), scalar(0)).sample(100).abs().max().item(), "draws of p = 0");
        assertEquals(12 * 100, Binomial.ofProbs(scalar(12), scalar(1)).sample(100).sum().item(), "draws of p = 1");
    }

    @Test
    void countDrawsFollowEachElementsOwnParameterInOneBatch() {
        Tensor rates = Tensor.fromArray(new double[] {0.5, 40}, 2);
        double[] x = new Poisson(rates).sample(DRAWS).mean(0, false).toDoubleArray();
        assertEquals(0.5, x[0], STANDARD_ERRORS * Math.sqrt(0.5 / DRAWS), "mean of rate 0.5");
        assertEquals(40, x[1], STANDARD_ERRORS * Math.sqrt(40.0 / DRAWS), "mean of rate 40");
        Tensor probs = Tensor.fromArray(new double[] {0.1, 0.5}, 2);
        Tensor totals = Tensor.fromArray(new double[] {5, 200}, 2);
        double[] y = Binomial.ofProbs(totals, probs).sample(DRAWS).mean(0, false).toDoubleArray();
        assertEquals(0.5, y[0], STANDARD_ERRORS * Math.sqrt(0.45 / DRAWS), "mean of 5 trials at 0.1");
        assertEquals(100, y[1], STANDARD_ERRORS * Math.sqrt(50.0 / DRAWS), "mean of 200 trials at 0.5");
    }

    /** The sample mean and variance against the distribution's, draws whole numbers where it is discrete. */
    private static void assertMoments(Distribution d, double kurtosis) {
        double[] x = d.sample(DRAWS).toDoubleArray();
        double mean = d.mean().item();
        double variance = d.variance().item();
        boolean discrete = d.support().description().contains("whole");
        double sampleMean = 0;
        for (double v : x) {
            sampleMean += v;
            if (discrete) {
                assertEquals(Math.floor(v), v, 0, d + " draws whole numbers");
            }
        }
        sampleMean /= x.length;
        double sampleVariance = 0;
        for (double v : x) {
            sampleVariance += (v - sampleMean) * (v - sampleMean);
        }
        sampleVariance /= x.length - 1;
        assertEquals(mean, sampleMean, STANDARD_ERRORS * Math.sqrt(variance / DRAWS), d + " sample mean");
        assertEquals(variance, sampleVariance, STANDARD_ERRORS * Math.sqrt((kurtosis - 1) / DRAWS) * variance,
                d + " sample variance");
    }

    /** The frequency of draws at most each point against the distribution's cdf there. */
    private static void assertQuantiles(Distribution d, double... points) {
        double[] x = d.sample(DRAWS).toDoubleArray();
        for (double point : points) {
            double p = d.cdf(scalar(point)).item();
            long below = Arrays.stream(x).filter(v -> v <= point).count();
            assertEquals(p, below / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS),
                    d + " frequency of draws <= " + point);
        }
    }

    /** The frequency of each count against its probability exp(logProb). */
    private static void assertFrequencies(Distribution d, double... counts) {
        double[] x = d.sample(DRAWS).toDoubleArray();
        for (double k : counts) {
            double p = Math.exp(d.logProb(scalar(k)).item());
            long hits = Arrays.stream(x).filter(v -> v == k).count();
            assertEquals(p, hits / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS),
                    d + " frequency of " + k);
        }
    }
}
