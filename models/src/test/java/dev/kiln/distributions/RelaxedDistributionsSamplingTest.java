package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Draws of the relaxed families from the engine's seeded stream, judged by {@value #DRAWS} draws within
 * {@value #STANDARD_ERRORS} standard errors sqrt(p (1 - p) / n) of exact probabilities: a relaxed Bernoulli draw
 * exceeds 1/2 with probability p and lies at most y with probability sigmoid(temperature logit(y) - logits), at every
 * temperature; the largest entry of a relaxed one-hot draw is class k with probability p_k (the Gumbel-max trick).
 */
class RelaxedDistributionsSamplingTest {
    private static final int DRAWS = 100000;
    private static final double STANDARD_ERRORS = 5;

    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
        Engine.seed(2027);
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor scalar(double value) {
        return Tensor.full(value, DType.F64);
    }

    private static void assertFrequency(double p, long hits, String what) {
        assertEquals(p, hits / (double) DRAWS, STANDARD_ERRORS * Math.sqrt(p * (1 - p) / DRAWS), what);
    }

    @Test
    void drawsHaveTheSampleShapeThenTheBatchAndEventShapes() {
        Tensor probs = Tensor.fromArray(new double[] {0.2, 0.3, 0.5, 0.6, 0.3, 0.1}, 2, 3);
        assertEquals(Shape.of(4, 2, 3), RelaxedBernoulli.ofProbs(scalar(0.5), probs).rsample(4).shape());
        RelaxedOneHotCategorical d = RelaxedOneHotCategorical.ofProbs(scalar(0.5), probs);
        assertEquals(Shape.of(2), d.batchShape());
        assertEquals(Shape.of(3), d.eventShape());
        assertEquals(Shape.of(4, 5, 2, 3), d.sample(4, 5).shape());
        assertEquals(Shape.of(7, 2), d.expand(7, 2).batchShape());
    }

    @Test
    void relaxedBernoulliDrawsExceedAHalfWithTheSuccessProbabilityAndFollowTheirCdf() {
        double p = 0.3;
        double temperature = 0.8;
        double[] x = RelaxedBernoulli.ofProbs(scalar(temperature), scalar(p)).sample(DRAWS).toDoubleArray();
        assertTrue(Arrays.stream(x).allMatch(v -> v >= 0 && v <= 1), "draws lie in [0, 1]");
        assertFrequency(p, Arrays.stream(x).filter(v -> v > 0.5).count(), "frequency above 1/2");
        double logits = Math.log(p / (1 - p));
        for (double y : new double[] {0.05, 0.2, 0.8, 0.97}) {
            double cdf = 1 / (1 + Math.exp(-(temperature * Math.log(y / (1 - y)) - logits)));
            assertFrequency(cdf, Arrays.stream(x).filter(v -> v <= y).count(), "frequency <= " + y);
        }
    }

    @Test
    void theLargestEntryOfARelaxedOneHotDrawIsDistributedAsTheCategoricalClass() {
        double[] probs = {0.2, 0.3, 0.5};
        RelaxedOneHotCategorical d = RelaxedOneHotCategorical.ofProbs(scalar(2.0), Tensor.fromArray(probs, 3));
        Tensor draws = d.sample(DRAWS);
        double[] sums = draws.sum(-1, false).toDoubleArray();
        assertTrue(Arrays.stream(sums).allMatch(s -> Math.abs(s - 1) < 1e-12), "draws sum to 1");
        double[] classes = draws.argmax(-1, false).to(DType.F64).toDoubleArray();
        for (int k = 0; k < probs.length; k++) {
            int cls = k;
            assertFrequency(probs[k], Arrays.stream(classes).filter(c -> c == cls).count(), "frequency of class " + k);
        }
    }
}
