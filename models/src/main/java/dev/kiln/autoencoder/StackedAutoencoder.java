package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Sigmoid;

/**
 * A stacked, symmetric autoencoder of dense layers: for sizes {@code (784, 256, 64)} the encoder is
 * flatten, 784->256, ReLU, 256->64, ReLU (codes [batch, 64]) and the decoder mirrors it, 64->256, ReLU,
 * 256->784, sigmoid (reconstructions [batch, 784]). Modules {@code encoder} and {@code decoder}, so state-dict
 * keys read {@code encoder.1.weight} ... {@code decoder.2.bias}.
 */
public class StackedAutoencoder extends DenseAutoencoder {
    /**
     * @param sizes input features, then each hidden width down to the code size; at least two, all positive
     */
    public StackedAutoencoder(int... sizes) {
        super(sizes);
        Sequential decoder = new Sequential();
        for (int i = sizes.length - 1; i > 0; i--) {
            decoder.add(new Linear(sizes[i], sizes[i - 1])).add(i > 1 ? new ReLU() : new Sigmoid());
        }
        registerModule("decoder", decoder);
    }

    /** The mirrored decoder, codes [batch, codeSize] to [batch, features]. */
    public Sequential decoder() {
        return (Sequential) module("decoder");
    }

    @Override
    public Tensor decode(Tensor code) {
        return decoder().call(code);
    }
}
