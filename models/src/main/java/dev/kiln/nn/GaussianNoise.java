package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Additive Gaussian noise in training mode only, like Keras's {@code GaussianNoise(stddev)}: {@code x + std * n}
 * with {@code n} standard normal from the engine's seeded stream, drawn on the input's device; the identity in
 * evaluation mode. Any shape, e.g. [batch, features] to the same. The corruption of a denoising autoencoder's input.
 */
public class GaussianNoise extends Module {
    private final double std;

    /** Noise of standard deviation {@code std} >= 0. */
    public GaussianNoise(double std) {
        if (!(std >= 0) || Double.isInfinite(std)) {
            throw new IllegalArgumentException("GaussianNoise: standard deviation must be finite and >= 0, got " + std);
        }
        this.std = std;
    }

    public double std() {
        return std;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || std == 0) {
            return x;
        }
        return x.add(x.normalLike(0, std));
    }

    /** The setting in PyTorch's style: {@code std=0.1}. */
    @Override
    protected String extraRepr() {
        return "std=" + PythonRepr.number(std);
    }
}
