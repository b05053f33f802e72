package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Draws from the engine's seeded stream: their shapes (sample, then batch, then event), their gradients, their
 * repeatability, and their statistics. Kiln's random stream is not PyTorch's, so draws are judged by statistics: over
 * {@value #DRAWS} draws the sample mean must lie within {@value #STANDARD_ERRORS} standard errors of the mean and the
 * sample variance within as many of the variance (whose standard error sqrt((kurtosis - 1) / n) variance depends on
 * the kurtosis), and class frequencies within as many of their probabilities. Fixed seeds make each run the same.
 */
class DistributionSamplingTest {
    private static final int DRAWS = 100000;
    private static final double STANDARD_ERRORS = 5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(2024);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor scalar(double value) {
        return Tensor.full(value, DType.F64);
    }

    @Test
    void drawsHaveTheSampleShapeThenTheBatchShapeThenTheEventShape() {
        Normal normal = new Normal(Tensor.zeros(DType.F64, 2, 3), Tensor.ones(DType.F64, 2, 3));
        assertEquals(Shape.of(4, 5, 2, 3), normal.sample(4, 5).shape());
        assertEquals(Shape.of(2, 3), normal.rsample().shape());
        MultivariateNormal mvn = MultivariateNormal.ofScaleTril(Tensor.zeros(DType.F64, 2, 3),
                Tensor.fromArray(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3));
        assertEquals(Shape.of(7, 2, 3), mvn.rsample(7).shape());
        Tensor probs = Tensor.full(0.25, DType.F64, 3, 4);
        assertEquals(Shape.of(2, 3, 4), OneHotCategorical.ofProbs(probs).sample(2).shape());
        Tensor classes = Categorical.ofProbs(probs).sample(5);
        assertEquals(Shape.of(5, 3), classes.shape());
        assertEquals(DType.I64, classes.dtype());
        assertEquals(Shape.of(6, 2, 3), new Independent(normal, 1).sample(6).shape());
    }

    @Test
    void sampleCarriesNoGradientButRsampleDoes() {
        Tensor loc = Tensor.zeros(DType.F64, 3).requiresGrad(true);
        Normal normal = new Normal(loc, Tensor.ones(DType.F64, 3));
        assertFalse(normal.sample(2).requiresGrad());
        assertTrue(normal.rsample(2).requiresGrad());
    }

    @Test
    void rsampleIsLocPlusScaleTimesTheEnginesStandardNormalDraws() {
        Tensor loc = Tensor.fromArray(new double[] {0.5, -1.0, 2.0}, 3);
        Tensor scale = Tensor.fromArray(new double[] {0.5, 1.2, 2.0}, 3);
        Engine.seed(7);
        double[] drawn = new Normal(loc, scale).rsample(4).toDoubleArray();
        Engine.seed(7);
        double[] expected = loc.add(Tensor.randn(DType.F64, 4, 3).mul(scale)).toDoubleArray();
        assertArrayEquals(expected, drawn, 0);
    }

    @Test
    void theSameSeedDrawsTheSameSamples() {
        Categorical categorical = Categorical.ofLogits(Tensor.fromArray(new double[] {0.1, 0.5, -0.2}, 3));
        Engine.seed(99);
        long[] first = categorical.sample(50).toLongArray();
        Engine.seed(99);
        assertArrayEquals(first, categorical.sample(50).toLongArray());
    }

    @Test
    void continuousDrawsHaveTheMeanAndVarianceOfTheirDistribution() {
        assertMoments(new Normal(scalar(1.5), scalar(2.0)), 3);
        assertMoments(new LogNormal(scalar(0.3), scalar(0.25)), logNormalKurtosis(0.25));
        assertMoments(new Laplace(scalar(-1.0), scalar(0.7)), 6);
        assertMoments(new Uniform(scalar(-2.0), scalar(3.0)), 1.8);
        assertMoments(new Exponential(scalar(1.7)), 9);
    }

    @Test
    void bernoulliDrawsAreZeroOrOneWithTheirProbability() {
        double p = 0.3;
        Bernoulli bernoulli = Bernoulli.ofProbs(scalar(p));
        assertMoments(bernoulli, 3 + (1 - 6 * p * (1 - p)) / (p * (1 - p)));
        for (double x : bernoulli.sample(100).toDoubleArray()) {
            assertTrue(x == 0 || x == 1, "a Bernoulli draw must be 0 or 1, got " + x);
        }
    }

    /** The kurtosis E[(X - mean)^4] / variance^2 of a log-normal of scale s. */
    private static double logNormalKurtosis(double s) {
        double v = s * s;
        return Math.exp(4 * v) + 2 * Math.exp(3 * v) + 3 * Math.exp(2 * v) - 3;
    }

    /** The sample mean and variance of DRAWS draws against the distribution's, with the kurtosis setting the latter's error. */
    private static void assertMoments(Distribution d, double kurtosis) {
        double[] x = d.sample(DRAWS).toDoubleArray();
        double mean = d.mean().item();
        double variance = d.variance().item();
        double sampleMean = 0;
        for (double v : x) {
            sampleMean += v;
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

    @Test
    void categoricalDrawsEachClassInProportionAndNeverOneOfProbabilityZero() {
        double[] probs = {0.1, 0.0, 0.6, 0.3};
        long[] classes = Categorical.ofProbs(Tensor.fromArray(probs, 4)).sample(DRAWS).toLongArray();
        int[] counts = new int[probs.length];
        for (long c : classes) {
            counts[(int) c]++;
        }
        assertFrequencies(probs, counts);
        assertEquals(0, counts[1], "draws of the class of probability 0");
    }

    @Test
    void oneHotDrawsAreOneHotRowsInProportion() {
        double[] probs = {0.5, 0.2, 0.3};
        double[] rows = OneHotCategorical.ofLogits(Tensor.fromArray(probs, 3).log()).sample(DRAWS).toDoubleArray();
        int[] counts = new int[probs.length];
        for (int r = 0; r < DRAWS; r++) {
            int ones = 0;
            for (int k = 0; k < probs.length; k++) {
                double v = rows[r * probs.length + k];
                assertTrue(v == 0 || v == 1, "one-hot entries must be 0 or 1, got " + v);
                if (v == 1) {
                    ones++;
                    counts[k]++;
                }
            }
            assertEquals(1, ones, "ones in draw " + r);
        }
        assertFrequencies(probs, counts);
    }

    private static void assertFrequencies(double[] probs, int[] counts) {
        for (int k = 0; k < probs.length; k++) {
            double error = STANDARD_ERRORS * Math.sqrt(probs[k] * (1 - probs[k]) / DRAWS);
            assertEquals(probs[k], counts[k] / (double) DRAWS, error, "frequency of class " + k);
        }
    }

    @Test
    void multivariateNormalDrawsHaveItsMeanAndCovariance() {
        double[] loc = {1.0, -2.0, 0.5};
        double[] tril = {1.2, 0, 0, 0.3, 0.8, 0, -0.5, 0.4, 1.5};
        MultivariateNormal mvn = MultivariateNormal.ofScaleTril(Tensor.fromArray(loc, 3), Tensor.fromArray(tril, 3, 3));
        double[] x = mvn.sample(DRAWS).toDoubleArray();
        double[] covariance = mvn.covarianceMatrix().toDoubleArray();
        double[] mean = new double[3];
        for (int r = 0; r < DRAWS; r++) {
            for (int i = 0; i < 3; i++) {
                mean[i] += x[r * 3 + i] / DRAWS;
            }
        }
        for (int i = 0; i < 3; i++) {
            assertEquals(loc[i], mean[i], STANDARD_ERRORS * Math.sqrt(covariance[i * 4] / DRAWS), "mean " + i);
            for (int j = 0; j < 3; j++) {
                double sum = 0;
                for (int r = 0; r < DRAWS; r++) {
                    sum += (x[r * 3 + i] - mean[i]) * (x[r * 3 + j] - mean[j]);
                }
                // The variance of a Gaussian sample covariance is (s_ii s_jj + s_ij^2) / n.
                double s = covariance[i * 3 + j];
                double error = STANDARD_ERRORS * Math.sqrt((covariance[i * 4] * covariance[j * 4] + s * s) / DRAWS);
                assertEquals(s, sum / (DRAWS - 1), error, "covariance " + i + ", " + j);
            }
        }
    }
}
