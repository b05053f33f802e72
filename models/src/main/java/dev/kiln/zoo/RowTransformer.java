package dev.kiln.zoo;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.nn.init.Init;

/**
 * Classifies a sample read as a sequence of tokens with a Transformer encoder (the benchmark's {@code transformer}
 * workload: an MNIST image's 28 rows as 28 tokens of 28 pixels). Input [batch, ...] of {@code steps * features}
 * values per sample, e.g. [batch, 1, 28, 28] or [batch, 784], viewed as [batch, steps, features]; each token goes
 * through a dense layer to {@code dModel} features plus a learned position vector (N(0, 0.02) at the start, as
 * ViT's), then a pre-norm {@link TransformerEncoder} (with its final LayerNorm; no dropout); the tokens' mean goes
 * through a dense layer to scores [batch, classes]. Sub-modules {@code embed}, {@code encoder}, {@code fc}, parameter
 * {@code position} [steps, dModel]: the names of {@code bench/pytorch_reference.py}'s twin.
 */
public class RowTransformer extends Module {
    private final Linear embed;
    private final Tensor position;
    private final TransformerEncoder encoder;
    private final Linear fc;
    private final int steps;
    private final int features;

    /**
     * @param layers      encoder layers (at least 1)
     * @param dModel      features of each token inside the encoder, a multiple of {@code heads}
     * @param feedForward hidden units of each layer's feed-forward block
     */
    public RowTransformer(int steps, int features, int dModel, int heads, int feedForward, int layers, int classes) {
        if (steps < 1 || features < 1) {
            throw new IllegalArgumentException("RowTransformer: steps and features must be at least 1, got " + steps
                    + " and " + features);
        }
        this.embed = registerModule("embed", new Linear(features, dModel));
        this.position = registerParameter("position", Init.normal(Tensor.zeros(steps, dModel), 0, 0.02));
        this.encoder = registerModule("encoder", new TransformerEncoder(layers, dModel, heads, feedForward, 0,
                TransformerLayerOptions.preNorm()));
        this.fc = registerModule("fc", new Linear(dModel, classes));
        this.steps = steps;
        this.features = features;
    }

    /** Tokens each sample is read as. */
    public int steps() {
        return steps;
    }

    /** Features of each token. */
    public int features() {
        return features;
    }

    /** The learned position vectors [steps, dModel], added to the embedded tokens. */
    public Tensor position() {
        return position;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.size() != (long) x.dim(0) * steps * features) {
            throw new IllegalArgumentException("RowTransformer: input " + x.shape() + " must hold " + steps + " x "
                    + features + " values per sample, e.g. [batch, " + steps * features + "]");
        }
        Tensor tokens = embed.call(x.reshape(x.dim(0), steps, features)).add(position);
        return fc.call(encoder.call(tokens).mean(1, false));
    }
}
