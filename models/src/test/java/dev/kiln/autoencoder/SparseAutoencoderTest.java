package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sparse autoencoder adds an L1 activity penalty on the codes, averaged over the batch. */
class SparseAutoencoderTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(13);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void lossIsReconstructionErrorPlusL1TimesTheCodesAbsoluteSumPerExample() {
        try (SparseAutoencoder sae = new SparseAutoencoder(new StackedAutoencoder(8, 5, 3), 0.01)) {
            Tensor x = Tensor.rand(4, 8);
            double sumAbs = 0;
            for (double v : sae.encode(x).toDoubleArray()) {
                sumAbs += Math.abs(v);
            }
            double error = Autoencoder.reconstructionError(sae.forward(x), x).item();
            assertEquals(error + 0.01 * sumAbs / 4, sae.loss(x).item(), 1e-6);
        }
    }

    @Test
    void sparseOfDenoisingCarriesBothTheNoiseAndThePenalty() {
        StackedAutoencoder inner = new StackedAutoencoder(8, 5, 3);
        try (SparseAutoencoder sae = new SparseAutoencoder(DenoisingAutoencoder.masking(inner, 0.5), 0.02)) {
            Tensor x = Tensor.rand(4, 8);
            Engine.seed(1);
            double loss = sae.loss(x).item();
            Engine.seed(1);
            Tensor code = sae.encode(x);
            double sumAbs = 0;
            for (double v : code.toDoubleArray()) {
                sumAbs += Math.abs(v);
            }
            assertEquals(Autoencoder.reconstructionError(sae.decode(code), x).item() + 0.02 * sumAbs / 4, loss, 1e-6);
        }
    }

    /** In evaluation mode the code is the posterior mean, and the ELBO is taken there. */
    @Test
    void sparseOfAVariationalAutoencoderAddsThePenaltyToTheNegativeElbo() {
        VariationalAutoencoder vae = new VariationalAutoencoder(8, 5, 3);
        try (SparseAutoencoder sae = new SparseAutoencoder(vae, 0.01)) {
            sae.eval();
            Tensor x = Tensor.rand(4, 8);
            double sumAbs = 0;
            for (double v : vae.posterior(x).mean().toDoubleArray()) {
                sumAbs += Math.abs(v);
            }
            assertEquals(vae.loss(x).item() + 0.01 * sumAbs / 4, sae.loss(x).item(), 1e-5);
        }
    }

    @Test
    void aNegativeWeightIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> new SparseAutoencoder(new StackedAutoencoder(4, 2), -0.1));
    }
}
