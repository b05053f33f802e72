package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import java.util.function.UnaryOperator;

/**
 * An autoencoder, trained without labels: an encoder from inputs [batch, ...] (flattened to
 * [batch, features], e.g. [batch, 1, 28, 28] to [batch, 784]) to codes [batch, codeSize], and a decoder from
 * codes back to reconstructions [batch, features] in (0, 1). Inputs are expected in [0, 1], as MNIST pixels are.
 * {@link #forward} is {@code decode(encode(x))}; {@link #loss} is the training objective.
 *
 * <p>After unsupervised training, {@link #encoder()} is the deterministic input-to-code network to fine-tune
 * with a classifier head on top ({@link dev.kiln.transfer.Transfer}).
 */
public abstract class Autoencoder extends Module {
    /** Input features per example (784 for 28x28 images). */
    public abstract int features();

    /** Code units per example. */
    public abstract int codeSize();

    /** Codes [batch, codeSize] of inputs [batch, ...] of {@link #features()} elements each. */
    public abstract Tensor encode(Tensor x);

    /** Reconstructions [batch, features] in (0, 1) of codes [batch, codeSize]. */
    public abstract Tensor decode(Tensor code);

    /**
     * The encoder as a Sequential from inputs [batch, ...] to codes [batch, codeSize], without the noise or
     * sampling that {@link #encode} adds in training; its modules are this autoencoder's own (not copies).
     */
    public abstract Sequential encoder();

    /** Reconstructions [batch, features] of inputs [batch, ...]. */
    @Override
    public Tensor forward(Tensor x) {
        return decode(encode(x));
    }

    /**
     * The scalar training objective on a batch of inputs x [batch, ...]: the {@link #objective} of reconstructing x
     * from x itself, with this autoencoder's {@link #penalty} of the codes.
     */
    public Tensor loss(Tensor x) {
        return objective(x, x, this::penalty);
    }

    /**
     * The scalar objective of reconstructing target [batch, ...] from input [batch, ...] (the same batch, perhaps
     * corrupted) plus {@code penalty} of the codes decoded (a scalar, or null for nothing): here the mean squared
     * error of {@code decode(encode(input))} against target. A wrapper hands its corrupted input and its penalty
     * down through this, so that the autoencoder it wraps keeps its own objective (a VAE its negative ELBO).
     */
    protected Tensor objective(Tensor input, Tensor target, UnaryOperator<Tensor> penalty) {
        Tensor code = encode(input);
        return withPenalty(reconstructionError(decode(code), target), penalty.apply(code));
    }

    /** {@code objective + penalty}, or the objective alone when the penalty is null. */
    static Tensor withPenalty(Tensor objective, Tensor penalty) {
        return penalty == null ? objective : objective.add(penalty);
    }

    /** What this kind of autoencoder adds to its objective for codes [batch, codeSize]; null for nothing. */
    protected Tensor penalty(Tensor code) {
        return null;
    }

    /**
     * Mean squared error over every element between reconstructions [batch, features] and inputs
     * [batch, ...] of the same number of elements per example: a scalar.
     */
    public static Tensor reconstructionError(Tensor reconstruction, Tensor x) {
        Tensor target = flat(x);
        if (!reconstruction.shape().equals(target.shape())) {
            throw new IllegalArgumentException("reconstructionError: reconstruction " + reconstruction.shape()
                    + " and input " + x.shape() + " (flattened " + target.shape() + ") differ");
        }
        return reconstruction.sub(target).square().mean();
    }

    /** x [batch, ...] as [batch, features]. */
    static Tensor flat(Tensor x) {
        if (x.rank() == 0) {
            throw new IllegalArgumentException("autoencoder input must have a batch axis, got a scalar");
        }
        return x.rank() == 2 ? x : x.reshape(x.dim(0), -1);
    }

    /** Fails unless x [batch, ...] holds {@code features} elements per example. */
    static void checkInput(String who, Tensor x, int features) {
        if (x.rank() == 0 || x.size() != (long) x.dim(0) * features) {
            throw new IllegalArgumentException(who + ": input " + x.shape() + " must be [batch, ...] with " + features
                    + " elements per example");
        }
    }
}
