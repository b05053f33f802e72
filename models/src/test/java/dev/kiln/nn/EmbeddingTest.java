package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link Embedding}: the lookup against the weight's rows, the gradient against sums written out here
 * (with the padding row left at zero), PyTorch's N(0, 1) initialisation, and the errors.
 */
class EmbeddingTest {
    private Scope scope;

    @BeforeEach
    void open() {
        Engine.seed(20250305L);
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    @Test
    void looksUpRowsAndAppendsTheEmbeddingAxis() {
        try (Embedding e = new Embedding(5, 3)) {
            long[] ids = {4, 0, 4, 2, 1, 3};
            Tensor out = e.forward(Tensor.fromArray(ids, 2, 3));
            assertArrayEquals(new int[] {2, 3, 3}, out.shape().dims());
            double[] w = e.weight().toDoubleArray();
            double[] got = out.toDoubleArray();
            for (int k = 0; k < ids.length; k++) {
                for (int j = 0; j < 3; j++) {
                    assertEquals(w[(int) ids[k] * 3 + j], got[k * 3 + j], 0, "position " + k);
                }
            }
        }
    }

    @Test
    void gradientAddsUpstreamGradientsIntoEachRowButThePaddingRow() {
        try (Embedding e = new Embedding(4, 2, 1)) {
            int[] ids = {1, 3, 3, 0, 1, 2};
            Tensor upstream = Tensor.randn(6, 2);
            e.forward(Tensor.fromArray(ids, 6)).mul(upstream).sum().backward();
            double[] g = upstream.toDoubleArray();
            double[] expected = new double[8];
            for (int k = 0; k < ids.length; k++) {
                if (ids[k] != 1) {
                    expected[ids[k] * 2] += g[k * 2];
                    expected[ids[k] * 2 + 1] += g[k * 2 + 1];
                }
            }
            assertArrayEquals(expected, e.weight().grad().toDoubleArray(), 1e-6);
            assertArrayEquals(new double[] {0, 0}, e.weight().grad().narrow(0, 1, 1).toDoubleArray(), 0);
        }
    }

    @Test
    void paddingRowStartsAtZeroAndNegativeIndexCountsFromTheEnd() {
        try (Embedding e = new Embedding(4, 3, -1)) {
            assertEquals(3, e.paddingIdx());
            assertArrayEquals(new double[3], e.weight().narrow(0, 3, 1).toDoubleArray(), 0);
            assertArrayEquals(new double[3], e.forward(Tensor.fromArray(new long[] {3}, 1)).toDoubleArray(), 0);
        }
    }

    @Test
    void weightIsStandardNormal() {
        try (Embedding e = new Embedding(1000, 50)) {
            double[] w = e.weight().toDoubleArray();
            double sum = 0;
            double sq = 0;
            for (double v : w) {
                sum += v;
                sq += v * v;
            }
            assertEquals(0, sum / w.length, 0.02);
            assertEquals(1, Math.sqrt(sq / w.length), 0.02);
        }
    }

    /** The padding row is not looked up here: where it is, its zero gradient is by design, not the derivative. */
    @Test
    void gradientMatchesFiniteDifferencesInF64() {
        try (Embedding e = new Embedding(5, 3, 2)) {
            e.to(DType.F64);
            Tensor ids = Tensor.fromArray(new long[] {3, 4, 0, 4, 1, 0}, 3, 2);
            GradCheck.check("Embedding", in -> e.forward(ids).tanh(), e.weight());
        }
    }

    @Test
    void outOfRangeIndexAndPaddingAreClearErrors() {
        try (Embedding e = new Embedding(5, 3)) {
            IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                    () -> e.forward(Tensor.fromArray(new long[] {1, 5}, 2)));
            assertTrue(ex.getMessage().contains("embedding") && ex.getMessage().contains("index 5"), ex.getMessage());
        }
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, () -> new Embedding(5, 3, 5));
        assertTrue(ex.getMessage().contains("Embedding(5, 3)") && ex.getMessage().contains("padding index 5"), ex.getMessage());
    }
}
