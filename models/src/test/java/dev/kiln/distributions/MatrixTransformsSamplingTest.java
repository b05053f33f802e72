package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.distributions.transforms.CorrCholeskyTransform;
import dev.kiln.distributions.transforms.ReshapeTransform;
import dev.kiln.distributions.transforms.StickBreakingTransform;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The shapes and round trips of the simplex and matrix transforms, and the draws of {@link LogisticNormal} and
 * {@link OneHotCategoricalStraightThrough} judged by statistics over {@value #DRAWS} draws: means and frequencies
 * within {@value #STANDARD_ERRORS} standard errors, with the engine seeded.
 */
class MatrixTransformsSamplingTest {
    private static final int DRAWS = 50000;
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
    void stickBreakingAddsOneToTheLastAxisAndInvertsItsForward() {
        StickBreakingTransform stick = new StickBreakingTransform();
        assertEquals(Shape.of(2, 4), stick.forwardShape(Shape.of(2, 3)));
        assertEquals(Shape.of(2, 3), stick.inverseShape(Shape.of(2, 4)));
        Tensor x = values(0.3, -1.2, 2.0, -0.5, 0.0, 1.1).reshape(2, 3);
        assertArrayEquals(x.toDoubleArray(), stick.inverse(stick.forward(x)).toDoubleArray(), 1e-12);
        assertArrayEquals(new double[] {0.25, 0.25, 0.25, 0.25}, stick.forward(Tensor.zeros(DType.F64, 3))
                .toDoubleArray(), 1e-15, "x = 0 is the uniform vector");
    }

    @Test
    void corrCholeskyGivesUnitRowFactorsAndInvertsItsForward() {
        CorrCholeskyTransform corr = new CorrCholeskyTransform();
        assertEquals(Shape.of(5, 4, 4), corr.forwardShape(Shape.of(5, 6)));
        assertEquals(Shape.of(5, 6), corr.inverseShape(Shape.of(5, 4, 4)));
        Tensor x = values(0.3, -1.2, 2.0, -0.5, 0.0, 1.1);
        Tensor y = corr.forward(x);
        assertEquals(1.0, Constraint.corrCholesky().check(y).item(), "a correlation factor");
        assertArrayEquals(x.toDoubleArray(), corr.inverse(y).toDoubleArray(), 1e-12);
    }

    @Test
    void reshapeKeepsTheLeadingAxesAndHasNoVolumeChange() {
        ReshapeTransform reshape = new ReshapeTransform(Shape.of(6), Shape.of(2, 3));
        Tensor x = Tensor.arange(0, 24, 1, DType.F64).reshape(4, 6);
        assertEquals(Shape.of(4, 2, 3), reshape.forward(x).shape());
        assertEquals(Shape.of(4, 6), reshape.inverse(reshape.forward(x)).shape());
        assertEquals(Shape.of(4), reshape.logAbsDetJacobian(x, reshape.forward(x)).shape());
        assertEquals(new ReshapeTransform(Shape.of(6), Shape.of(2, 3)), reshape);
        assertNotEquals(new ReshapeTransform(Shape.of(6), Shape.of(3, 2)), reshape);
    }

    @Test
    void logisticNormalDrawsLieOnTheSimplexAndTheirStickCoordinatesAreTheNormal() {
        Tensor loc = values(0.5, -1.0, 2.0);
        Tensor scale = values(0.5, 1.2, 2.0);
        LogisticNormal d = new LogisticNormal(loc, scale);
        assertEquals(Shape.of(), d.batchShape());
        assertEquals(Shape.of(4), d.eventShape());
        Tensor draws = d.sample(DRAWS);
        assertEquals(Shape.of(DRAWS, 4), draws.shape());
        assertEquals(1.0, Constraint.simplex().check(draws).min().item(), "every draw on the simplex");
        double[] means = new StickBreakingTransform().inverse(draws).mean(0, false).toDoubleArray();
        for (int k = 0; k < 3; k++) {
            assertEquals(loc.toDoubleArray()[k], means[k],
                    STANDARD_ERRORS * scale.toDoubleArray()[k] / Math.sqrt(DRAWS), "stick coordinate " + k);
        }
    }

    @Test
    void aScalarLogisticNormalHasEventsOfTwoAndExpands() {
        LogisticNormal d = new LogisticNormal(Tensor.full(0.4, DType.F64), Tensor.full(1.3, DType.F64));
        assertEquals(Shape.of(), d.batchShape());
        assertEquals(Shape.of(2), d.eventShape());
        LogisticNormal wide = d.expand(5);
        assertEquals(Shape.of(5), wide.batchShape());
        assertEquals(Shape.of(3, 5, 2), wide.rsample(3).shape());
    }

    @Test
    void straightThroughDrawsAreOneHotWithTheCategoricalsFrequencies() {
        double[] probs = {0.2, 0.3, 0.5};
        OneHotCategoricalStraightThrough d = OneHotCategoricalStraightThrough.ofProbs(values(probs));
        Tensor draws = d.rsample(DRAWS);
        assertEquals(1.0, Constraint.oneHot().check(draws).min().item(), "one-hot draws");
        double[] frequencies = draws.mean(0, false).toDoubleArray();
        for (int k = 0; k < 3; k++) {
            assertEquals(probs[k], frequencies[k], STANDARD_ERRORS * Math.sqrt(probs[k] * (1 - probs[k]) / DRAWS),
                    "frequency of class " + k);
        }
        assertTrue(d.hasRsample());
        assertFalse(d.sample(2).requiresGrad());
        assertEquals(Shape.of(4, 3), d.expand(4).mean().shape());
    }
}
