package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * KL between ContinuousBernoulli and Uniform where the uniform's bounds meet the unit interval's: finite, the integral
 * of p log(p / q) by the midpoint rule (PyTorch 1.13 makes them infinite by comparing the bounds with >= and <=), and
 * infinite only where one side has mass the other rules out. In F64.
 */
class ContinuousBernoulliUniformKLTest {
    private static final int CELLS = 200000;
    private static final double TOLERANCE = 1e-6;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor scalar(double v) {
        return Tensor.full(v, DType.F64);
    }

    /** The midpoints of CELLS cells over [low, high]. */
    private static Tensor midpoints(double low, double high) {
        double[] x = new double[CELLS];
        for (int i = 0; i < CELLS; i++) {
            x[i] = low + (high - low) * (i + 0.5) / CELLS;
        }
        return Tensor.fromArray(x, CELLS);
    }

    @Test
    void divergenceFromAUniformCoveringExactlyTheUnitIntervalIsTheIntegralOfPLogP() {
        for (double lambda : new double[] {0.1, 0.3, 0.75}) {
            ContinuousBernoulli p = ContinuousBernoulli.ofProbs(scalar(lambda));
            Tensor logP = p.logProb(midpoints(0, 1));
            double integral = logP.exp().mul(logP).mean().item();
            assertEquals(integral, KL.divergence(p, new Uniform(scalar(0), scalar(1))).item(), TOLERANCE,
                    "KL(ContinuousBernoulli(" + lambda + ") || Uniform(0, 1))");
        }
    }

    @Test
    void divergenceOfAUniformWithinTheUnitIntervalTouchingItsEndsIsTheIntegralOfItsLogRatio() {
        ContinuousBernoulli q = ContinuousBernoulli.ofProbs(scalar(0.3));
        for (double[] bounds : new double[][] {{0, 1}, {0, 0.5}, {0.5, 1}}) {
            double width = bounds[1] - bounds[0];
            double integral = q.logProb(midpoints(bounds[0], bounds[1])).neg().mean().item() - Math.log(width);
            assertEquals(integral, KL.divergence(new Uniform(scalar(bounds[0]), scalar(bounds[1])), q).item(),
                    TOLERANCE, "KL(Uniform(" + bounds[0] + ", " + bounds[1] + ") || ContinuousBernoulli(0.3))");
        }
    }

    @Test
    void divergencesAreInfiniteOnlyWhereOneSideHasMassTheOtherRulesOut() {
        ContinuousBernoulli cb = ContinuousBernoulli.ofProbs(scalar(0.3));
        assertEquals(Double.POSITIVE_INFINITY, KL.divergence(cb, new Uniform(scalar(0.01), scalar(1))).item());
        assertEquals(Double.POSITIVE_INFINITY, KL.divergence(cb, new Uniform(scalar(0), scalar(0.99))).item());
        assertEquals(Double.POSITIVE_INFINITY, KL.divergence(new Uniform(scalar(-0.01), scalar(1)), cb).item());
        assertEquals(Double.POSITIVE_INFINITY, KL.divergence(new Uniform(scalar(0), scalar(1.01)), cb).item());
    }
}
