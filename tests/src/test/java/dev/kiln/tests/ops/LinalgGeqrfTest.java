package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Linalg;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link Linalg#geqrf} against the numbers PyTorch 1.13's {@code torch.geqrf} printed in float64 (a batch of two tall
 * matrices, the second with columns that need no reflection, tau 0; and a wide one).
 */
class LinalgGeqrfTest {
    @Test
    void factorsABatchOfTallMatricesAsTorchGeqrf() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new double[] {2, -1, 1, 3, -2, 0.5, 0, 1, 0, 2, 0, 0}, 2, 3, 2);
            Linalg.Geqrf f = Linalg.geqrf(a);
            assertArrayEquals(new double[] {-3.0, -2.220446049250313e-16, 0.2, -3.2015621187164243, -0.4,
                0.015621187164243442, 0.0, 1.0, 0.0, 2.0, 0.0, 0.0}, f.a().toDoubleArray(), 1e-14);
            assertArrayEquals(new double[] {1.6666666666666667, 1.9995120760870788, 0.0, 0.0},
                    f.tau().toDoubleArray(), 1e-14);
            assertArrayEquals(new int[] {2, 2}, f.tau().shape().dims());
        }
    }

    @Test
    void factorsAWideMatrixAsTorchGeqrf() {
        try (Scope s = Scope.open()) {
            Linalg.Geqrf f = Linalg.geqrf(Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6}, 2, 3));
            assertArrayEquals(new double[] {-4.123105625617661, -5.335783750799326, -6.5484618759809905,
                0.7807764064044151, -0.7276068751089995, -1.455213750217998}, f.a().toDoubleArray(), 1e-14);
            assertArrayEquals(new double[] {1.242535625036333, 0.0}, f.tau().toDoubleArray(), 1e-14);
        }
    }

    @Test
    void keepsTheDtypeAndRecordsNoGradient() {
        try (Scope s = Scope.open()) {
            Tensor a = Tensor.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 3, 2).requiresGrad(true);
            Linalg.Geqrf f = Linalg.geqrf(a);
            assertEquals(DType.F32, f.a().dtype());
            assertEquals(DType.F32, f.tau().dtype());
            assertFalse(f.a().requiresGrad());
        }
    }

    @Test
    void refusesAVectorNamingIt() {
        try (Scope s = Scope.open()) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Linalg.geqrf(Tensor.fromArray(new double[] {1, 2}, 2)));
            assertEquals("geqrf: A [2] must have at least 2 dimensions, matrices in the last two", e.getMessage());
        }
    }
}
