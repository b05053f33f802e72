package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Sigmoid;
import java.util.Arrays;

/**
 * A stacked, symmetric autoencoder of dense layers: for sizes {@code (784, 256, 64)} the encoder is
 * flatten, 784->256, ReLU, 256->64, ReLU (codes [batch, 64]) and the decoder mirrors it, 64->256, ReLU,
 * 256->784, sigmoid (reconstructions [batch, 784]). Modules {@code encoder} and {@code decoder}, so state-dict
 * keys read {@code encoder.1.weight} ... {@code decoder.2.bias}; the encoder is a classifier body ready for
 * a head such as {@code new Linear(64, 10)}.
 */
public class StackedAutoencoder extends Autoencoder {
    private final int[] sizes;

    /**
     * @param sizes input features, then each hidden width down to the code size; at least two, all positive
     */
    public StackedAutoencoder(int... sizes) {
        this.sizes = checkSizes("StackedAutoencoder", sizes);
        Sequential encoder = new Sequential(new Flatten());
        for (int i = 0; i + 1 < sizes.length; i++) {
            encoder.add(new Linear(sizes[i], sizes[i + 1])).add(new ReLU());
        }
        Sequential decoder = new Sequential();
        for (int i = sizes.length - 1; i > 0; i--) {
            decoder.add(new Linear(sizes[i], sizes[i - 1])).add(i > 1 ? new ReLU() : new Sigmoid());
        }
        registerModule("encoder", encoder);
        registerModule("decoder", decoder);
    }

    static int[] checkSizes(String who, int[] sizes) {
        if (sizes == null || sizes.length < 2 || Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
            throw new IllegalArgumentException(who + ": sizes must be at least two positive widths (input, ..., code), got "
                    + Arrays.toString(sizes));
        }
        return sizes.clone();
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

    /** The mirrored decoder, codes [batch, codeSize] to [batch, features]. */
    public Sequential decoder() {
        return (Sequential) module("decoder");
    }

    @Override
    public Tensor encode(Tensor x) {
        checkInput(toString(), x, features());
        return encoder().call(x);
    }

    @Override
    public Tensor decode(Tensor code) {
        return decoder().call(code);
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + Arrays.toString(sizes);
    }
}
