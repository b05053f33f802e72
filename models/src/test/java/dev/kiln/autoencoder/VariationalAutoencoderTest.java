package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The variational autoencoder: shapes, the KL term against a hand computation, the loss against its definition
 * written out, finite-difference gradients of the loss in F64, sampling in training mode only, and prior samples.
 */
class VariationalAutoencoderTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(17);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void klDivergenceMatchesTheClosedFormComputedByHand() {
        Tensor mean = Tensor.fromArray(new double[] {0.5, -1, 0, 2}, 2, 2);
        Tensor logVar = Tensor.fromArray(new double[] {0, Math.log(2), -1, 0.5}, 2, 2);
        // 0.5 * (mu^2 + exp(logVar) - 1 - logVar) per element, summed, divided by the batch of 2.
        double expected = 0.5 * ((0.25 + 1 - 1 - 0) + (1 + 2 - 1 - Math.log(2)) + (0 + Math.exp(-1) - 1 + 1)
                + (4 + Math.exp(0.5) - 1 - 0.5)) / 2;
        assertEquals(expected, VariationalAutoencoder.klDivergence(mean, logVar).item(), 1e-12);
        assertEquals(1.5183634, expected, 1e-7);
    }

    @Test
    void klDivergenceOfTheStandardNormalIsZero() {
        assertEquals(0, VariationalAutoencoder.klDivergence(Tensor.zeros(DType.F64, 3, 4), Tensor.zeros(DType.F64, 3, 4)).item());
    }

    @Test
    void shapesOfPosteriorCodesReconstructionsAndSamples() {
        try (VariationalAutoencoder vae = new VariationalAutoencoder(784, 32, 4)) {
            Tensor x = Tensor.rand(5, 1, 28, 28);
            VariationalAutoencoder.Posterior p = vae.posterior(x);
            assertArrayEquals(new int[] {5, 4}, p.mean().shape().dims());
            assertArrayEquals(new int[] {5, 4}, p.logVar().shape().dims());
            assertArrayEquals(new int[] {5, 4}, vae.encode(x).shape().dims());
            assertArrayEquals(new int[] {5, 784}, vae.forward(x).shape().dims());
            Tensor samples = vae.sample(7);
            assertArrayEquals(new int[] {7, 784}, samples.shape().dims());
            assertFalse(samples.requiresGrad());
            for (double v : samples.toDoubleArray()) {
                assertTrue(v > 0 && v < 1, "pixel probability " + v);
            }
            assertArrayEquals(new int[] {5, 4}, vae.encoder().forward(x).shape().dims());
        }
    }

    @Test
    void lossIsSummedBinaryCrossEntropyPlusKlPerExample() {
        try (VariationalAutoencoder vae = new VariationalAutoencoder(6, 5, 2)) {
            vae.to(DType.F64);
            Tensor x = Tensor.rand(DType.F64, 3, 6);
            Tensor eps = Tensor.randn(DType.F64, 3, 2);
            VariationalAutoencoder.Posterior p = vae.posterior(x);
            double[] mean = p.mean().toDoubleArray();
            double[] logVar = p.logVar().toDoubleArray();
            double[] e = eps.toDoubleArray();
            double[] z = new double[6];
            for (int i = 0; i < 6; i++) {
                z[i] = mean[i] + Math.exp(logVar[i] / 2) * e[i];
            }
            double[] logits = vae.decodeLogits(Tensor.fromArray(z, 3, 2)).toDoubleArray();
            double[] pixels = x.toDoubleArray();
            double total = 0;
            for (int i = 0; i < 18; i++) {
                double q = 1 / (1 + Math.exp(-logits[i]));
                total -= pixels[i] * Math.log(q) + (1 - pixels[i]) * Math.log(1 - q);
            }
            for (int i = 0; i < 6; i++) {
                total += 0.5 * (mean[i] * mean[i] + Math.exp(logVar[i]) - 1 - logVar[i]);
            }
            assertEquals(total / 3, vae.loss(x, eps).item(), 1e-10);
        }
    }

    @Test
    void lossGradientsMatchFiniteDifferencesInF64() {
        try (VariationalAutoencoder vae = new VariationalAutoencoder(4, 3, 2)) {
            vae.to(DType.F64);
            Tensor x = Tensor.rand(DType.F64, 3, 4);
            Tensor eps = Tensor.randn(DType.F64, 3, 2);
            List<Tensor> params = vae.parameters();
            GradCheck.check("VAE loss", in -> vae.loss(x, eps), params.toArray(new Tensor[0]));
        }
    }

    @Test
    void encodingSamplesInTrainingModeAndGivesTheMeanInEvaluationMode() {
        try (VariationalAutoencoder vae = new VariationalAutoencoder(6, 5, 2)) {
            Tensor x = Tensor.rand(3, 6);
            double[] mean = vae.posterior(x).mean().toDoubleArray();
            double[] first = vae.encode(x).toDoubleArray();
            double[] second = vae.encode(x).toDoubleArray();
            assertFalse(Arrays.equals(first, second), "fresh noise per call");
            assertFalse(Arrays.equals(mean, first));
            vae.eval();
            assertArrayEquals(mean, vae.encode(x).toDoubleArray());
            assertEquals(vae.loss(x, Tensor.zeros(3, 2)).item(), vae.loss(x).item());
        }
    }
}
