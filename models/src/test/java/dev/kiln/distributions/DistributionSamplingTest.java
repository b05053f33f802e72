package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BytesInUse;
import java.util.List;
import java.util.ServiceLoader;
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

    /**
     * The gradient through Gamma draws has no derivative of its own, as in PyTorch (_standard_gamma_grad): a second
     * derivative through it is refused by name, not computed as if dx/dalpha were constant.
     */
    @Test
    void aSecondDerivativeThroughGammaDrawsIsRefused() {
        Tensor alpha = Tensor.fromArray(new double[] {0.5, 2, 7}, 3).requiresGrad(true);
        Tensor draws = new Gamma(alpha, scalar(1)).rsample();
        Tensor first = Autograd.grad(draws.sum(), List.of(alpha), GradOptions.DEFAULT.withCreateGraph()).get(0);
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> first.sum().backward());
        assertTrue(e.getMessage().startsWith("double backward through Gamma.rsample"), e.getMessage());
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
        assertEquals(Shape.of(4, 2, 3), new Dirichlet(Tensor.ones(DType.F64, 2, 3)).rsample(4).shape());
        assertEquals(Shape.of(4, 2, 3), new Gamma(Tensor.ones(DType.F64, 2, 3), Tensor.ones(DType.F64, 3)).sample(4)
                .shape());
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
    void theSameSeedDrawsTheSameGammaSamplesThroughTheRejectionRounds() {
        Gamma gamma = new Gamma(Tensor.fromArray(new double[] {0.3, 1.0, 7.0}, 3), scalar(1.0));
        Engine.seed(99);
        double[] first = gamma.sample(50).toDoubleArray();
        Engine.seed(99);
        assertArrayEquals(first, gamma.sample(50).toDoubleArray(), 0);
    }

    @Test
    void continuousDrawsHaveTheMeanAndVarianceOfTheirDistribution() {
        assertMoments(new Normal(scalar(1.5), scalar(2.0)), 3);
        assertMoments(new LogNormal(scalar(0.3), scalar(0.25)), logNormalKurtosis(0.25));
        assertMoments(new Laplace(scalar(-1.0), scalar(0.7)), 6);
        assertMoments(new Uniform(scalar(-2.0), scalar(3.0)), 1.8);
        assertMoments(new Exponential(scalar(1.7)), 9);
    }

    /** Gamma below concentration 1 takes the boosted path of the rejection sampler, above it the plain one. */
    @Test
    void gammaChi2BetaAndStudentTDrawsHaveTheMeanAndVarianceOfTheirDistribution() {
        assertMoments(new Gamma(scalar(2.5), scalar(1.5)), 3 + 6 / 2.5);
        assertMoments(new Gamma(scalar(0.4), scalar(2.0)), 3 + 6 / 0.4);
        assertMoments(new Chi2(scalar(3.0)), 3 + 6 / 1.5);
        assertMoments(new Beta(scalar(2.0), scalar(5.0)), betaKurtosis(2.0, 5.0));
        assertMoments(new StudentT(scalar(10.0), scalar(1.0), scalar(2.0)), 3 + 6 / (10.0 - 4));
    }

    /** The kurtosis of Beta(a, b), 3 plus its excess. */
    private static double betaKurtosis(double a, double b) {
        double excess = 6 * ((a - b) * (a - b) * (a + b + 1) - a * b * (a + b + 2)) / (a * b * (a + b + 2) * (a + b + 3));
        return 3 + excess;
    }

    /** Each coordinate of a Dirichlet draw is Beta(alpha_i, a0 - alpha_i); the coordinates sum to 1. */
    @Test
    void dirichletDrawsAreProbabilityVectorsWhoseCoordinatesHaveTheirBetaMarginalsMoments() {
        double[] alpha = {0.6, 2.0, 4.5};
        double a0 = 7.1;
        Dirichlet dirichlet = new Dirichlet(Tensor.fromArray(alpha, 3));
        double[] x = dirichlet.sample(DRAWS).toDoubleArray();
        for (int r = 0; r < DRAWS; r++) {
            assertEquals(1, x[3 * r] + x[3 * r + 1] + x[3 * r + 2], 1e-12, "sum of draw " + r);
        }
        double[] mean = dirichlet.mean().toDoubleArray();
        double[] variance = dirichlet.variance().toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double[] coordinate = new double[DRAWS];
            for (int r = 0; r < DRAWS; r++) {
                coordinate[r] = x[3 * r + i];
            }
            assertMoments("coordinate " + i, coordinate, mean[i], variance[i], betaKurtosis(alpha[i], a0 - alpha[i]));
        }
    }

    @Test
    void gammaDrawsArePositiveEvenForTinyConcentrations() {
        for (double x : new Gamma(scalar(0.01), scalar(1.0)).sample(1000).toDoubleArray()) {
            assertTrue(x >= Double.MIN_NORMAL, "a Gamma draw must be clamped to the smallest normal number, got " + x);
        }
    }

    /** As PyTorch's Gamma.rsample, the clamp follows the division by the rate, which would take tiny draws below it. */
    @Test
    void gammaDrawsDividedByALargeRateAreStillAtLeastTheSmallestNormalNumber() {
        Gamma gamma = new Gamma(Tensor.full(0.01, DType.F32), Tensor.full(1e6, DType.F32));
        Tensor draws = gamma.sample(1000);
        for (double x : draws.toDoubleArray()) {
            assertTrue(x >= Float.MIN_NORMAL, "a Gamma(0.01, 1e6) draw must be clamped to F32's smallest normal number"
                    + " after dividing by the rate, got " + x);
        }
        for (double logProb : gamma.logProb(draws).toDoubleArray()) {
            assertTrue(Double.isFinite(logProb), "the log-probability of a clamped draw must be finite, got " + logProb);
        }
    }

    /**
     * As PyTorch's {@code _sample_dirichlet}, a normalised coordinate lies in [smallest normal, largest float below 1]:
     * a concentration of 0.01 beside 1 makes the other coordinate round to 1 (and this one below the smallest normal)
     * otherwise, where Beta's log-probability is infinite.
     */
    @Test
    void betaDrawsOfATinyConcentrationStayStrictlyInsideTheUnitInterval() {
        Beta beta = new Beta(Tensor.full(1.0, DType.F32), Tensor.full(0.01, DType.F32));
        Tensor draws = beta.sample(1000);
        for (double x : draws.toDoubleArray()) {
            assertTrue(x >= Float.MIN_NORMAL && x <= 1 - 0x1p-24, "a Beta(1, 0.01) draw must lie in [" + Float.MIN_NORMAL
                    + ", 1 - 2^-24], got " + x);
        }
        for (double logProb : beta.logProb(draws).toDoubleArray()) {
            assertTrue(Double.isFinite(logProb), "the log-probability of a Beta draw must be finite, got " + logProb);
        }
    }

    /**
     * The implicit reparameterisation gradient is some eighty tensor ops over the draws (four branches of PyTorch's
     * approximation): the backward pass frees them, leaving a few tensors of the draws' size, not dozens.
     */
    @Test
    void backwardThroughGammaDrawsFreesTheGradientsIntermediates() {
        int n = 10000;
        Tensor alpha = Tensor.full(3.0, DType.F64, n).requiresGrad(true);
        Tensor loss = new Gamma(alpha, scalar(2.0)).rsample().sum();
        BytesInUse.settle();
        long before = Engine.get().backend().bytesInUse();
        loss.backward();
        long grown = Engine.get().backend().bytesInUse() - before;
        assertTrue(grown <= 8L * n * Double.BYTES, "the backward pass through " + n + " Gamma draws kept " + grown
                / (n * Double.BYTES) + " tensors of their size");
    }

    /**
     * Each rejection round makes some thirty tensors of the draws' size; only the draws so far and which elements
     * still wait go on to the next round, so that a large batch's memory does not grow with its rounds (53 tensors at
     * the peak, 118 when the rounds' tensors stayed). Measured by the peak of a CPU backend of its own, which nothing
     * else has used.
     */
    @Test
    void gammaSamplingFreesEachRejectionRoundsTensors() {
        int n = 100000;
        long tensor = (long) n * Double.BYTES;
        BackendProvider cpu = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cpu")).findFirst().orElseThrow();
        try (Backend fresh = cpu.create()) {
            Tensor alpha = Tensor.full(3.0, DType.F64, n).to(fresh);
            new Gamma(alpha, Tensor.full(1.0, DType.F64).to(fresh)).sample();
            long peak = fresh.peakBytesInUse();
            assertTrue(peak < 64 * tensor, "sampling " + n + " Gamma draws held up to " + peak / tensor
                    + " tensors of their size at once");
        }
    }

    /**
     * The reparameterised gradient is unbiased: over DRAWS draws, each with its own parameter leaf, the mean of
     * d(draw)/d(parameter) is d(mean)/d(parameter) within STANDARD_ERRORS standard errors of the per-draw gradients.
     */
    @Test
    void reparameterisedGradientsOfGammaBetaAndDirichletDrawsAreUnbiased() {
        Tensor alpha = Tensor.full(0.7, DType.F64, DRAWS).requiresGrad(true);
        new Gamma(alpha, Tensor.full(2.0, DType.F64, DRAWS)).rsample().sum().backward();
        assertMeanGradient("Gamma d/d concentration", alpha.grad().toDoubleArray(), 0, 1, 1 / 2.0);
        Tensor c1 = Tensor.full(2.0, DType.F64, DRAWS).requiresGrad(true);
        Tensor c0 = Tensor.full(0.5, DType.F64, DRAWS).requiresGrad(true);
        new Beta(c1, c0).rsample().sum().backward();
        assertMeanGradient("Beta d/d concentration1", c1.grad().toDoubleArray(), 0, 1, 0.5 / (2.5 * 2.5));
        assertMeanGradient("Beta d/d concentration0", c0.grad().toDoubleArray(), 0, 1, -2.0 / (2.5 * 2.5));
        double[] a = {0.6, 2.0, 4.5};
        double a0 = 7.1;
        Tensor concentration = Tensor.fromArray(a, 1, 3).expand(DRAWS, 3).copy().requiresGrad(true);
        new Dirichlet(concentration).rsample().narrow(-1, 0, 1).sum().backward();
        double[] grad = concentration.grad().toDoubleArray();
        for (int j = 0; j < 3; j++) {
            double expected = ((j == 0 ? a0 : 0) - a[0]) / (a0 * a0);
            assertMeanGradient("Dirichlet d x_0 / d alpha_" + j, grad, j, 3, expected);
        }
    }

    /** The mean of every {@code stride}-th value from {@code offset} against {@code expected}. */
    private static void assertMeanGradient(String what, double[] values, int offset, int stride, double expected) {
        int n = values.length / stride;
        double mean = 0;
        for (int r = 0; r < n; r++) {
            mean += values[r * stride + offset] / n;
        }
        double squares = 0;
        for (int r = 0; r < n; r++) {
            double d = values[r * stride + offset] - mean;
            squares += d * d;
        }
        assertEquals(expected, mean, STANDARD_ERRORS * Math.sqrt(squares / (n - 1) / n), what);
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
        assertMoments(d.toString(), d.sample(DRAWS).toDoubleArray(), d.mean().item(), d.variance().item(), kurtosis);
    }

    /** The sample mean and variance of draws {@code x} against {@code mean} and {@code variance}. */
    private static void assertMoments(String what, double[] x, double mean, double variance, double kurtosis) {
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
        assertEquals(mean, sampleMean, STANDARD_ERRORS * Math.sqrt(variance / DRAWS), what + " sample mean");
        assertEquals(variance, sampleVariance, STANDARD_ERRORS * Math.sqrt((kurtosis - 1) / x.length) * variance,
                what + " sample variance");
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
