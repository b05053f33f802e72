package dev.kiln.autoencoder;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.Sigmoid;
import dev.kiln.nn.Unflatten;

/**
 * A convolutional autoencoder for images [batch, channels, height, width] (height and width multiples of 4):
 * the encoder halves the image twice with 3x3 convolutions of stride 2 (channels -> 16 -> 32, each with ReLU),
 * then a dense layer and ReLU give codes [batch, codeSize]; the decoder mirrors it, a dense layer and ReLU back to
 * [batch, 32, height / 4, width / 4] and two 3x3 transposed convolutions of stride 2 (output padding 1) that double
 * the image twice (32 -> 16 with ReLU, 16 -> channels with a sigmoid), flattened to reconstructions
 * [batch, features] in (0, 1). For 28x28 MNIST and 64 codes: 28 -> 14 -> 7 and back, 0.21 million parameters.
 * Modules {@code encoder} and {@code decoder} (state-dict keys {@code encoder.0.weight} ... {@code decoder.5.bias}).
 */
public class ConvAutoencoder extends Autoencoder {
    private static final int FIRST = 16;
    private static final int SECOND = 32;

    private final int channels;
    private final int height;
    private final int width;
    private final int codeSize;

    /**
     * @param channels image channels (1 for MNIST)
     * @param height   image height, a positive multiple of 4
     * @param width    image width, a positive multiple of 4
     * @param codeSize code units, positive
     */
    public ConvAutoencoder(int channels, int height, int width, int codeSize) {
        if (channels <= 0 || codeSize <= 0 || height <= 0 || width <= 0 || height % 4 != 0 || width % 4 != 0) {
            throw new IllegalArgumentException("ConvAutoencoder: expected positive channels and code size and a height"
                    + " and width that are positive multiples of 4, got channels " + channels + ", " + height + " x "
                    + width + ", code size " + codeSize);
        }
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.codeSize = codeSize;
        int innerH = height / 4;
        int innerW = width / 4;
        int inner = SECOND * innerH * innerW;
        registerModule("encoder", new Sequential(
                Conv2d.builder(channels, FIRST, 3).stride(2).padding(1).build(), new ReLU(),
                Conv2d.builder(FIRST, SECOND, 3).stride(2).padding(1).build(), new ReLU(),
                new Flatten(), new Linear(inner, codeSize), new ReLU()));
        registerModule("decoder", new Sequential(
                new Linear(codeSize, inner), new ReLU(), new Unflatten(1, SECOND, innerH, innerW),
                ConvTranspose2d.builder(SECOND, FIRST, 3).stride(2).padding(1).outputPadding(1).build(), new ReLU(),
                ConvTranspose2d.builder(FIRST, channels, 3).stride(2).padding(1).outputPadding(1).build(), new Sigmoid(),
                new Flatten()));
    }

    @Override
    public int features() {
        return channels * height * width;
    }

    @Override
    public int codeSize() {
        return codeSize;
    }

    /** The encoder, images [batch, channels, height, width] to codes [batch, codeSize]. */
    @Override
    public Sequential encoder() {
        return (Sequential) module("encoder");
    }

    /** The decoder, codes [batch, codeSize] to reconstructions [batch, features]. */
    public Sequential decoder() {
        return (Sequential) module("decoder");
    }

    /** Codes [batch, codeSize] of images [batch, channels, height, width], or of the same flattened [batch, features]. */
    @Override
    public Tensor encode(Tensor x) {
        checkInput(describe(), x, features());
        return encoder().call(x.reshape(x.dim(0), channels, height, width));
    }

    @Override
    public Tensor decode(Tensor code) {
        return decoder().call(code);
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "ConvAutoencoder(" + channels + "x" + height + "x" + width + " -> " + codeSize + ")";
    }
}
