package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad parameters and values of Cauchy, HalfNormal, HalfCauchy, Gumbel, Poisson, Geometric and Binomial throw an
 * {@link IllegalArgumentException} naming the distribution, the parameter or value, its shape, the constraint and the
 * first element outside it; what a distribution lacks (as in PyTorch 1.13) throws {@link UnsupportedOperationException}
 * naming it.
 */
class MoreDistributionsValidationTest {
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

    private static String message(Class<? extends Throwable> type, Executable call) {
        return assertThrows(type, call).getMessage();
    }

    @Test
    void aNonPositiveScaleIsRefusedByEachLocationScaleFamily() {
        assertEquals("Cauchy(loc: [2], scale: [2]): parameter scale [2] must be positive (> 0), found 0.0 at [1]",
                message(IllegalArgumentException.class, () -> new Cauchy(values(0, 0), values(1, 0))));
        assertEquals("Gumbel(loc: [2], scale: [2]): parameter scale [2] must be positive (> 0), found -1.0 at [0]",
                message(IllegalArgumentException.class, () -> new Gumbel(values(0, 0), values(-1, 1))));
        assertEquals("HalfNormal(scale: [2]): parameter scale [2] must be positive (> 0), found -2.0 at [1]",
                message(IllegalArgumentException.class, () -> new HalfNormal(values(1, -2))));
        assertEquals("HalfCauchy(scale: [1]): parameter scale [1] must be positive (> 0), found 0.0 at [0]",
                message(IllegalArgumentException.class, () -> new HalfCauchy(values(0))));
    }

    @Test
    void halfDistributionsRefuseNegativeValues() {
        assertEquals("HalfNormal(scale: [2]).logProb: value [2] must be non-negative (>= 0), found -0.5 at [1]",
                message(IllegalArgumentException.class, () -> new HalfNormal(values(1, 1)).logProb(values(1, -0.5))));
        assertEquals("HalfCauchy(scale: [2]).cdf: value [2] must be non-negative (>= 0), found -3.0 at [0]",
                message(IllegalArgumentException.class, () -> new HalfCauchy(values(1, 1)).cdf(values(-3, 1))));
    }

    @Test
    void poissonRefusesANegativeRateAndCountsThatAreNotWholeNumbers() {
        assertEquals("Poisson(rate: [2]): parameter rate [2] must be non-negative (>= 0), found -1.0 at [1]",
                message(IllegalArgumentException.class, () -> new Poisson(values(1, -1))));
        assertEquals("Poisson(rate: [2]).logProb: value [2] must be a whole number >= 0, found 1.5 at [1]",
                message(IllegalArgumentException.class, () -> new Poisson(values(1, 1)).logProb(values(2, 1.5))));
    }

    @Test
    void geometricRefusesProbabilitiesOfZeroOrAboveOne() {
        assertEquals("Geometric(probs: [2]): parameter probs [2] must be positive (> 0), found 0.0 at [0]",
                message(IllegalArgumentException.class, () -> Geometric.ofProbs(values(0, 0.5))));
        assertEquals("Geometric(probs: [2]): parameter probs [2] must be in [0, 1], found 1.5 at [1]",
                message(IllegalArgumentException.class, () -> Geometric.ofProbs(values(0.5, 1.5))));
        assertEquals("Geometric(probs: [1]).logProb: value [1] must be a whole number >= 0, found -1.0 at [0]",
                message(IllegalArgumentException.class, () -> Geometric.ofProbs(values(0.5)).logProb(values(-1))));
    }

    @Test
    void binomialRefusesFractionalTrialsAndCountsAboveThem() {
        assertEquals("Binomial(totalCount: [2], probs: [2]): parameter totalCount [2] must be a whole number >= 0,"
                + " found 2.5 at [1]",
                message(IllegalArgumentException.class, () -> Binomial.ofProbs(values(3, 2.5), values(0.5, 0.5))));
        assertEquals("Binomial(totalCount: [2], probs: [2]).logProb: value [2] must be a whole number in [0,"
                + " totalCount], found 4.0 at [1]", message(IllegalArgumentException.class,
                        () -> Binomial.ofProbs(values(3, 3), values(0.5, 0.5)).logProb(values(3, 4))));
    }

    @Test
    void whatPyTorchLacksIsUnsupportedNamingTheDistribution() {
        assertEquals("Poisson(rate: [1]) has no entropy (as in PyTorch 1.13)",
                message(UnsupportedOperationException.class, () -> new Poisson(values(1)).entropy()));
        assertEquals("Binomial(totalCount: [2], probs: [2]).entropy: totalCount ranges from 3.0 to 4.0; only a"
                + " totalCount the same across the batch is supported (as in PyTorch)",
                message(UnsupportedOperationException.class,
                        () -> Binomial.ofProbs(values(3, 4), values(0.5, 0.5)).entropy()));
        assertEquals("Bernoulli(probs: [1]) has no icdf",
                message(UnsupportedOperationException.class, () -> Bernoulli.ofProbs(values(0.5)).icdf(values(0.5))));
        assertEquals("Normal(loc: [], scale: []) has no enumerateSupport: its support is not finite",
                message(UnsupportedOperationException.class, () -> new Normal(Tensor.full(0, DType.F64),
                        Tensor.full(1, DType.F64)).enumerateSupport(true)));
    }
}
