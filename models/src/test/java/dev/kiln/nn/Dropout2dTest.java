package dev.kiln.nn;

import static dev.kiln.nn.Tensors.assertValues;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

class Dropout2dTest {
    @Test
    void trainingZeroesWholeChannelsWithProbabilityPAndScalesTheRest() {
        Engine.seed(1);
        try (Scope s = Scope.open()) {
            double p = 0.3;
            int channels = 100_000;
            int pixels = 4;
            float[] y = new Dropout2d(p).forward(Tensor.ones(10, channels / 10, 2, 2)).toFloatArray();
            int dropped = 0;
            for (int c = 0; c < channels; c++) {
                float first = y[c * pixels];
                for (int i = 1; i < pixels; i++) {
                    assertEquals(first, y[c * pixels + i], "every pixel of channel " + c);
                }
                if (first == 0) {
                    dropped++;
                } else {
                    assertEquals(1 / (1 - p), first, 1e-6);
                }
            }
            // 1e5 Bernoulli draws: standard deviation of the fraction is about 0.0015.
            assertEquals(p, dropped / (double) channels, 0.01);
        }
    }

    @Test
    void evalModeIsTheIdentity() {
        try (Scope s = Scope.open()) {
            Dropout2d d = new Dropout2d(0.5);
            d.eval();
            Tensor x = Tensor.randn(2, 3, 4, 4);
            assertSame(x, d.forward(x));
        }
    }

    @Test
    void theSameSeedDropsTheSameChannels() {
        try (Scope s = Scope.open()) {
            Dropout2d d = new Dropout2d(0.5);
            Tensor x = Tensor.randn(4, 8, 2, 2);
            Engine.seed(9);
            double[] first = d.forward(x).toDoubleArray();
            Engine.seed(9);
            assertValues(first, d.forward(x), 0);
        }
    }

    @Test
    void theInputGradientIsTheScaledChannelMask() {
        Engine.seed(2);
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.ones(DType.F64, 3, 4, 2, 2).requiresGrad(true);
            Tensor y = new Dropout2d(0.25).forward(x);
            y.sum().backward();
            assertValues(y.toDoubleArray(), x.grad(), 0);
        }
    }

    @Test
    void gradientsMatchFiniteDifferencesInF64ForAFixedMask() {
        try (Scope s = Scope.open()) {
            Dropout2d d = new Dropout2d(0.4);
            Tensor x = Tensor.randn(DType.F64, 3, 4, 2, 3).requiresGrad(true);
            GradCheck.check("Dropout2d", in -> {
                Engine.seed(5);
                return d.forward(in[0]);
            }, x);
        }
    }

    @Test
    void defaultProbabilityIsOneHalfAndProbabilitiesOutsideZeroToOneAreRefused() {
        assertEquals(0.5, new Dropout2d().p());
        assertEquals("Dropout2d: probability must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new Dropout2d(1.0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dropout2d(-0.1));
    }

    @Test
    void inputThatIsNotFourDimensionalIsAClearError() {
        try (Scope s = Scope.open()) {
            assertEquals("Dropout2d(p=0.5, inplace=False): input [2, 3, 5] must be [batch, channels, height, width]",
                    assertThrows(IllegalArgumentException.class, () -> new Dropout2d().forward(Tensor.zeros(2, 3, 5)))
                            .getMessage());
        }
    }
}
