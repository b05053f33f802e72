package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A stack of pre-norm {@link TransformerEncoderLayer}s followed by a final {@link LayerNorm}, like PyTorch's
 * {@code torch.nn.TransformerEncoder(layer, numLayers, norm=LayerNorm(dModel))}: pre-norm layers leave the
 * residual stream unnormalised, so the stack normalises its output once at the end. Sub-modules
 * {@code layers.0 .. layers.(n-1)} and {@code norm}, as in PyTorch. Unlike PyTorch, which deep-copies one
 * layer (so every layer starts from the same weights), each layer is built and initialised on its own.
 *
 * <p>Shapes: x [batch, S, dModel] to [batch, S, dModel]; the mask broadcasts to [batch, S, S], non-zero =
 * masked, usually {@link Attention#paddingMask} [batch, 1, S].
 */
public class TransformerEncoder extends Module {
    /** {@code numLayers} (at least 1) layers of the given sizes; see {@link TransformerEncoderLayer}. */
    public TransformerEncoder(int numLayers, int dModel, int heads, int feedForward, double dropout) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: needs at least one layer, got " + numLayers);
        }
        Sequential layers = registerModule("layers", new Sequential());
        for (int i = 0; i < numLayers; i++) {
            layers.add(new TransformerEncoderLayer(dModel, heads, feedForward, dropout));
        }
        registerModule("norm", new LayerNorm(dModel));
    }

    public int numLayers() {
        return layers().size();
    }

    /** Layer {@code i}. */
    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) layers().get(i);
    }

    private Sequential layers() {
        return (Sequential) module("layers");
    }

    /** {@code x} [batch, S, dModel] with {@code mask} (or null) broadcasting to [batch, S, S]; returns [batch, S, dModel]. */
    public Tensor forward(Tensor x, Tensor mask) {
        Tensor h = x;
        for (int i = 0; i < numLayers(); i++) {
            Tensor next = layer(i).forward(h, mask);
            releaseConsumed(h, next, x);
            h = next;
        }
        Tensor out = module("norm").call(h);
        releaseConsumed(h, out, x);
        return out;
    }

    /** {@link #forward(Tensor, Tensor)} without a mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }
}
