package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.Arrays;

/**
 * An autoencoder whose encoder is a stack of dense layers: for sizes {@code (784, 256, 64)} flatten, 784->256,
 * ReLU, 256->64, ReLU (codes [batch, 64]), registered as module {@code encoder} (state-dict keys
 * {@code encoder.1.weight} ...), a classifier body ready for a head such as {@code new Linear(64, 10)}.
 * Subclasses say how the decoder mirrors it.
 */
public abstract class DenseAutoencoder extends Autoencoder {
    private final int[] sizes;

    /** @param sizes input features, then each hidden width down to the code size; at least two, all positive */
    protected DenseAutoencoder(int... sizes) {
        if (sizes == null || sizes.length < 2 || Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
            throw new IllegalArgumentException(getClass().getSimpleName()
                    + ": sizes must be at least two positive widths (input, ..., code), got " + Arrays.toString(sizes));
        }
        this.sizes = sizes.clone();
        Sequential encoder = new Sequential(new Flatten());
        for (int i = 0; i + 1 < sizes.length; i++) {
            encoder.add(new Linear(sizes[i], sizes[i + 1])).add(new ReLU());
        }
        registerModule("encoder", encoder);
    }

    /** Input, hidden and code widths. */
    public int[] sizes() {
        return sizes.clone();
    }

    @Override
    public int features() {
        return sizes[0];
    }

    @Override
    public int codeSize() {
        return sizes[sizes.length - 1];
    }

    @Override
    public Sequential encoder() {
        return (Sequential) module("encoder");
    }

    @Override
    public Tensor encode(Tensor x) {
        checkInput(describe(), x, features());
        return encoder().call(x);
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return getClass().getSimpleName() + Arrays.toString(sizes);
    }
}
