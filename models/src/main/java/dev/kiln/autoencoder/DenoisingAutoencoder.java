package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.GaussianNoise;
import dev.kiln.nn.MaskingNoise;
import dev.kiln.nn.Module;
import java.util.function.UnaryOperator;

/**
 * A denoising autoencoder (Vincent et al. 2008): another autoencoder whose input is corrupted by a noise module
 * in training mode while the loss compares the reconstruction with the clean input (by the inner autoencoder's
 * own objective: squared error, or a VAE's negative ELBO), so it must learn structure rather than copy pixels.
 * In evaluation mode the noise is off and this is the inner autoencoder. Shapes and {@link #encoder()} are the
 * inner one's; modules {@code inner} and {@code noise}.
 */
public class DenoisingAutoencoder extends WrappedAutoencoder {
    /** Corrupts the input of {@code inner} with {@code noise}, a module that is the identity in evaluation mode. */
    public DenoisingAutoencoder(Autoencoder inner, Module noise) {
        super(inner);
        registerModule("noise", noise);
    }

    /** Additive Gaussian noise of standard deviation {@code std} ({@link GaussianNoise}). */
    public static DenoisingAutoencoder gaussian(Autoencoder inner, double std) {
        return new DenoisingAutoencoder(inner, new GaussianNoise(std));
    }

    /** Each input element zeroed with probability {@code p} ({@link MaskingNoise}). */
    public static DenoisingAutoencoder masking(Autoencoder inner, double p) {
        return new DenoisingAutoencoder(inner, new MaskingNoise(p));
    }

    public Module noise() {
        return module("noise");
    }

    /** The codes of the corrupted input (in training mode; of x itself in evaluation mode). */
    @Override
    public Tensor encode(Tensor x) {
        return inner().encode(noise().call(x));
    }

    /** The inner autoencoder's objective of reconstructing the clean target from the corrupted input. */
    @Override
    protected Tensor objective(Tensor input, Tensor target, UnaryOperator<Tensor> penalty) {
        return inner().objective(noise().call(input), target, penalty);
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "DenoisingAutoencoder(" + inner().describe() + ", " + noise().describe() + ")";
    }
}
