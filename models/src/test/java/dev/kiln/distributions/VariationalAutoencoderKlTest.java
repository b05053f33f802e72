package dev.kiln.distributions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.autoencoder.VariationalAutoencoder;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The variational autoencoder's closed-form KL term ({@link VariationalAutoencoder#klDivergence}) is the divergence
 * of its diagonal Gaussian posterior from the standard normal prior, averaged over the batch, as {@link KL} gives it
 * for {@code Independent(Normal(mean, exp(logVar / 2)), 1)} against {@code Independent(Normal(0, 1), 1)}: the same
 * value and the same gradients.
 */
class VariationalAutoencoderKlTest {
    private static final double TOLERANCE = 1e-12;

    @Test
    void theVaesKlTermIsTheDivergenceOfItsPosteriorFromTheStandardNormal() {
        try (Scope scope = Scope.open()) {
            double[] means = {0.5, -1.0, 2.0, 0.0, 1.5, -0.3, 0.2, 0.4};
            double[] logVars = {-0.5, 0.3, 1.2, -2.0, 0.0, 0.7, -0.1, 0.9};
            Tensor mean = Tensor.fromArray(means, 2, 4).requiresGrad(true);
            Tensor logVar = Tensor.fromArray(logVars, 2, 4).requiresGrad(true);
            Tensor byHand = VariationalAutoencoder.klDivergence(mean, logVar);
            byHand.backward();
            double[] handMeanGrad = mean.grad().toDoubleArray();
            double[] handLogVarGrad = logVar.grad().toDoubleArray();
            mean.clearGrad();
            logVar.clearGrad();
            Distribution posterior = new Independent(new Normal(mean, logVar.mul(0.5).exp()), 1);
            Distribution prior = new Independent(new Normal(mean.fullLike(0), mean.fullLike(1)), 1);
            Tensor divergence = KL.divergence(posterior, prior).mean();
            divergence.backward();
            assertEquals(byHand.item(), divergence.item(), TOLERANCE);
            assertArrayEquals(handMeanGrad, mean.grad().toDoubleArray(), TOLERANCE);
            assertArrayEquals(handLogVarGrad, logVar.grad().toDoubleArray(), TOLERANCE);
        }
    }
}
