package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad parameters, values and pairs: with validation on (PyTorch's default {@code validate_args}), each throws an
 * {@link IllegalArgumentException} that names the distribution, the parameter or value, its shape, the constraint and
 * the first element outside it; without validation the same arguments pass unchecked. Shapes are checked always.
 * Methods a distribution lacks and divergences nobody registered throw {@link UnsupportedOperationException}.
 */
class DistributionValidationTest {
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
    void aNonPositiveScaleIsRefusedNamingItsShapeConstraintAndValue() {
        assertEquals("Normal(loc: [2], scale: [2]): parameter scale [2] must be positive (> 0), found -1.0 at [1]",
                message(IllegalArgumentException.class, () -> new Normal(values(0, 0), values(1, -1))));
    }

    @Test
    void aNaNLocationIsRefused() {
        assertEquals("Laplace(loc: [2], scale: [2]): parameter loc [2] must be real (not NaN), found NaN at [0]",
                message(IllegalArgumentException.class, () -> new Laplace(values(Double.NaN, 0), values(1, 1))));
    }

    @Test
    void withoutValidationBadParametersPassAndGiveNaN() {
        Normal normal = new Normal(values(0, 0), values(1, -1), false);
        assertFalse(normal.validatesArgs());
        assertTrue(Double.isNaN(normal.logProb(values(0.5, 0.5)).toDoubleArray()[1]));
    }

    @Test
    void theDefaultValidationCanBeTurnedOff() {
        assertTrue(Distribution.defaultValidateArgs());
        Distribution.setDefaultValidateArgs(false);
        try {
            assertFalse(new Exponential(values(-1)).validatesArgs());
        } finally {
            Distribution.setDefaultValidateArgs(true);
        }
        assertTrue(new Exponential(values(1)).validatesArgs());
    }

    @Test
    void gammaChi2BetaAndStudentTRefuseNonPositiveParametersNamingThem() {
        assertEquals("Gamma(concentration: [2], rate: [2]): parameter concentration [2] must be positive (> 0), found"
                + " -1.0 at [1]", message(IllegalArgumentException.class, () -> new Gamma(values(1, -1), values(1, 1))));
        assertEquals("Chi2(df: [2]): parameter df [2] must be positive (> 0), found 0.0 at [0]",
                message(IllegalArgumentException.class, () -> new Chi2(values(0, 1))));
        assertEquals("Beta(concentration1: [2], concentration0: [2]): parameter concentration0 [2] must be positive"
                + " (> 0), found -2.0 at [0]", message(IllegalArgumentException.class,
                        () -> new Beta(values(1, 1), values(-2, 1))));
        assertEquals("StudentT(df: [2], loc: [2], scale: [2]): parameter df [2] must be positive (> 0), found -3.0 at"
                + " [1]", message(IllegalArgumentException.class,
                        () -> new StudentT(values(1, -3), values(0, 0), values(1, 1))));
    }

    @Test
    void dirichletRefusesANonPositiveConcentrationNamingItsCategoriesAndNeedsACategoryAxis() {
        Tensor concentration = Tensor.fromArray(new double[] {1, 2, 3, 1, -1, 2}, 2, 3);
        assertEquals("Dirichlet(concentration: [2, 3]): parameter concentration [2, 3] must be positive (> 0) in each"
                + " element, found [1.0, -1.0, 2.0] at [1]",
                message(IllegalArgumentException.class, () -> new Dirichlet(concentration)));
        assertEquals("Dirichlet: concentration must have an axis of categories, [batch..., K], got shape []",
                message(IllegalArgumentException.class, () -> new Dirichlet(Tensor.full(1, DType.F64))));
    }

    @Test
    void betaAndDirichletRefuseValuesOffTheirSupport() {
        assertEquals("Beta(concentration1: [2], concentration0: [2]).logProb: value [2] must be in [0, 1], found 1.5"
                + " at [1]", message(IllegalArgumentException.class,
                        () -> new Beta(values(1, 1), values(2, 2)).logProb(values(0.5, 1.5))));
        assertEquals("Dirichlet(concentration: [3]).logProb: value [3] must be a probability vector (>= 0, summing to"
                + " 1 over the last axis), found [0.5, 0.5, 0.5] at []", message(IllegalArgumentException.class,
                        () -> new Dirichlet(values(1, 1, 1)).logProb(values(0.5, 0.5, 0.5))));
        assertTrue(message(IllegalArgumentException.class, () -> new Gamma(values(1), values(1)).logProb(values(-1)))
                .endsWith("value [1] must be non-negative (>= 0), found -1.0 at [0]"));
    }

    @Test
    void aValueOutsideTheSupportIsRefused() {
        assertEquals("Exponential(rate: [2]).logProb: value [2] must be non-negative (>= 0), found -0.5 at [1]",
                message(IllegalArgumentException.class, () -> new Exponential(values(1, 2)).logProb(values(0.5, -0.5))));
        assertEquals("Uniform(low: [2], high: [2]).cdf: value [2] must be in [low, high), found 1.0 at [0]",
                message(IllegalArgumentException.class,
                        () -> new Uniform(values(0, 0), values(1, 1)).cdf(values(1, 0.5))));
        assertTrue(message(IllegalArgumentException.class, () -> new LogNormal(values(0), values(1)).logProb(values(0)))
                .endsWith("value [1] must be positive (> 0), found 0.0 at [0]"));
    }

    @Test
    void aValueOutsideTheSupportOfOneDistributionItBroadcastsToIsRefusedAtItsBroadcastIndex() {
        Uniform uniform = new Uniform(values(0, 0.6), values(1, 1));
        assertEquals("Uniform(low: [2], high: [2]).logProb: value [1] (broadcast to [2]) must be in [low, high), found"
                + " 0.5 at [1]", message(IllegalArgumentException.class, () -> uniform.logProb(values(0.5))));
    }

    @Test
    void aValueThatDoesNotBroadcastWithTheBatchIsRefusedEvenWithoutValidation() {
        Normal normal = new Normal(Tensor.zeros(DType.F64, 2, 3), Tensor.ones(DType.F64, 2, 3), false);
        assertEquals("Normal(loc: [2, 3], scale: [2, 3]).logProb: value [4] does not broadcast with the batch shape"
                + " [2, 3] (event shape [])", message(IllegalArgumentException.class, () -> normal.logProb(values(1, 2, 3, 4))));
    }

    @Test
    void aValueWhoseLastAxesAreNotTheEventIsRefused() {
        MultivariateNormal mvn = MultivariateNormal.ofScaleTril(Tensor.zeros(DType.F64, 3),
                Tensor.fromArray(new double[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, 3, 3));
        assertEquals("MultivariateNormal(loc: [3], scaleTril: [3, 3]).logProb: value [2, 2] must end in the event"
                + " shape [3]", message(IllegalArgumentException.class, () -> mvn.logProb(Tensor.zeros(DType.F64, 2, 2))));
    }

    @Test
    void categoricalProbabilitiesMustBeNonNegativeAndHaveAClassAxis() {
        Tensor probs = Tensor.fromArray(new double[] {0.2, 0.3, 0.5, 0.5, -0.5, 1.0}, 2, 3);
        assertEquals("Categorical(probs: [2, 3]): parameter probs (normalised) [2, 3] must be a probability vector"
                + " (>= 0, summing to 1 over the last axis), found [0.5, -0.5, 1.0] at [1]",
                message(IllegalArgumentException.class, () -> Categorical.ofProbs(probs)));
        assertEquals("Categorical: logits must have an axis of classes, [batch..., K], got shape []",
                message(IllegalArgumentException.class, () -> Categorical.ofLogits(Tensor.full(1, DType.F64))));
    }

    @Test
    void categoricalValuesMustBeClassIndices() {
        Categorical categorical = Categorical.ofLogits(Tensor.zeros(DType.F64, 3));
        assertEquals("Categorical(logits: [3]).logProb: value [2] must be an integer in [0, 2], found 3.0 at [1]",
                message(IllegalArgumentException.class,
                        () -> categorical.logProb(Tensor.fromArray(new long[] {0, 3}, 2))));
        assertTrue(message(IllegalArgumentException.class, () -> categorical.logProb(values(1.5)))
                .endsWith("must be an integer in [0, 2], found 1.5 at [0]"));
    }

    @Test
    void oneHotValuesMustBeOneHot() {
        OneHotCategorical oneHot = OneHotCategorical.ofLogits(Tensor.zeros(DType.F64, 3));
        assertEquals("OneHotCategorical(logits: [3]).logProb: value [3] must be one-hot (0s and one 1 over the last"
                + " axis), found [1.0, 1.0, 0.0] at []",
                message(IllegalArgumentException.class, () -> oneHot.logProb(values(1, 1, 0))));
    }

    @Test
    void bernoulliProbabilitiesLieInTheUnitIntervalAndValuesAreZeroOrOne() {
        assertEquals("Bernoulli(probs: [2]): parameter probs [2] must be in [0, 1], found 1.5 at [1]",
                message(IllegalArgumentException.class, () -> Bernoulli.ofProbs(values(0.5, 1.5))));
        assertEquals("Bernoulli(logits: [1]).logProb: value [1] must be 0 or 1, found 0.5 at [0]",
                message(IllegalArgumentException.class, () -> Bernoulli.ofLogits(values(0)).logProb(values(0.5))));
    }

    @Test
    void uniformLowMustLieBelowHigh() {
        assertEquals("Uniform(low: [2], high: [2]): parameter low [2] must be below high, found 1.0 at [1]",
                message(IllegalArgumentException.class, () -> new Uniform(values(0, 1), values(1, 1))));
    }

    @Test
    void independentCannotReinterpretMoreAxesThanTheBatchHas() {
        Normal normal = new Normal(Tensor.zeros(DType.F64, 2, 3), Tensor.ones(DType.F64, 2, 3));
        assertEquals("Independent: reinterpretedBatchNdims must be in [0, 2], the batch axes of Normal(loc: [2, 3],"
                + " scale: [2, 3]) (batch shape [2, 3]), got 3",
                message(IllegalArgumentException.class, () -> new Independent(normal, 3)));
        Independent independent = new Independent(normal, 1);
        assertEquals(Shape.of(2), independent.batchShape());
        assertEquals(Shape.of(3), independent.eventShape());
    }

    @Test
    void multivariateNormalMatricesMustFitTheirConstraintAndTheLocation() {
        Tensor loc = Tensor.zeros(DType.F64, 2);
        assertEquals("MultivariateNormal(loc: [2], scaleTril: [2, 2]): parameter scaleTril [2, 2] must be"
                + " lower-triangular with a positive diagonal, found [1.0, 0.5, 0.0, 1.0] at []",
                message(IllegalArgumentException.class,
                        () -> MultivariateNormal.ofScaleTril(loc, Tensor.fromArray(new double[] {1, 0.5, 0, 1}, 2, 2))));
        assertTrue(message(IllegalArgumentException.class, () -> MultivariateNormal.ofCovarianceMatrix(loc,
                Tensor.fromArray(new double[] {1, 2, 2, 1}, 2, 2)))
                .contains("parameter covarianceMatrix [2, 2] must be symmetric positive-definite"));
        assertTrue(message(IllegalArgumentException.class, () -> MultivariateNormal.ofCovarianceMatrix(loc,
                Tensor.fromArray(new double[] {1, 0.5, 0, 1}, 2, 2)))
                .contains("must be symmetric positive-definite"));
        assertEquals("MultivariateNormal: loc [2] and scaleTril [3, 3] must be [batch..., d] and [batch..., d, d]",
                message(IllegalArgumentException.class,
                        () -> MultivariateNormal.ofScaleTril(loc, Tensor.zeros(DType.F64, 3, 3))));
    }

    @Test
    void aNegativeSampleSizeIsRefused() {
        assertEquals("Normal(loc: [], scale: []): sample shape [2, -1] must not hold a negative size",
                message(IllegalArgumentException.class, () -> new Normal(0, 1).sample(2, -1)));
    }

    @Test
    void discreteDistributionsHaveNoReparameterisedSampleAndCategoricalNoCdf() {
        Bernoulli bernoulli = Bernoulli.ofProbs(values(0.5));
        assertFalse(bernoulli.hasRsample());
        assertTrue(message(UnsupportedOperationException.class, () -> bernoulli.rsample(3))
                .startsWith("Bernoulli(probs: [1]) has no reparameterised sample (hasRsample() is false)"));
        assertEquals("Categorical(logits: [3]) has no cdf", message(UnsupportedOperationException.class,
                () -> Categorical.ofLogits(Tensor.zeros(DType.F64, 3)).cdf(Tensor.fromArray(new long[] {1}, 1))));
    }

    @Test
    void whatTheGammaFamilyLacksIsRefusedNamingTheFamilyAndTheMethod() {
        Tensor one = values(1);
        assertEquals("Gamma(concentration: [1], rate: [1]) has no icdf",
                message(UnsupportedOperationException.class, () -> new Gamma(one, one).icdf(values(0.5))));
        assertEquals("Chi2(df: [1]) has no icdf",
                message(UnsupportedOperationException.class, () -> new Chi2(one).icdf(values(0.5))));
        assertEquals("Beta(concentration1: [1], concentration0: [1]) has no enumerateSupport: its support is not"
                + " finite",
                message(UnsupportedOperationException.class, () -> new Beta(one, one).enumerateSupport(true)));
        assertEquals("Dirichlet(concentration: [2]) has no cdf",
                message(UnsupportedOperationException.class, () -> new Dirichlet(values(1, 1)).cdf(values(0.5, 0.5))));
        assertEquals("StudentT(df: [1], loc: [1], scale: [1]) has no icdf",
                message(UnsupportedOperationException.class, () -> new StudentT(one, one, one).icdf(values(0.5))));
    }

    @Test
    void aFamilyWithoutModeOrExpandSaysWhichItLacks() {
        PointMass point = new PointMass(values(1));
        assertEquals("PointMass(at: [1]) has no mode", message(UnsupportedOperationException.class, point::mode));
        assertEquals("PointMass(at: [1]) has no expand",
                message(UnsupportedOperationException.class, () -> point.expand(2)));
    }

    @Test
    void anUnregisteredPairNamesThePairsThatAreRegistered() {
        String message = message(UnsupportedOperationException.class,
                () -> KL.divergence(new Exponential(1), new Laplace(0, 1)));
        assertTrue(message.startsWith("KL.divergence: no KL(p || q) is registered for p Exponential and q Laplace;"
                + " registered pairs: Bernoulli-Bernoulli, Bernoulli-Poisson, Beta-Beta, "), message);
        assertTrue(message.endsWith("Uniform-Uniform (KL.register adds one)"), message);
    }

    /** A distribution of one point, to register a divergence for. */
    private static class PointMass extends Distribution {
        final Tensor at;

        PointMass(Tensor at) {
            super(at.shape(), Shape.scalar(), false);
            this.at = at;
        }

        @Override
        public Tensor logProb(Tensor value) {
            return value.eq(at).log();
        }

        @Override
        public Tensor entropy() {
            return at.fullLike(0);
        }

        @Override
        public Tensor mean() {
            return at;
        }

        @Override
        public Tensor variance() {
            return at.fullLike(0);
        }

        @Override
        public Constraint support() {
            return Constraint.real();
        }

        @Override
        public String toString() {
            return "PointMass(at: " + at.shape() + ")";
        }
    }

    /** A subclass, which finds its superclass's registered divergence. */
    private static final class Atom extends PointMass {
        Atom(Tensor at) {
            super(at);
        }
    }

    @Test
    void aRegisteredDivergenceServesItsPairAndTheirSubclasses() {
        KL.register(PointMass.class, PointMass.class, (p, q) -> p.at.eq(q.at).log().neg());
        assertEquals(0, KL.divergence(new Atom(values(2)), new PointMass(values(2))).item(), 0);
        assertEquals(Double.POSITIVE_INFINITY, KL.divergence(new PointMass(values(1)), new Atom(values(2))).item());
    }

    @Test
    void independentPairsMustReinterpretAsManyAxes() {
        Normal normal = new Normal(Tensor.zeros(DType.F64, 2, 3), Tensor.ones(DType.F64, 2, 3));
        assertTrue(message(UnsupportedOperationException.class,
                () -> KL.divergence(new Independent(normal, 1), new Independent(normal, 2)))
                .endsWith("reinterpret 1 and 2 batch axes: the divergence is registered for equal counts only (as in"
                        + " PyTorch)"));
    }

    @Test
    void aPairWhoseBatchShapesDoNotBroadcastIsRefusedNamingBoth() {
        Normal p = new Normal(Tensor.zeros(DType.F64, 2), Tensor.ones(DType.F64, 2));
        Normal q = new Normal(Tensor.zeros(DType.F64, 3), Tensor.ones(DType.F64, 3));
        assertEquals("KL.divergence: p Normal(loc: [2], scale: [2]) and q Normal(loc: [3], scale: [3]): shapes [2]"
                + " and [3] do not broadcast (dimension 0: 2 vs 3)",
                message(IllegalArgumentException.class, () -> KL.divergence(p, q)));
    }

    @Test
    void categoricalPairsMustHaveAsManyClasses() {
        assertEquals("KL.divergence: Categorical(logits: [3]) has 3 classes, Categorical(logits: [1]) has 1: they must"
                + " match", message(IllegalArgumentException.class, () -> KL.divergence(
                        Categorical.ofLogits(Tensor.zeros(DType.F64, 3)), Categorical.ofLogits(Tensor.zeros(DType.F64, 1)))));
    }
}
