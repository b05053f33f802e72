package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

class DropoutTest {
    @Test
    void trainingZeroesAboutPAndScalesTheRestByOneOverOneMinusP() {
        Engine.seed(1);
        try (Scope s = Scope.open()) {
            double p = 0.3;
            float[] y = new Dropout(p).forward(Tensor.ones(1000, 1000)).toFloatArray();
            int zeros = 0;
            for (float v : y) {
                if (v == 0) {
                    zeros++;
                } else {
                    assertEquals(1 / (1 - p), v, 1e-6);
                }
            }
            // 1e6 Bernoulli draws: standard deviation of the fraction is about 0.00046.
            assertEquals(p, zeros / 1e6, 0.003);
        }
    }

    @Test
    void evalModeIsTheIdentity() {
        try (Scope s = Scope.open()) {
            Dropout d = new Dropout(0.5);
            d.eval();
            Tensor x = Tensor.randn(4, 5);
            assertSame(x, d.forward(x));
        }
    }

    @Test
    void defaultProbabilityIsOneHalfAndOneIsRefused() {
        assertEquals(0.5, new Dropout().p());
        assertThrows(IllegalArgumentException.class, () -> new Dropout(1.0));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(-0.1));
    }
}
