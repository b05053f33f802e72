package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.ExpTransform;
import dev.kiln.distributions.transforms.PowerTransform;
import dev.kiln.distributions.transforms.TanhTransform;
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
 * The shapes of {@link TransformedDistribution}s and their draws, judged by statistics: over {@value #DRAWS} draws the
 * frequency of values at most x within {@value #STANDARD_ERRORS} standard errors sqrt(p (1 - p) / n) of the cdf there,
 * and the sample mean of an affine map of a Normal within as many standard errors of loc + scale mu; and where Kiln
 * departs from PyTorch 1.13 to be right: the cdf through a decreasing power, and the log-det of a scale shared by an
 * event's elements.
 */
class TransformedDistributionSamplingTest {
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

    private static Tensor scalar(double value) {
        return Tensor.full(value, DType.F64);
    }

    private static Tensor values(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    @Test
    void theTransformsParametersBroadcastAScalarBase() {
        Tensor loc = Tensor.zeros(DType.F64, 2, 3);
        Tensor scale = Tensor.ones(DType.F64, 2, 3);
        TransformedDistribution d = new TransformedDistribution(new Normal(scalar(0), scalar(1)),
                new AffineTransform(loc, scale));
        assertEquals(Shape.of(2, 3), d.batchShape());
        assertEquals(Shape.scalar(), d.eventShape());
        assertEquals(Shape.of(2, 3), d.base().batchShape());
        assertEquals(Shape.of(4, 2, 3), d.sample(4).shape());
        assertEquals(Shape.of(5, 2, 3), d.expand(5, 2, 3).base().batchShape());
    }

    @Test
    void anEventTransformMakesTheBasesLastBatchAxesTheEvent() {
        Tensor ones = Tensor.ones(DType.F64, 2, 3);
        TransformedDistribution d = new TransformedDistribution(new Normal(ones, ones),
                new AffineTransform(values(1, 2, 3), values(1, 1, 1), 1));
        assertEquals(Shape.of(2), d.batchShape());
        assertEquals(Shape.of(3), d.eventShape());
        assertTrue(d.base() instanceof Independent, "the base reinterprets its last batch axis");
        assertEquals(Shape.of(4, 2, 3), d.rsample(4).shape());
        assertEquals(Shape.of(2), d.logProb(ones).shape());
    }

    @Test
    void rsampleCarriesTheBasesGradientsAndSampleNone() {
        Tensor loc = Tensor.zeros(DType.F64, 3).requiresGrad(true);
        TransformedDistribution d = new TransformedDistribution(new Normal(loc, scalar(1)), new TanhTransform());
        assertTrue(d.hasRsample());
        assertTrue(d.rsample(2).requiresGrad());
        assertFalse(d.sample(2).requiresGrad());
        assertFalse(new TransformedDistribution(Bernoulli.ofProbs(values(0.5)), new ExpTransform()).hasRsample());
    }

    @Test
    void aNegativePowerFlipsTheCdf() {
        // 1 / X for X ~ Exponential(1): P(1 / X <= y) = P(X >= 1 / y) = exp(-1 / y) (PyTorch 1.13 gives 1 - that).
        TransformedDistribution reciprocal = new TransformedDistribution(new Exponential(scalar(1)),
                new PowerTransform(scalar(-1)));
        double[] y = {0.5, 1, 4};
        double[] cdf = reciprocal.cdf(values(y)).toDoubleArray();
        for (int i = 0; i < y.length; i++) {
            assertEquals(Math.exp(-1 / y[i]), cdf[i], 1e-15, "cdf at " + y[i]);
        }
    }

    @Test
    void anAffineScaleSharedByAnEventCountsOnceForEachElement() {
        // log |det| of x -> 2 x over events of 3 is 3 log 2 (PyTorch 1.13 sums the unexpanded scale: log 2).
        Tensor x = Tensor.zeros(DType.F64, 2, 3);
        Tensor logDet = new AffineTransform(scalar(0), scalar(2), 1).logAbsDetJacobian(x, x);
        assertEquals(Shape.of(2), logDet.shape());
        assertEquals(3 * Math.log(2), logDet.toDoubleArray()[1], 1e-15);
    }

    @Test
    void squashedDrawsHaveTheQuantilesOfTheirCdf() {
        TransformedDistribution d = new TransformedDistribution(new Normal(scalar(0.4), scalar(1.5)),
                new TanhTransform());
        double[] x = d.sample(DRAWS).toDoubleArray();
        assertTrue(Arrays.stream(x).allMatch(v -> v >= -1 && v <= 1), "draws lie in [-1, 1]");
        for (double point : new double[] {-0.99, -0.5, 0, 0.3, 0.9, 0.999}) {
            double p = d.cdf(scalar(point)).item();
            long below = Arrays.stream(x).filter(v -> v <= point).count();
            assertEquals(p, below / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS),
                    "frequency of draws <= " + point);
        }
    }

    @Test
    void drawsOfANegativeAffineMapHaveItsMeanAndFlippedCdf() {
        TransformedDistribution d = new TransformedDistribution(new Normal(scalar(1.0), scalar(2.0)),
                new AffineTransform(scalar(3.0), scalar(-0.5)));
        double[] x = d.sample(DRAWS).toDoubleArray();
        double mean = Arrays.stream(x).average().orElseThrow();
        assertEquals(3.0 - 0.5, mean, STANDARD_ERRORS * 1.0 / Math.sqrt(DRAWS), "sample mean");
        double p = d.cdf(scalar(2.0)).item();
        long below = Arrays.stream(x).filter(v -> v <= 2.0).count();
        assertEquals(p, below / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS), "frequency <= 2");
    }
}
