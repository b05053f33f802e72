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
        registerModule("embed", new Linear(features, dModel));
        registerParameter("position", unscoped(() -> Init.normal(Tensor.zeros(steps, dModel), 0, 0.02)));
        registerModule("encoder", new TransformerEncoder(layers, dModel, heads, feedForward, 0,
                TransformerLayerOptions.preNorm()));
        registerModule("fc", new Linear(dModel, classes));
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
        return param("position");
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor rows = SampleSequences.view("RowTransformer", x, steps, features);
        // Read through module(name) and param(name), so that a copy (an averaged or quantised model) runs its own.
        Tensor tokens = module("embed").call(rows).add(position());
        return module("fc").call(module("encoder").call(tokens).mean(1, false));
    }
}
