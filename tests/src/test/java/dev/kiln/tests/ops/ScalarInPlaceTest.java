package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#addInPlace(double)} and {@link Tensor#mulInPlace(double)}, PyTorch's {@code add_(5)} and
 * {@code mul_(3)}, against PyTorch 1.13's float32 values ({@code models/src/test/pytorch/scalar_in_place.py}).
 */
class ScalarInPlaceTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static Tensor values() {
        return Tensor.fromArray(new float[] {1.5f, -2f, 0.1f}, 3);
    }

    @Test
    void addInPlaceAddsTheScalarToEveryElement() {
        Tensor t = values();
        assertSame(t, t.addInPlace(5));
        assertArrayEquals(new double[] {6.5, 3.0, 5.099999904632568}, t.toDoubleArray());
    }

    @Test
    void mulInPlaceMultipliesEveryElement() {
        Tensor t = values();
        assertSame(t, t.mulInPlace(3));
        assertArrayEquals(new double[] {4.5, -6.0, 0.30000001192092896}, t.toDoubleArray());
    }

    @Test
    void anOpsOutputIsNotWrittenInPlace() {
        Tensor made = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true).mul(2);
        assertThrows(IllegalStateException.class, () -> made.addInPlace(1));
    }

    @Test
    void integerTensorsAreRefusedAsTheirScalarAdd() {
        Tensor ints = Tensor.fromArray(new long[] {1, 2}, 2);
        assertThrows(IllegalArgumentException.class, () -> ints.mulInPlace(2));
    }
}
