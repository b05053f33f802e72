package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.time.Duration;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Draws of Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli, VonMises, Kumaraswamy,
 * FisherSnedecor and LowRankMultivariateNormal from the engine's seeded stream, judged by statistics: over
 * {@value #DRAWS} draws the sample mean of each element within {@value #STANDARD_ERRORS} standard errors
 * sqrt(variance / n) of the distribution's mean, the sample variance within as many of its variance (standard error
 * sqrt((kurtosis - 1) / n) variance), frequencies within as many sqrt(p (1 - p) / n) of the cdf.
 */
class ExtraDistributionsSamplingTest {
    private static final int DRAWS = 100000;
    private static final double STANDARD_ERRORS = 5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(2026);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor vector(double... values) {
        return Tensor.fromArray(values, values.length);
    }

    @Test
    void multinomialDrawsAreWholeCountsOfTheTotalWithBinomialMarginals() {
        double[] p = {0.1, 0.2, 0.0, 0.7};
        for (int n : new int[] {5, 200}) {
            Multinomial multinomial = Multinomial.ofProbs(n, vector(p));
            Tensor draws = multinomial.sample(DRAWS);
            assertEquals(Shape.of(DRAWS, 4), draws.shape());
            assertEquals(0, draws.sub(draws.floor()).abs().max().item(), "whole counts");
            assertEquals(0, draws.sum(-1, false).sub(n).abs().max().item(), "counts summing to " + n);
            for (int k = 0; k < p.length; k++) {
                double kurtosis = p[k] == 0 ? 3 : 3 + (1 - 6 * p[k] * (1 - p[k])) / (n * p[k] * (1 - p[k]));
                assertMoments(multinomial + " class " + k, draws.narrow(1, k, 1).squeeze(1), n * p[k],
                        n * p[k] * (1 - p[k]), kurtosis);
            }
        }
    }

    @Test
    void multinomialDrawsHaveTheSampleShapeThenTheBatchAndEventShapesWithoutGradients() {
        Tensor logits = Tensor.zeros(DType.F64, 2, 3).requiresGrad(true);
        Tensor draws = Multinomial.ofLogits(4, logits).sample(5, 6);
        assertEquals(Shape.of(5, 6, 2, 3), draws.shape());
        assertFalse(draws.requiresGrad());
        assertFalse(Multinomial.ofLogits(4, logits).hasRsample());
    }

    @Test
    void negativeBinomialDrawsAreWholeCountsWithItsMoments() {
        // Gamma-Poisson mixtures of rates on both sides of the Poisson sampler's switch (mean rate below and above 10).
        double[][] cases = {{3, 0.3}, {0.5, 0.6}, {20, 0.7}, {7.5, 0.95}};
        for (double[] c : cases) {
            double n = c[0];
            double p = c[1];
            NegativeBinomial d = NegativeBinomial.ofProbs(Tensor.full(n, DType.F64), Tensor.full(p, DType.F64));
            Tensor draws = d.sample(DRAWS);
            assertEquals(0, draws.sub(draws.floor()).abs().max().item(), d + " draws whole counts");
            // Excess kurtosis 6/n + (1 - p)^2 / (n p).
            assertMoments(d + " at n " + n + ", p " + p, draws, d.mean().item(), d.variance().item(),
                    3 + 6 / n + (1 - p) * (1 - p) / (n * p));
        }
        assertEquals(0, NegativeBinomial.ofProbs(Tensor.full(0, DType.F64), Tensor.full(0.5, DType.F64)).sample(100)
                .abs().max().item(), "draws of totalCount 0");
    }

