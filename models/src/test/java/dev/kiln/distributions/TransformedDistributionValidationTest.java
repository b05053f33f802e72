package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.distributions.transforms.AbsTransform;
import dev.kiln.distributions.transforms.AffineTransform;
import dev.kiln.distributions.transforms.ExpTransform;
import dev.kiln.distributions.transforms.TanhTransform;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad values, shapes and transforms of {@link TransformedDistribution} throw an {@link IllegalArgumentException} naming
 * them; what PyTorch 1.13 lacks (moments, the Jacobian of |x|, a divergence between different transforms) throws
 * {@link UnsupportedOperationException} naming it.
 */
class TransformedDistributionValidationTest {
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

    private static TransformedDistribution squashed() {
        return new TransformedDistribution(new Normal(values(0, 0), values(1, 1)), new TanhTransform());
    }

    @Test
    void aValueOutsideTheLastCodomainIsRefused() {
        assertEquals("TransformedDistribution(Normal(loc: [2], scale: [2]), [TanhTransform()]).logProb: value [2] must"
                + " be in [-1.0, 1.0], found 1.5 at [1]",
                message(IllegalArgumentException.class, () -> squashed().logProb(values(0.5, 1.5))));
    }

    @Test
    void aBaseWithFewerAxesThanTheTransformsEventIsRefused() {
        Tensor one = Tensor.full(1, DType.F64);
        assertEquals("TransformedDistribution: the base Normal(loc: [], scale: []) of shape [] must have at least 1"
                + " axes, the event axes of ComposeTransform[AffineTransform(loc: [3], scale: [3], eventDim: 1)]",
                message(IllegalArgumentException.class, () -> new TransformedDistribution(new Normal(one, one),
                        new AffineTransform(values(1, 2, 3), values(1, 1, 1), 1))));
    }

    @Test
    void affineParametersMustBroadcastAndItsEventRankBeNonNegative() {
        assertThrows(IllegalArgumentException.class, () -> new AffineTransform(values(1, 2), values(1, 2, 3)));
        assertEquals("AffineTransform: eventDim must be >= 0, got -1",
                message(IllegalArgumentException.class, () -> new AffineTransform(values(1), values(1), -1)));
    }

    @Test
    void momentsEntropyAndTheJacobianOfAbsAreUnsupported() {
        assertThrows(UnsupportedOperationException.class, () -> squashed().mean());
        assertThrows(UnsupportedOperationException.class, () -> squashed().variance());
        assertThrows(UnsupportedOperationException.class, () -> squashed().entropy());
        TransformedDistribution folded = new TransformedDistribution(new Normal(values(0), values(1)),
                new AbsTransform());
        assertEquals("AbsTransform() is not a bijection: it has no log |det Jacobian|",
                message(UnsupportedOperationException.class, () -> folded.logProb(values(0.5))));
        assertEquals("AbsTransform() is not monotone: it has no sign",
                message(UnsupportedOperationException.class, () -> folded.cdf(values(0.5))));
    }

    @Test
    void theDivergenceOfDifferentTransformsIsUnsupported() {
        TransformedDistribution exp = new TransformedDistribution(new Normal(values(0, 0), values(1, 1)),
                new ExpTransform());
        assertThrows(UnsupportedOperationException.class, () -> KL.divergence(squashed(), exp));
        TransformedDistribution scaled = new TransformedDistribution(new Normal(values(0, 0), values(1, 1)),
                new AffineTransform(values(0), values(2)));
        TransformedDistribution scaledOtherwise = new TransformedDistribution(new Normal(values(0, 0), values(1, 1)),
                new AffineTransform(values(0), values(3)));
        assertThrows(UnsupportedOperationException.class, () -> KL.divergence(scaled, scaledOtherwise));
    }
}
