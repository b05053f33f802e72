package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
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
 * Bad parameters and values of Multinomial, NegativeBinomial, Weibull, Pareto, ContinuousBernoulli, VonMises,
 * Kumaraswamy, FisherSnedecor and LowRankMultivariateNormal throw an {@link IllegalArgumentException} naming the
 * distribution, the parameter or value, its shape, the constraint and the first element outside it; what a
 * distribution lacks (as in PyTorch 1.13) throws {@link UnsupportedOperationException} naming it.
 */
class ExtraDistributionsValidationTest {
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
    void multinomialRefusesANegativeTotalNegativeProbabilitiesAndCountsBeyondTheTotal() {
        assertEquals("Multinomial: totalCount must be 0 or more, got -1",
                message(IllegalArgumentException.class, () -> Multinomial.ofProbs(-1, values(0.5, 0.5))));
        assertEquals("Categorical(probs: [2]): parameter probs (normalised) [2] must be a probability vector (>= 0,"
                + " summing to 1 over the last axis), found [-1.0, 2.0] at []",
                message(IllegalArgumentException.class, () -> Multinomial.ofProbs(3, values(-1, 2))));
        Multinomial multinomial = Multinomial.ofProbs(3, values(0.5, 0.5));
        assertEquals("Multinomial(totalCount: 3, probs: [2]).logProb: value [2] must be non-negative, summing to at"
                + " most 3 over the last axis, found [2.0, 2.0] at []",
                message(IllegalArgumentException.class, () -> multinomial.logProb(values(2, 2))));
        assertEquals("Multinomial(totalCount: 3, probs: [2]).logProb: value [3] must end in the event shape [2]",
                message(IllegalArgumentException.class, () -> multinomial.logProb(values(1, 1, 1))));
    }

    @Test
    void negativeBinomialRefusesANegativeTotalACertainSuccessNonCountsAndEntropy() {
        assertEquals("NegativeBinomial(totalCount: [2], probs: [2]): parameter totalCount [2] must be non-negative"
                + " (>= 0), found -1.0 at [1]", message(IllegalArgumentException.class,
                    () -> NegativeBinomial.ofProbs(values(2, -1), values(0.5, 0.5))));
        assertEquals("NegativeBinomial(totalCount: [2], probs: [2]): parameter probs [2] must be in [0.0, 1.0), found"
                + " 1.0 at [0]", message(IllegalArgumentException.class,
                    () -> NegativeBinomial.ofProbs(values(2, 1), values(1, 0.5))));
        NegativeBinomial d = NegativeBinomial.ofLogits(values(2, 1), values(0, 0));
        assertEquals("NegativeBinomial(totalCount: [2], logits: [2]).logProb: value [2] must be a whole number >= 0,"
                + " found 1.5 at [1]", message(IllegalArgumentException.class, () -> d.logProb(values(1, 1.5))));
        assertEquals("NegativeBinomial(totalCount: [2], logits: [2]) has no entropy (as in PyTorch 1.13)",
                message(UnsupportedOperationException.class, d::entropy));
    }

    @Test
    void weibullAndParetoRefuseNonPositiveParametersAndValuesOutsideTheirSupport() {
        assertEquals("Weibull(scale: [2], concentration: [2]): parameter concentration [2] must be positive (> 0),"
                + " found 0.0 at [1]", message(IllegalArgumentException.class,
                    () -> new Weibull(values(1, 1), values(1, 0))));
        assertEquals("Weibull(scale: [2], concentration: [2]).logProb: value [2] must be positive (> 0), found -1.0 at"
                + " [0]", message(IllegalArgumentException.class,
                    () -> new Weibull(values(1, 1), values(1, 2)).logProb(values(-1, 1))));
        assertEquals("Pareto(scale: [2], alpha: [2]): parameter scale [2] must be positive (> 0), found -2.0 at [0]",
                message(IllegalArgumentException.class, () -> new Pareto(values(-2, 1), values(1, 1))));
        assertEquals("Pareto(scale: [2], alpha: [2]).logProb: value [2] must be at least scale, found 1.5 at [1]",
                message(IllegalArgumentException.class,
                    () -> new Pareto(values(1, 2), values(1, 1)).logProb(values(1, 1.5))));
    }

    @Test
    void continuousBernoulliRefusesProbsOutsideTheUnitIntervalBeforeClampingAndValuesOutsideIt() {
        assertEquals("ContinuousBernoulli(probs: [2]): parameter probs [2] must be in [0, 1], found -0.5 at [1]",
                message(IllegalArgumentException.class, () -> ContinuousBernoulli.ofProbs(values(0.5, -0.5))));
        assertEquals("ContinuousBernoulli(logits: [2]): parameter logits [2] must be real (not NaN), found NaN at [0]",
                message(IllegalArgumentException.class, () -> ContinuousBernoulli.ofLogits(values(Double.NaN, 0))));
        assertEquals("ContinuousBernoulli(probs: [2]).logProb: value [2] must be in [0, 1], found 1.5 at [0]",
                message(IllegalArgumentException.class,
                    () -> ContinuousBernoulli.ofProbs(values(0.2, 0.7)).logProb(values(1.5, 0.5))));
    }