    @Test
    void weibullAndParetoDrawsHaveTheirMoments() {
        // Kurtosis of Weibull(k = 2): 3 + (-6 G1^4 + 12 G1^2 G2 - 3 G2^2 - 4 G1 G3 + G4) / (G2 - G1^2)^2, Gi = Gamma(1 + i/k).
        double g1 = Math.sqrt(Math.PI) / 2;
        double g2 = 1;
        double g3 = 3 * Math.sqrt(Math.PI) / 4;
        double g4 = 2;
        double weibullKurtosis = 3 + (-6 * Math.pow(g1, 4) + 12 * g1 * g1 * g2 - 3 * g2 * g2 - 4 * g1 * g3 + g4)
                / Math.pow(g2 - g1 * g1, 2);
        Weibull weibull = new Weibull(Tensor.full(1.5, DType.F64), Tensor.full(2, DType.F64));
        assertMoments(weibull.toString(), weibull.rsample(DRAWS), weibull.mean().item(), weibull.variance().item(),
                weibullKurtosis);
        // Pareto of alpha 9: finite fourth moment, kurtosis 3 + 6 (a^3 + a^2 - 6a - 2) / (a (a - 3)(a - 4)).
        double a = 9;
        Pareto pareto = new Pareto(Tensor.full(2, DType.F64), Tensor.full(a, DType.F64));
        Tensor draws = pareto.sample(DRAWS);
        assertMoments(pareto.toString(), draws, pareto.mean().item(), pareto.variance().item(),
                3 + 6 * (a * a * a + a * a - 6 * a - 2) / (a * (a - 3) * (a - 4)));
        assertEquals(2, draws.min().item(), 0.01, "Pareto draws reach down to the scale, no lower");
    }

