package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link AlphaDropout} and {@link FeatureAlphaDropout}: PyTorch's two outcomes per element (kept {@code a x + a alpha'
 * p}, dropped {@code -a alpha' (1 - p)}), the mean and variance of a standard normal input kept, and the identity in
 * evaluation.
 */
class AlphaDropoutTest {
    private static final double ALPHA = 1.7580993408473766;
    private Scope scope;

    @BeforeEach
    void open() {
        scope = Scope.open();
    }

    @AfterEach
    void close() {
        scope.close();
    }

    private static double scale(double p) {
        return 1 / Math.sqrt((ALPHA * ALPHA * p + 1) * (1 - p));
    }

    private static double mean(double[] v) {
        double sum = 0;
        for (double x : v) {
            sum += x;
        }
        return sum / v.length;
    }

    private static double variance(double[] v) {
        double m = mean(v);
        double sum = 0;
        for (double x : v) {
            sum += (x - m) * (x - m);
        }
        return sum / v.length;
    }

    @ParameterizedTest(name = "p = {0}")
    @ValueSource(doubles = {0.1, 0.5, 0.8})
    void trainingKeepsTheMeanAndVarianceOfAStandardNormalInput(double p) {
        Engine.seed(7);
        double[] y = new AlphaDropout(p).forward(Tensor.randn(DType.F64, 1000, 1000)).toDoubleArray();
        // 1e6 draws: the mean's standard deviation is 0.001, the variance's about 0.002; 0.01 is 5 sigma or more.
        assertEquals(0, mean(y), 0.01, "mean");
        assertEquals(1, variance(y), 0.01, "variance");
    }

    @Test
    void eachElementIsKeptAffinelyOrDroppedToTheSaturationValueWithProbabilityP() {
        double p = 0.3;
        double a = scale(p);
        Engine.seed(8);
        Tensor x = Tensor.randn(DType.F64, 100_000).requiresGrad(true);
        Tensor y = new AlphaDropout(p).forward(x);
        y.sum().backward();
        double[] in = x.toDoubleArray();
        double[] out = y.toDoubleArray();
        double[] gradient = x.grad().toDoubleArray();
        int dropped = 0;
        for (int i = 0; i < in.length; i++) {
            if (gradient[i] == 0) {
                dropped++;
                assertEquals(-a * ALPHA * (1 - p), out[i], 1e-12, "dropped element " + i);
            } else {
                assertEquals(a, gradient[i], 1e-15, "gradient of kept element " + i);
                assertEquals(a * in[i] + a * ALPHA * p, out[i], 1e-12, "kept element " + i);
            }
        }
        // 1e5 Bernoulli draws: the fraction's standard deviation is 0.0015.
        assertEquals(p, dropped / (double) in.length, 0.01);
    }

    @Test
    void featureAlphaDropoutDropsWholeChannelsAndKeepsTheStatistics() {
        double p = 0.5;
        Engine.seed(9);
        double[] y = new FeatureAlphaDropout(p).forward(Tensor.randn(DType.F64, 1000, 100, 10)).toDoubleArray();
        double droppedValue = -scale(p) * ALPHA * (1 - p);
        int droppedChannels = 0;
        for (int c = 0; c < 100_000; c++) {
            int same = 0;
            for (int i = 0; i < 10; i++) {
                same += Math.abs(y[c * 10 + i] - droppedValue) < 1e-12 ? 1 : 0;
            }
            assertTrue(same == 0 || same == 10, "channel " + c + " is dropped whole or kept: " + same + " of 10");
            droppedChannels += same / 10;
        }
        assertEquals(p, droppedChannels / 1e5, 0.01);
        // 1e5 channels: the mean's standard deviation is about 0.003.
        assertEquals(0, mean(y), 0.015, "mean");
        assertEquals(1, variance(y), 0.02, "variance");
    }

    @Test
    void gradientsMatchFiniteDifferencesForAFixedMask() {
        for (AlphaDropout d : new AlphaDropout[] {new AlphaDropout(0.4), new FeatureAlphaDropout(0.4)}) {
            Tensor x = Tensor.randn(DType.F64, 3, 4, 2).requiresGrad(true);
            GradCheck.check(d.toString(), in -> {
                Engine.seed(10);
                return d.forward(in[0]);
            }, x);
        }
    }

    @Test
    void evaluationAndAZeroProbabilityAreTheIdentity() {
        Tensor x = Tensor.randn(2, 3, 4);
        for (AlphaDropout d : new AlphaDropout[] {new AlphaDropout(), new FeatureAlphaDropout()}) {
            d.eval();
            assertSame(x, d.forward(x), d + " in evaluation");
        }
        assertSame(x, new AlphaDropout(0).forward(x));
        assertSame(x, new FeatureAlphaDropout(0).forward(x));
    }

    @Test
    void probabilitiesOutsideZeroToOneAndFeatureInputsWithoutChannelsAreRefused() {
        assertEquals(0.5, new AlphaDropout().p());
        assertEquals("AlphaDropout: probability must be in [0, 1), got 1.0",
                assertThrows(IllegalArgumentException.class, () -> new AlphaDropout(1)).getMessage());
        assertEquals("FeatureAlphaDropout: probability must be in [0, 1), got -0.1",
                assertThrows(IllegalArgumentException.class, () -> new FeatureAlphaDropout(-0.1)).getMessage());
        assertEquals("FeatureAlphaDropout(p=0.5, inplace=False): input [5] must be [batch, channels, ...]",
                assertThrows(IllegalArgumentException.class, () -> new FeatureAlphaDropout().forward(Tensor.zeros(5)))
                        .getMessage());
    }
}
