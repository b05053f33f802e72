package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BCEWithLogitsLoss;
import java.util.Arrays;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The denoising autoencoder corrupts its input in training mode only and reconstructs the clean input. */
class DenoisingAutoencoderTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(9);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void inEvaluationModeItIsTheInnerAutoencoder() {
        try (DenoisingAutoencoder dae = DenoisingAutoencoder.masking(new StackedAutoencoder(8, 5, 3), 0.5)) {
            dae.eval();
            Tensor x = Tensor.rand(4, 8);
            assertArrayEquals(dae.inner().forward(x).toDoubleArray(), dae.forward(x).toDoubleArray());
            assertEquals(Autoencoder.reconstructionError(dae.inner().forward(x), x).item(), dae.loss(x).item());
        }
    }

    @Test
    void inTrainingModeTheCodesAreThoseOfACorruptedInput() {
        try (DenoisingAutoencoder dae = DenoisingAutoencoder.gaussian(new StackedAutoencoder(8, 5, 3), 0.5)) {
            Tensor x = Tensor.rand(4, 8);
            assertFalse(Arrays.equals(dae.inner().encode(x).toDoubleArray(), dae.encode(x).toDoubleArray()));
        }
    }

    @Test
    void theTrainingLossComparesTheReconstructionOfTheCorruptedInputWithTheCleanInput() {
        try (DenoisingAutoencoder dae = DenoisingAutoencoder.masking(new StackedAutoencoder(8, 5, 3), 0.4)) {
            Tensor x = Tensor.rand(4, 8);
            Engine.seed(21);
            double loss = dae.loss(x).item();
            Engine.seed(21);
            Tensor corrupted = dae.noise().forward(x);
            double expected = Autoencoder.reconstructionError(dae.inner().forward(corrupted), x).item();
            assertEquals(expected, loss, 1e-7);
        }
    }

    @Test
    void ofAVariationalAutoencoderTheLossIsItsNegativeElboInEvaluationMode() {
        VariationalAutoencoder vae = new VariationalAutoencoder(8, 5, 3);
        try (DenoisingAutoencoder dae = DenoisingAutoencoder.masking(vae, 0.4)) {
            dae.eval();
            Tensor x = Tensor.rand(4, 8);
            assertEquals(vae.loss(x).item(), dae.loss(x).item(), 1e-6);
        }
    }

    /** The noise is drawn first, then the reparameterisation's eps, each from the engine's stream. */
    @Test
    void ofAVariationalAutoencoderTheTrainingLossIsTheNegativeElboOfTheCleanInputGivenTheCorruptedOne() {
        VariationalAutoencoder vae = new VariationalAutoencoder(8, 5, 3);
        try (DenoisingAutoencoder dae = DenoisingAutoencoder.masking(vae, 0.4)) {
            Tensor x = Tensor.rand(4, 8);
            Engine.seed(21);
            double loss = dae.loss(x).item();
            Engine.seed(21);
            Tensor corrupted = dae.noise().forward(x);
            Tensor eps = Tensor.randn(4, 3);
            VariationalAutoencoder.Posterior p = vae.posterior(corrupted);
            Tensor logits = vae.decodeLogits(VariationalAutoencoder.reparameterise(p.mean(), p.logVar(), eps));
            double expected = new BCEWithLogitsLoss().compute(logits, x).item() * 8
                    + VariationalAutoencoder.klDivergence(p.mean(), p.logVar()).item();
            assertEquals(expected, loss, 1e-5);
        }
    }

    @Test
    void theEncoderForFineTuningIsTheInnerOneWithoutNoise() {
        StackedAutoencoder inner = new StackedAutoencoder(8, 5, 3);
        try (DenoisingAutoencoder dae = DenoisingAutoencoder.masking(inner, 0.4)) {
            assertSame(inner.encoder(), dae.encoder());
        }
    }
}
