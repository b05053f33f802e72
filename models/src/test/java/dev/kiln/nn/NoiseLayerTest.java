package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The corruption layers of denoising autoencoders: noise in training mode, the identity in evaluation mode. */
class NoiseLayerTest {
    private static final int N = 100_000;
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(11);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void gaussianNoiseAddsZeroMeanNoiseOfTheGivenStdInTraining() {
        Tensor x = Tensor.full(0.5, dev.kiln.engine.DType.F32, N);
        double[] y = new GaussianNoise(0.2).forward(x).toDoubleArray();
        double mean = 0;
        for (double v : y) {
            mean += v / N;
        }
        double var = 0;
        for (double v : y) {
            var += (v - mean) * (v - mean) / (N - 1);
        }
        // Standard errors: 0.2 / sqrt(N) = 6e-4 for the mean, about 0.2 / sqrt(2N) = 4.5e-4 for the std.
        assertEquals(0.5, mean, 3e-3);
        assertEquals(0.2, Math.sqrt(var), 3e-3);
    }

    @Test
    void maskingNoiseZeroesAShareOfPAndLeavesTheRestUnscaled() {
        Tensor x = Tensor.full(0.75, dev.kiln.engine.DType.F32, N);
        double[] y = new MaskingNoise(0.3).forward(x).toDoubleArray();
        int zeros = 0;
        for (double v : y) {
            assertTrue(v == 0 || v == 0.75, "kept values are not rescaled: " + v);
            zeros += v == 0 ? 1 : 0;
        }
        // Standard error of the share: sqrt(0.3 * 0.7 / N) = 1.4e-3.
        assertEquals(0.3, zeros / (double) N, 7e-3);
    }

    @Test
    void bothAreTheIdentityInEvaluationMode() {
        Tensor x = Tensor.rand(4, 5);
        for (Module noise : new Module[] {new GaussianNoise(1), new MaskingNoise(0.9)}) {
            noise.eval();
            assertSame(x, noise.forward(x), noise.toString());
        }
    }

    @Test
    void noiseDiffersBetweenCallsAndFollowsTheEngineSeed() {
        Tensor x = Tensor.zeros(3, 4);
        GaussianNoise noise = new GaussianNoise(1);
        Engine.seed(5);
        double[] first = noise.forward(x).toDoubleArray();
        double[] second = noise.forward(x).toDoubleArray();
        Engine.seed(5);
        assertArrayEquals(first, noise.forward(x).toDoubleArray());
        assertTrue(first[0] != second[0]);
    }

    @Test
    void invalidSettingsAreClearErrors() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new GaussianNoise(-1)).getMessage().contains("-1"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> new MaskingNoise(1)).getMessage().contains("[0, 1)"));
    }
}