    @Test
    void vonMisesRefusesANonPositiveConcentrationAndHasNoEntropyNorRsample() {
        assertEquals("VonMises(loc: [2], concentration: [2]): parameter concentration [2] must be positive (> 0),"
                + " found 0.0 at [1]", message(IllegalArgumentException.class,
                    () -> new VonMises(values(0, 0), values(1, 0))));
        VonMises d = new VonMises(values(0, 0), values(1, 1));
        assertEquals("VonMises(loc: [2], concentration: [2]) has no entropy (as in PyTorch 1.13)",
                message(UnsupportedOperationException.class, d::entropy));
        assertThrows(UnsupportedOperationException.class, () -> d.rsample(2));
    }

    /**
     * 0 and 1 lie in the support [0, 1] that Kumaraswamy checks values against; its Uniform base, whose half-open
     * [0, 1) they reach as 1 through the transforms, does not refuse them again: scored as PyTorch 1.13 scores them
     * (NaN), with cdf and icdf 0 and 1 there.
     */
    @Test
    void kumaraswamyTakesTheEndsOfTheUnitIntervalThatItsSupportIncludes() {
        Kumaraswamy d = new Kumaraswamy(values(2, 0.5), values(3, 0.7));
        for (double end : new double[] {0, 1}) {
            Tensor atEnd = values(end, end);
            assertArrayEquals(new double[] {Double.NaN, Double.NaN}, d.logProb(atEnd).toDoubleArray(),
                    "logProb at " + end);
            assertArrayEquals(new double[] {end, end}, d.cdf(atEnd).toDoubleArray(), "cdf at " + end);
            assertArrayEquals(new double[] {end, end}, d.icdf(atEnd).toDoubleArray(), "icdf at " + end);
        }
    }

    @Test
    void kumaraswamyAndFisherSnedecorRefuseNonPositiveParametersAndValuesOutsideTheirSupport() {
        assertEquals("Kumaraswamy(concentration1: [2], concentration0: [2]): parameter concentration1 [2] must be"
                + " positive (> 0), found -1.0 at [0]", message(IllegalArgumentException.class,
                    () -> new Kumaraswamy(values(-1, 1), values(1, 1))));
        assertEquals("Kumaraswamy(concentration1: [2], concentration0: [2]).logProb: value [2] must be in [0, 1],"
                + " found 1.5 at [1]", message(IllegalArgumentException.class,
                    () -> new Kumaraswamy(values(1, 1), values(1, 1)).logProb(values(0.5, 1.5))));
        assertEquals("FisherSnedecor(df1: [2], df2: [2]): parameter df2 [2] must be positive (> 0), found 0.0 at [1]",
                message(IllegalArgumentException.class, () -> new FisherSnedecor(values(1, 1), values(1, 0))));
        FisherSnedecor f = new FisherSnedecor(values(1, 1), values(1, 1));
        assertEquals("FisherSnedecor(df1: [2], df2: [2]).logProb: value [2] must be positive (> 0), found -1.0 at [0]",
                message(IllegalArgumentException.class, () -> f.logProb(values(-1, 1))));
        assertEquals("FisherSnedecor(df1: [2], df2: [2]) has no entropy (as in PyTorch 1.13)",
                message(UnsupportedOperationException.class, f::entropy));
    }

    @Test
    void lowRankMultivariateNormalRefusesMismatchedShapesAndANonPositiveDiagonal() {
        Tensor loc = values(0, 0, 0);
        Tensor w = Tensor.ones(DType.F64, 3, 2);
        assertEquals("LowRankMultivariateNormal: loc [3], covFactor [2, 2] and covDiag [3] must be [batch..., d],"
                + " [batch..., d, m] and [batch..., d]", message(IllegalArgumentException.class,
                    () -> LowRankMultivariateNormal.of(loc, Tensor.ones(DType.F64, 2, 2),
                            values(1, 1, 1))));
        assertEquals("LowRankMultivariateNormal(loc: [3], covFactor: [3, 2], covDiag: [3]): parameter covDiag [3] must"
                + " be positive (> 0) in each element, found [1.0, 0.0, 1.0] at []",
                message(IllegalArgumentException.class, () -> LowRankMultivariateNormal.of(loc, w, values(1, 0, 1))));
        assertEquals("LowRankMultivariateNormal(loc: [3], covFactor: [3, 2], covDiag: [3]).logProb: value [2] must end"
                + " in the event shape [3]", message(IllegalArgumentException.class,
                    () -> LowRankMultivariateNormal.of(loc, w, values(1, 1, 1)).logProb(values(1, 1))));
    }
}
