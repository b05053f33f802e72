package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code expand(batchShape)}, as PyTorch's: every family's batch of [3] broadcast to [2, 3] (a vector family's of []
 * or [1] to [2]); the expanded distribution is of the same class, scores each value as the original scores it,
 * samples the new shape, keeps the choice of validation, and passes gradients back to the original parameters; a
 * batch that does not broadcast to the new shape is refused naming both.
 */
class DistributionExpandTest {
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

    /** A family, its three-element batch, and values [2, 3] it can score. */
    private record Case(String name, Distribution distribution, Tensor values) {
    }

    private static List<Case> cases() {
        Tensor loc = values(0.5, -1.0, 2.0);
        Tensor scale = values(0.5, 1.2, 2.0);
        Tensor probs = values(0.2, 0.5, 0.9);
        Tensor reals = Tensor.fromArray(new double[] {0.2, 0.4, 2.5, -1.0, 1.0, 1.0}, 2, 3);
        Tensor positives = reals.abs().add(0.1);
        Tensor unit = Tensor.fromArray(new double[] {0.1, 0.4, 0.95, 0.5, 0.02, 0.7}, 2, 3);
        Tensor simplex = Tensor.fromArray(new double[] {0.2, 0.3, 0.5, 0.25, 0.05, 0.7}, 2, 3);
        Tensor counts = Tensor.fromArray(new double[] {0, 1, 3, 2, 0, 1}, 2, 3);
        Tensor bits = Tensor.fromArray(new double[] {0, 1, 1, 1, 0, 0}, 2, 3);
        Tensor classes = Tensor.fromArray(new long[] {0, 1, 3, 3, 2, 0}, 2, 3);
        Tensor catProbs = Tensor.fromArray(new double[] {1, 2, 0, 1, 0.5, 0.25, 0.25, 3, 0.1, 0.2, 0.3, 0.4}, 3, 4);
        Tensor tril = Tensor.fromArray(new double[] {1.2, 0, 0, 0.3, 0.8, 0, -0.5, 0.4, 1.5}, 3, 3);
        return List.of(new Case("Normal", new Normal(loc, scale), reals),
                new Case("LogNormal", new LogNormal(loc, scale), positives),
                new Case("Laplace", new Laplace(loc, scale), reals),
                new Case("Cauchy", new Cauchy(loc, scale), reals),
                new Case("Gumbel", new Gumbel(loc, scale), reals),
                new Case("HalfNormal", new HalfNormal(scale), positives),
                new Case("HalfCauchy", new HalfCauchy(scale), positives),
                new Case("Uniform", new Uniform(values(-3, -3, -3), values(3, 3, 3)), reals),
                new Case("Exponential", new Exponential(scale), positives),
                new Case("Gamma", new Gamma(scale, values(1.0, 2.0, 0.5)), positives),
                new Case("Chi2", new Chi2(scale), positives),
                new Case("Beta", new Beta(probs, scale), unit),
                new Case("Dirichlet", new Dirichlet(values(0.5, 1.0, 2.5)), simplex),
                new Case("StudentT", new StudentT(scale, loc, scale), reals),
                new Case("Poisson", new Poisson(scale), counts),
                new Case("Geometric", Geometric.ofProbs(probs), counts),
                new Case("Binomial", Binomial.ofProbs(Tensor.full(3, DType.F64), probs), counts),
                new Case("Bernoulli", Bernoulli.ofLogits(loc), bits),
                new Case("Categorical", Categorical.ofProbs(catProbs), classes),
                new Case("Independent", new Independent(new Normal(loc, scale), 1), reals),
                new Case("MultivariateNormal", MultivariateNormal.ofScaleTril(values(0.5, -1.0, 2.0).reshape(1, 3),
                        tril), reals));
    }

    @Test
    void anExpandedDistributionScoresAsTheOriginalOverTheNewBatch() {
        for (Case c : cases()) {
            Distribution d = c.distribution();
            // The vector families' events are the values' last axis: their batch of [] or [1] becomes [2].
            int[] target = d.eventShape().rank() == 1 ? new int[] {2} : new int[] {2, 3};
            Distribution expanded = d.expand(target);
            assertEquals(d.getClass(), expanded.getClass(), c.name() + " class");
            assertEquals(Shape.of(target), expanded.batchShape(), c.name() + " batch shape");
            assertEquals(d.eventShape(), expanded.eventShape(), c.name() + " event shape");
            assertArrayEquals(d.logProb(c.values()).toDoubleArray(), expanded.logProb(c.values()).toDoubleArray(),
                    1e-12, c.name() + " logProb");
            assertEquals(Shape.of(concat(new int[] {5}, target, d.eventShape().dims())),
                    expanded.sample(5).shape(), c.name() + " sample shape");
        }
    }

    @Test
    void oneHotCategoricalExpandsItsBatchAndKeepsItsClasses() {
        Tensor logits = Tensor.fromArray(new double[] {0.5, -1.0, 2.0, 0.0}, 1, 4);
        OneHotCategorical expanded = OneHotCategorical.ofLogits(logits).expand(3, 2);
        assertEquals(Shape.of(3, 2), expanded.batchShape());
        assertEquals(Shape.of(4), expanded.eventShape());
        assertEquals(Shape.of(3, 2, 4), expanded.probs().shape());
    }

    @Test
    void gradientsOfTheExpandedDistributionReachTheOriginalParameters() {
        Tensor loc = values(0.5, -1.0, 2.0).requiresGrad(true);
        Tensor scale = values(0.5, 1.2, 2.0).requiresGrad(true);
        Function<Tensor, Tensor> score = x -> new Gumbel(loc, scale).expand(4, 3).logProb(x).sum();
        score.apply(Tensor.full(0.3, DType.F64, 4, 3)).backward();
        double[] expanded = loc.grad().toDoubleArray();
        loc.clearGrad();
        new Gumbel(loc, scale).logProb(Tensor.full(0.3, DType.F64, 3)).sum().mul(4).backward();
        assertArrayEquals(loc.grad().toDoubleArray(), expanded, 1e-12);
    }

    @Test
    void theChoiceOfValidationIsKept() {
        Normal unchecked = new Normal(values(0, 0), values(1, -1), false);
        assertFalse(unchecked.expand(3, 2).validatesArgs());
    }

    @Test
    void aBatchThatDoesNotBroadcastToTheNewShapeIsRefused() {
        Normal normal = new Normal(values(0, 0, 0), values(1, 1, 1));
        assertEquals("Normal(loc: [3], scale: [3]).expand: batch shape [3] does not broadcast to [2, 4]",
                assertThrows(IllegalArgumentException.class, () -> normal.expand(2, 4)).getMessage());
        assertEquals("Normal(loc: [3], scale: [3]).expand: batch shape [3] does not broadcast to []",
                assertThrows(IllegalArgumentException.class, () -> normal.expand()).getMessage());
    }

    private static int[] concat(int[]... parts) {
        return Tensors.concat(parts);
    }
}
