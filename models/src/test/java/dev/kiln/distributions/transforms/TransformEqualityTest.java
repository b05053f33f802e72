package dev.kiln.distributions.transforms;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Equality of {@link AffineTransform} and {@link PowerTransform} answers as PyTorch 1.13's {@code __eq__}
 * ({@code (a == b).all()}): parameters of no elements are equal, and F32 against F64 compares the values, F32 0.1
 * differing from F64 0.1. Where PyTorch throws (shapes that do not broadcast) Kiln answers false.
 */
class TransformEqualityTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static AffineTransform affine(Tensor loc) {
        return new AffineTransform(loc, Tensor.scalar(1));
    }

    @Test
    void affineTransformsWithEmptyParametersAreEqual() {
        assertEquals(affine(Tensor.zeros(0)), affine(Tensor.zeros(0)));
        assertEquals(affine(Tensor.zeros(0)), affine(Tensor.scalar(0)));
        assertEquals(affine(Tensor.zeros(0, 3)), affine(Tensor.zeros(3)));
    }

    @Test
    void powerTransformsWithEmptyExponentsAreEqual() {
        assertEquals(new PowerTransform(Tensor.zeros(0)), new PowerTransform(Tensor.zeros(0)));
    }

    @Test
    void emptyParametersThatDoNotBroadcastAreUnequal() {
        assertNotEquals(affine(Tensor.zeros(0)), affine(Tensor.zeros(2)));
        assertNotEquals(new PowerTransform(Tensor.zeros(0)), new PowerTransform(Tensor.zeros(3)));
    }

    @Test
    void affineParametersOfDifferentDtypesCompareTheirValues() {
        assertEquals(affine(Tensor.zeros(DType.F32, 2)), affine(Tensor.zeros(DType.F64, 2)));
        assertNotEquals(affine(Tensor.full(0.1, DType.F32, 1)), affine(Tensor.full(0.1, DType.F64, 1)));
        assertNotEquals(new AffineTransform(Tensor.zeros(DType.F32, 2), Tensor.ones(DType.F32, 2)),
                new AffineTransform(Tensor.zeros(DType.F64, 2), Tensor.full(2, DType.F64, 2)));
    }

    @Test
    void powerExponentsOfDifferentDtypesCompareTheirValues() {
        assertEquals(new PowerTransform(Tensor.full(2, DType.F32, 1)), new PowerTransform(Tensor.full(2, DType.F64, 1)));
        assertNotEquals(new PowerTransform(Tensor.full(0.1, DType.F32, 1)),
                new PowerTransform(Tensor.full(0.1, DType.F64, 1)));
    }
}
