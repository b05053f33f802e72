package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Masking noise in training mode only (Vincent et al. 2008): each element is set to 0 with probability
 * {@code p}, the others are kept <em>unscaled</em> (unlike {@link Dropout}, which rescales by 1/(1-p)), so a
 * denoising autoencoder learns to fill in missing pixels. The identity in evaluation mode. Any shape, e.g.
 * [batch, features] to the same; draws from the engine's seeded stream.
 */
public class MaskingNoise extends Module {
    private final double p;

    /** Masks each element with probability {@code p} in [0, 1). */
    public MaskingNoise(double p) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("MaskingNoise: probability must be in [0, 1), got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) {
            return x;
        }
        return x.mul(x.bernoulliLike(1 - p));
    }

    /** The setting in PyTorch's style, as Dropout's: {@code p=0.3}. */
    @Override
    protected String extraRepr() {
        return "p=" + PythonRepr.number(p);
    }
}
