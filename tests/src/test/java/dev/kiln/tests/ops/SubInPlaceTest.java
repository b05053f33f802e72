package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Tensor#subInPlace(Tensor)}, PyTorch's {@code sub_} and {@code -=}: the hand-written gradient step of
 * "Learning PyTorch with Examples" against PyTorch 1.13's float32 values
 * ({@code models/src/test/pytorch/sub_in_place.py}).
 */
class SubInPlaceTest {
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void aGradientStepIsTorchsBitForBit() {
        Tensor w = Tensor.fromArray(new float[] {1.5409960746765137f, -0.293428897857666f, -0.0f, 3.0f}, 4);
        Tensor g = Tensor.fromArray(new float[] {-3412.56689453125f, 1201.3359375f, 0.0f, 0.1f}, 4);

        assertSame(w, w.subInPlace(g.mul(1e-6)));

        assertArrayEquals(new double[] {1.5444086790084839, -0.294630229473114, -0.0, 3.0}, w.toDoubleArray());
        assertEquals(-1.0, Math.copySign(1.0, w.toDoubleArray()[2]), "-0 - 0 is -0");
    }

    @Test
    void aLeafThatRequiresAGradientIsUpdatedUnderNoGradOnly() {
        Tensor w = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true);
        Tensor step = Tensor.fromArray(new float[] {0.5f, 0.5f}, 2);

        IllegalStateException recording = assertThrows(IllegalStateException.class, () -> w.subInPlace(step));
        assertTrue(recording.getMessage().contains("noGrad"), recording.getMessage());
        try (Autograd.Guard g = Autograd.noGrad()) {
            w.subInPlace(step);
        }
        assertArrayEquals(new double[] {0.5, 1.5}, w.toDoubleArray());
    }

    /** PyTorch records {@code w.sub_(y)} for a y that requires a gradient (y.grad is -1 after w.sum().backward()). */
    @Test
    void aSubtrahendThatRequiresAGradientIsRefusedWhileRecordingRatherThanDroppingItsGradient() {
        Tensor w = Tensor.zeros(2);
        Tensor y = Tensor.fromArray(new float[] {1, 2}, 2).requiresGrad(true);

        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.subInPlace(y));

        assertTrue(e.getMessage().contains("subInPlace") && e.getMessage().contains("[2]")
                && e.getMessage().contains("noGrad"), e.getMessage());
        assertArrayEquals(new double[] {0, 0}, w.toDoubleArray(), "left unchanged");
    }

    @Test
    void anotherShapeIsRefusedNamingBoth() {
        Tensor w = Tensor.zeros(2, 3);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> w.subInPlace(Tensor.ones(3)));
        assertTrue(e.getMessage().contains("[3]") && e.getMessage().contains("[2, 3]"), e.getMessage());
    }
}
