package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.distributions.transforms.CorrCholeskyTransform;
import dev.kiln.distributions.transforms.LowerCholeskyTransform;
import dev.kiln.distributions.transforms.ReshapeTransform;
import dev.kiln.distributions.transforms.SoftmaxTransform;
import dev.kiln.distributions.transforms.StickBreakingTransform;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * Bad parameters, values and shapes of the simplex and matrix transforms, {@link LogisticNormal} and
 * {@link OneHotCategoricalStraightThrough} throw an {@link IllegalArgumentException} naming them and the constraint;
 * the log-dets PyTorch 1.13 lacks throw {@link UnsupportedOperationException}.
 */
class MatrixTransformsValidationTest {
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
    void logisticNormalRefusesANonPositiveScale() {
        assertEquals("Normal(loc: [2], scale: [2]): parameter scale [2] must be positive (> 0), found -1.0 at [1]",
                message(IllegalArgumentException.class, () -> new LogisticNormal(values(0, 0), values(1, -1))));
    }

    @Test
    void logisticNormalRefusesAValueOffTheSimplex() {
        LogisticNormal d = new LogisticNormal(values(0, 0), values(1, 1));
        assertEquals("LogisticNormal(loc: [2], scale: [2]).logProb: value [3] must be a probability vector (>= 0,"
                + " summing to 1 over the last axis), found [0.5, 0.5, 0.5] at []",
                message(IllegalArgumentException.class, () -> d.logProb(values(0.5, 0.5, 0.5))));
    }

    @Test
    void corrCholeskyRefusesAVectorThatIsNoTriangle() {
        assertEquals("CorrCholeskyTransform(): the last axis must hold D (D - 1) / 2 elements (the strict lower"
                + " triangle of a D x D matrix), got 4",
                message(IllegalArgumentException.class, () -> new CorrCholeskyTransform().forward(values(1, 2, 3, 4))));
    }

    @Test
    void theCorrCholeskyConstraintRefusesRowsOfOtherNorms() {
        Tensor lower = values(1, 0, 0.5, 0.5).reshape(2, 2);
        assertEquals("owner: value [2, 2] must be the Cholesky factor of a correlation matrix (lower-triangular with a"
                + " positive diagonal and rows of unit norm), found [1.0, 0.0, 0.5, 0.5] at []",
                message(IllegalArgumentException.class, () -> Constraint.corrCholesky().require("owner", "value",
                        lower)));
    }

    @Test
    void stickBreakingNeedsAnAxis() {
        assertEquals("StickBreakingTransform(): a shape of at least one axis expected, got []",
                message(IllegalArgumentException.class, () -> new StickBreakingTransform().forwardShape(Shape.of())));
    }

    @Test
    void reshapeRefusesShapesOfDifferentSizes() {
        assertEquals("ReshapeTransform: inShape [6] and outShape [2, 2] must hold the same number of elements, got 6"
                + " and 4", message(IllegalArgumentException.class,
                        () -> new ReshapeTransform(Shape.of(6), Shape.of(2, 2))));
    }

    @Test
    void softmaxAndLowerCholeskyHaveNoLogDet() {
        Tensor x = Tensor.zeros(DType.F64, 3, 3);
        message(UnsupportedOperationException.class, () -> new SoftmaxTransform().logAbsDetJacobian(x, x));
        message(UnsupportedOperationException.class, () -> new LowerCholeskyTransform().logAbsDetJacobian(x, x));
    }

    @Test
    void straightThroughRefusesProbabilitiesOutsideTheSimplex() {
        assertEquals("Categorical(probs: [2]): parameter probs (normalised) [2] must be a probability vector (>= 0,"
                + " summing to 1 over the last axis), found [-0.5, 1.5] at []",
                message(IllegalArgumentException.class,
                        () -> OneHotCategoricalStraightThrough.ofProbs(values(-0.5, 1.5))));
    }
}
