package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code expand(batchShape)} of Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli, VonMises,
 * Kumaraswamy, FisherSnedecor and LowRankMultivariateNormal, as {@link DistributionExpandTest} judges the others: a
 * batch of [3] broadcast to [2, 3] is of the same class, scores each value as the original scores it, samples the new
 * shape and keeps the choice of validation.
 */
class ExtraDistributionsExpandTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor values(double... v) {
        return Tensor.fromArray(v, v.length);
    }

    /** A family, its three-element batch, and values [2, 3, event...] it can score. */
    private record Case(String name, Distribution distribution, Tensor values) {
    }

    private static List<Case> cases() {
        Tensor loc = values(0.5, -1.0, 2.0);
        Tensor scale = values(0.5, 1.2, 2.0);
        Tensor probs = values(0.2, 0.5, 0.9);
        Tensor reals = Tensor.fromArray(new double[] {0.2, 0.4, 2.5, -1.0, 1.0, 1.0}, 2, 3);
        Tensor positives = reals.abs().add(0.1);
        Tensor unit = Tensor.fromArray(new double[] {0.1, 0.4, 0.95, 0.5, 0.02, 0.7}, 2, 3);
        Tensor counts = Tensor.fromArray(new double[] {0, 1, 3, 2, 0, 1}, 2, 3);
        Tensor countVectors = Tensor.fromArray(new double[] {0, 1, 3, 2, 0, 1, 1, 1, 1, 4, 0, 0, 0, 0, 4, 2, 2, 0},
                2, 3, 3);
        Tensor vectors = Tensor.fromArray(new double[] {0.2, 0.4, 2.5, -1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 1.5, -2.0, 0.1,
            0.0, 0.0, 0.0, 3.0, 2.0, 1.0}, 2, 3, 3);
        Tensor factor = Tensor.fromArray(new double[] {1.0, 0.2, -0.5, 0.7, 0.3, -1.2}, 3, 2);
        return List.of(
                new Case("Multinomial", Multinomial.ofProbs(4, Tensor.ones(DType.F64, 3, 3)), countVectors),
                new Case("NegativeBinomial", NegativeBinomial.ofProbs(scale, probs), counts),
                new Case("Weibull", new Weibull(scale, values(0.7, 1.5, 2.5)), positives),
                new Case("Pareto", new Pareto(values(0.1, 0.1, 0.1), scale), positives),
                new Case("ContinuousBernoulli", ContinuousBernoulli.ofLogits(loc), unit),
                new Case("VonMises", new VonMises(loc, scale), reals),
                new Case("Kumaraswamy", new Kumaraswamy(scale, values(2.0, 0.5, 1.0)), unit),
                new Case("FisherSnedecor", new FisherSnedecor(scale, values(3.0, 5.0, 1.0)), positives),
                new Case("LowRankMultivariateNormal", LowRankMultivariateNormal.of(Tensor.zeros(DType.F64, 3, 3),
                        factor, scale), vectors));
    }

    @Test
    void anExpandedDistributionScoresAsTheOriginalOverTheNewBatch() {
        for (Case c : cases()) {
            Distribution d = c.distribution();
            Distribution expanded = d.expand(2, 3);
            assertEquals(d.getClass(), expanded.getClass(), c.name() + " class");
            assertEquals(Shape.of(2, 3), expanded.batchShape(), c.name() + " batch shape");
            assertEquals(d.eventShape(), expanded.eventShape(), c.name() + " event shape");
            assertArrayEquals(d.logProb(c.values()).toDoubleArray(), expanded.logProb(c.values()).toDoubleArray(),
                    1e-12, c.name() + " logProb");
            assertEquals(Shape.of(Tensors.concat(new int[] {5, 2, 3}, d.eventShape().dims())),
                    expanded.sample(5).shape(), c.name() + " sample shape");
        }
    }

    @Test
    void theChoiceOfValidationIsKept() {
        assertFalse(new Pareto(values(1, -1), values(1, 1), false).expand(3, 2).validatesArgs());
        assertFalse(Multinomial.ofProbs(2, values(1, 1), false).expand(3).validatesArgs());
        assertFalse(ContinuousBernoulli.ofProbs(values(0.5, 2), false).expand(3, 2).validatesArgs());
    }
}