    @Test
    void continuousBernoulliDrawsHaveItsQuantilesInAndOutOfTheTaylorRegion() {
        for (double lambda : new double[] {0.1, 0.5, 0.8}) {
            ContinuousBernoulli d = ContinuousBernoulli.ofProbs(Tensor.full(lambda, DType.F64));
            double[] x = d.rsample(DRAWS).toDoubleArray();
            for (double point : new double[] {0.05, 0.3, 0.5, 0.9}) {
                double p = d.cdf(Tensor.full(point, DType.F64)).item();
                long below = Arrays.stream(x).filter(v -> v <= point).count();
                assertEquals(p, below / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS),
                        d + " at lambda " + lambda + ": frequency of draws <= " + point);
            }
            assertMoments(d + " at lambda " + lambda, Tensor.fromArray(x, x.length), d.mean().item(),
                    d.variance().item(), kurtosisOnTheUnitInterval(d));
        }
    }

    @Test
    void vonMisesDrawsAreAnglesInMinusPiToPiWithItsCircularMoments() {
        double loc = 3.0;
        for (double kappa : new double[] {0.05, 1.0, 4.0, 50.0}) {
            VonMises d = new VonMises(Tensor.full(loc, DType.F64), Tensor.full(kappa, DType.F64));
            Tensor draws = d.sample(DRAWS);
            assertTrue(draws.min().item() >= -Math.PI && draws.max().item() < Math.PI, d + " draws in [-pi, pi)");
            // cos and sin of the angle about loc have the means I1/I0 and 0 and the variances (1 + I2/I0)/2 - (I1/I0)^2
            // and (1 - I2/I0)/2, I2 = I0 - 2 I1 / kappa: their sample means are judged by them.
            double i0 = besselI(0, kappa);
            double i1 = besselI(1, kappa) / i0;
            double i2 = 1 - 2 * i1 / kappa;
            Tensor centred = draws.sub(loc);
            assertCircularMoment(d + " cos", centred.cos(), i1, (1 + i2) / 2 - i1 * i1);
            assertCircularMoment(d + " sin", centred.sin(), 0, (1 - i2) / 2);
        }
    }

    /** Few enough that a sampler that never ends runs into the time limit before it runs out of memory. */
    private static final int TINY_CONCENTRATION_DRAWS = 2000;

    /**
     * PyTorch 1.13's proposal cancels to r = 1 / 0 for a small concentration (it never returns there); the draws end
     * and, nearly uniform on the circle, have cos and sin of mean about 0 (I1/I0 = kappa / 2), each of variance
     * about 1/2.
     */
    @Test
    void vonMisesDrawsWithATinyConcentrationEndNearlyUniformOnTheCircle() {
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            for (double kappa : new double[] {1e-4, 1e-9, 1e-30}) {
                VonMises d = new VonMises(Tensor.full(0.5, dtype), Tensor.full(kappa, dtype));
                Tensor draws = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> {
                    try (Scope drawing = Scope.open()) {
                        return drawing.keep(d.sample(TINY_CONCENTRATION_DRAWS));
                    }
                }, d + " in " + dtype + " at kappa " + kappa + " draws");
                Tensor centred = draws.to(DType.F64).sub(0.5);
                String what = d + " " + dtype + " at kappa " + kappa;
                double tolerance = STANDARD_ERRORS * Math.sqrt(0.5 / TINY_CONCENTRATION_DRAWS);
                assertEquals(kappa / 2, centred.cos().mean().item(), tolerance, what + " cos sample mean");
                assertEquals(0, centred.sin().mean().item(), tolerance, what + " sin sample mean");
            }
        }
    }

    private static void assertCircularMoment(String what, Tensor x, double mean, double variance) {
        double sampleMean = x.mean().item();
        assertEquals(mean, sampleMean, STANDARD_ERRORS * Math.sqrt(variance / DRAWS), what + " sample mean");
    }

    /** I_n(kappa) = (1/pi) integral over [0, pi] of exp(kappa cos t) cos(n t), by the midpoint rule. */
    private static double besselI(int n, double kappa) {
        int cells = 200000;
        double sum = 0;
        for (int i = 0; i < cells; i++) {
            double t = Math.PI * (i + 0.5) / cells;
            sum += Math.exp(kappa * Math.cos(t)) * Math.cos(n * t);
        }
        return sum / cells;
    }

    @Test
    void kumaraswamyDrawsHaveItsQuantilesAndMoments() {
        Kumaraswamy d = new Kumaraswamy(Tensor.full(2, DType.F64), Tensor.full(5, DType.F64));
        Tensor draws = d.rsample(DRAWS);
        double[] x = draws.toDoubleArray();
        for (double point : new double[] {0.1, 0.3, 0.5, 0.8}) {
            double p = d.cdf(Tensor.full(point, DType.F64)).item();
            long below = Arrays.stream(x).filter(v -> v <= point).count();
            assertEquals(p, below / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS),
                    d + ": frequency of draws <= " + point);
        }
        assertMoments(d.toString(), draws, d.mean().item(), d.variance().item(), kurtosisOnTheUnitInterval(d));
    }

    @Test
    void fisherSnedecorDrawsHaveItsMoments() {
        // df2 of 30: a finite fourth moment; excess kurtosis 12 (d1 (5 d2 - 22)(d1 + d2 - 2) + (d2 - 4)(d2 - 2)^2)
        // / (d1 (d2 - 6)(d2 - 8)(d1 + d2 - 2)).
        double d1 = 6;
        double d2 = 30;
        double excess = 12 * (d1 * (5 * d2 - 22) * (d1 + d2 - 2) + (d2 - 4) * (d2 - 2) * (d2 - 2))
                / (d1 * (d2 - 6) * (d2 - 8) * (d1 + d2 - 2));
        FisherSnedecor d = new FisherSnedecor(Tensor.full(d1, DType.F64), Tensor.full(d2, DType.F64));
        assertMoments(d.toString(), d.rsample(DRAWS), d.mean().item(), d.variance().item(), 3 + excess);
    }

    @Test
    void lowRankMultivariateNormalDrawsHaveItsMeanAndCovariance() {
        Tensor loc = vector(0.5, -1.0, 2.0);
        Tensor w = Tensor.fromArray(new double[] {1.0, 0.2, -0.5, 0.7, 0.3, -1.2}, 3, 2);
        LowRankMultivariateNormal d = LowRankMultivariateNormal.of(loc, w, vector(0.5, 1.2, 2.0));
        Tensor draws = d.rsample(DRAWS);
        assertEquals(Shape.of(DRAWS, 3), draws.shape());
        double[] covariance = d.covarianceMatrix().toDoubleArray();
        double[] mean = loc.toDoubleArray();
        for (int i = 0; i < 3; i++) {
            Tensor xi = draws.narrow(1, i, 1).squeeze(1);
            // Normal marginals: kurtosis 3.
            assertMoments(d + " element " + i, xi, mean[i], covariance[4 * i], 3);
            for (int j = 0; j < i; j++) {
                Tensor xj = draws.narrow(1, j, 1).squeeze(1);
                // The product of two centred normals has variance s_ii s_jj + s_ij^2.
                double sij = covariance[3 * i + j];
                double spread = Math.sqrt((covariance[4 * i] * covariance[4 * j] + sij * sij) / DRAWS);
                double sampleCovariance = xi.sub(mean[i]).mul(xj.sub(mean[j])).mean().item();
                assertEquals(sij, sampleCovariance, STANDARD_ERRORS * spread, d + " covariance " + i + ", " + j);
            }
        }
    }

    /**
     * The reparameterised draws' gradients (through Gamma's implicit ones) average to the gradient of the mean
     * df2 / (df2 - 2): -2 / (df2 - 2)^2 for df2, 0 for df1, within 5 standard errors of the per-draw gradients.
     */
    @Test
    void fisherSnedecorDrawsGradientsAverageToTheGradientOfItsMean() {
        double d2 = 30;
        Tensor df1 = Tensor.full(6, DType.F64, DRAWS).requiresGrad(true);
        Tensor df2 = Tensor.full(d2, DType.F64, DRAWS).requiresGrad(true);
        new FisherSnedecor(df1, df2).rsample().sum().backward();
        assertMeanGradient("df1", df1.grad(), 0);
        assertMeanGradient("df2", df2.grad(), -2 / ((d2 - 2) * (d2 - 2)));
    }

    private static void assertMeanGradient(String what, Tensor perDraw, double expected) {
        double mean = perDraw.mean().item();
        double standardError = Math.sqrt(perDraw.var().item() / perDraw.size());
        assertEquals(expected, mean, STANDARD_ERRORS * standardError, "mean gradient of the draws for " + what);
    }

    /** The kurtosis of a density on [0, 1], by the midpoint rule over 100000 cells. */
    private static double kurtosisOnTheUnitInterval(Distribution d) {
        int cells = 100000;
        Tensor x = Tensor.arange(0.5, cells, 1, DType.F64).div(cells);
        double[] density = d.logProb(x).exp().toDoubleArray();
        double[] at = x.toDoubleArray();
        double mean = 0;
        for (int i = 0; i < cells; i++) {
            mean += at[i] * density[i] / cells;
        }
        double second = 0;
        double fourth = 0;
        for (int i = 0; i < cells; i++) {
            double centred = (at[i] - mean) * (at[i] - mean);
            second += centred * density[i] / cells;
            fourth += centred * centred * density[i] / cells;
        }
        return fourth / (second * second);
    }

    /** The sample mean and variance of {@code x} against {@code mean} and {@code variance}. */
    static void assertMoments(String what, Tensor x, double mean, double variance, double kurtosis) {
        double[] v = x.to(DType.F64).toDoubleArray();
        double sampleMean = 0;
        for (double e : v) {
            sampleMean += e;
        }
        sampleMean /= v.length;
        double sampleVariance = 0;
        for (double e : v) {
            sampleVariance += (e - sampleMean) * (e - sampleMean);
        }
        sampleVariance /= v.length - 1;
        assertEquals(mean, sampleMean, STANDARD_ERRORS * Math.sqrt(variance / v.length), what + " sample mean");
        assertEquals(variance, sampleVariance, STANDARD_ERRORS * Math.sqrt((kurtosis - 1) / v.length) * variance,
                what + " sample variance");
    }
}
