package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.F;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shapes of {@link LKJCholesky} and {@link Wishart} and the laws of their draws, with the engine seeded: every
 * correlation r of an LKJ draw has (r + 1) / 2 ~ Beta(c - 1 + d / 2, the same), so E r = 0 and E r^2 =
 * 1 / (2 c - 1 + d), and Wishart draws average df V; sample means within {@value #STANDARD_ERRORS} standard errors.
 */
class MatrixDistributionsSamplingTest {
    private static final int DRAWS = 40000;
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

    private static Tensor values(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    @Test
    void lkjDrawsAreCorrelationFactorsOfTheirBatch() {
        LKJCholesky lkj = new LKJCholesky(3, values(0.5, 2.0));
        assertEquals(Shape.of(2), lkj.batchShape());
        assertEquals(Shape.of(3, 3), lkj.eventShape());
        Tensor draws = lkj.sample(5);
        assertEquals(Shape.of(5, 2, 3, 3), draws.shape());
        assertEquals(1.0, Constraint.corrCholesky().check(draws).min().item(), "correlation factors");
        assertEquals(Shape.of(4, 2), lkj.expand(4, 2).batchShape());
        assertFalse(lkj.hasRsample());
        LKJCholesky uniform = new LKJCholesky(2, 1.0);
        assertEquals(Shape.of(), uniform.batchShape());
        assertEquals(DType.F32, uniform.sample(3).dtype());
    }

    @Test
    void everyLkjCorrelationHasTheMarginalLaw() {
        // Rows from 2 on are where PyTorch 1.13's Beta concentrations depart from the onion method.
        double[] concentrations = {1.0, 2.5};
        int d = 4;
        Tensor factors = new LKJCholesky(d, values(concentrations)).sample(DRAWS);
        Tensor correlations = F.einsum("...ik,...jk->...ij", factors, factors);
        for (int b = 0; b < concentrations.length; b++) {
            double expected = 1 / (2 * concentrations[b] - 1 + d);
            for (int i = 1; i < d; i++) {
                for (int j = 0; j < i; j++) {
                    Tensor r = correlations.narrow(1, b, 1).narrow(2, i, 1).narrow(3, j, 1).reshape(DRAWS);
                    String where = "concentration " + concentrations[b] + ", r_" + i + j;
                    assertEquals(0, r.mean().item(), STANDARD_ERRORS * Math.sqrt(expected / DRAWS), where + " mean");
                    Tensor squares = r.square();
                    double spread = squares.sub(squares.mean()).square().mean().item();
                    assertEquals(expected, squares.mean().item(), STANDARD_ERRORS * Math.sqrt(spread / DRAWS),
                            where + " mean square");
                }
            }
        }
    }

    @Test
    void wishartDrawsAverageDfTimesTheScale() {
        double[] df = {4.0, 7.5};
        double[] covariance = {2.0, 0.3, -0.4, 0.3, 1.5, 0.2, -0.4, 0.2, 1.0};
        Wishart wishart = Wishart.ofCovarianceMatrix(values(df), values(covariance).reshape(3, 3));
        Tensor draws = wishart.sample(DRAWS);
        assertEquals(Shape.of(DRAWS, 2, 3, 3), draws.shape());
        assertEquals(1.0, Constraint.positiveDefinite().check(draws.narrow(0, 0, 100)).min().item(),
                "positive-definite draws");
        double[] means = draws.mean(0, false).toDoubleArray();
        for (int b = 0; b < df.length; b++) {
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 3; j++) {
                    double v = covariance[3 * i + j];
                    double variance = df[b] * (v * v + covariance[4 * i] * covariance[4 * j]);
                    assertEquals(df[b] * v, means[9 * b + 3 * i + j], STANDARD_ERRORS * Math.sqrt(variance / DRAWS),
                            "df " + df[b] + ", element " + i + j);
                }
            }
        }
    }

    @Test
    void wishartRsampleCarriesGradientsAndExpands() {
        Tensor df = values(5.0).requiresGrad(true);
        Wishart wishart = Wishart.ofScaleTril(df, values(1, 0, 0, 0, 1, 0, 0, 0, 1).reshape(3, 3));
        assertTrue(wishart.hasRsample());
        assertTrue(wishart.rsample(2).requiresGrad());
        assertFalse(wishart.sample(2).requiresGrad());
        Wishart wide = wishart.expand(4, 1);
        assertEquals(Shape.of(4, 1), wide.batchShape());
        assertEquals(Shape.of(2, 4, 1, 3, 3), wide.rsample(2).shape());
        assertEquals(Shape.of(4, 1, 3, 3), wide.scaleTril().shape());
    }

    /**
     * The reparameterised draws' gradients with respect to df (through Chi2's implicit ones) average to the gradient
     * of the mean df V summed, sum(V), within 5 standard errors of the per-draw gradients.
     */
    @Test
    void wishartDrawsGradientsAverageToTheGradientOfItsMean() {
        double[] covariance = {2.0, 0.3, -0.4, 0.3, 1.5, 0.2, -0.4, 0.2, 1.0};
        Tensor df = Tensor.full(4.5, DType.F64, DRAWS).requiresGrad(true);
        Wishart.ofCovarianceMatrix(df, values(covariance).reshape(3, 3)).rsample().sum().backward();
        double mean = df.grad().mean().item();
        double standardError = Math.sqrt(df.grad().var().item() / DRAWS);
        assertEquals(4.7, mean, STANDARD_ERRORS * standardError, "mean gradient of the draws for df");
    }
}
