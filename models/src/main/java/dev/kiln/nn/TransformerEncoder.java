package dev.kiln.nn;

import dev.kiln.engine.Checkpoint;
import dev.kiln.engine.Tensor;

/**
 * A stack of {@link TransformerEncoderLayer}s. Pre-norm layers (the default) leave the residual stream
 * unnormalised, so the stack normalises its output once at the end with a final {@link LayerNorm} (eps the
 * layers' {@code layerNormEps}), like PyTorch's {@code torch.nn.TransformerEncoder(layer, numLayers,
 * norm=LayerNorm(dModel, eps))}; post-norm layers end in a LayerNorm themselves, so the stack adds none, like
 * PyTorch's {@code torch.nn.TransformerEncoder(layer, numLayers, norm=None)}; the constructor with {@code finalNorm}
 * chooses either way ({@link Transformer} has one after post-norm layers too, as PyTorch's does). Sub-modules
 * {@code layers.0 .. layers.(n-1)} and, with a final norm, {@code norm}, as in PyTorch. Unlike PyTorch, which
 * deep-copies one layer (so every layer starts from the same weights), each layer is built and initialised
 * on its own.
 *
 * <p>Shapes: x [batch, S, dModel] to [batch, S, dModel] (unbatched [S, dModel] to [S, dModel]); the mask broadcasts to [batch, S, S], non-zero =
 * masked, usually {@link Attention#paddingMask} [batch, 1, S]. PyTorch's float {@code mask} and its
 * {@code src_key_padding_mask} [batch, S] go to {@link #forward(Tensor, AttentionMask, Tensor)}, as in
 * {@link TransformerEncoderLayer}.
 */
public class TransformerEncoder extends Module implements TwoInputForward {
    private boolean checkpoint;

    /** {@code numLayers} (at least 1) pre-norm layers of the given sizes; see {@link TransformerEncoderLayer}. */
    public TransformerEncoder(int numLayers, int dModel, int heads, int feedForward, double dropout) {
        this(numLayers, dModel, heads, feedForward, dropout, TransformerLayerOptions.preNorm());
    }

    /** {@code numLayers} (at least 1) layers of the given sizes and options, with a final norm if pre-norm. */
    public TransformerEncoder(int numLayers, int dModel, int heads, int feedForward, double dropout,
                              TransformerLayerOptions options) {
        this(numLayers, dModel, heads, feedForward, dropout, options, options.normFirst());
    }

    /**
     * {@code numLayers} (at least 1) layers of the given sizes and options, with a final {@link LayerNorm} (eps the
     * options' {@code layerNormEps}) when {@code finalNorm}, whichever the norm order: PyTorch's {@code norm=LayerNorm}
     * or {@code norm=None}.
     */
    public TransformerEncoder(int numLayers, int dModel, int heads, int feedForward, double dropout,
                              TransformerLayerOptions options, boolean finalNorm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerEncoder: needs at least one layer, got " + numLayers);
        }
        ModuleList layers = registerModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) {
            layers.add(new TransformerEncoderLayer(dModel, heads, feedForward, dropout, options));
        }
        if (finalNorm) {
            registerModule("norm", new LayerNorm(dModel, options.layerNormEps()));
        }
    }

    /**
     * Sets whether each layer runs through its own {@link Checkpoint}, as PyTorch users wrap each layer in
     * {@code torch.utils.checkpoint.checkpoint}: the backward pass recomputes a layer's intermediates (attention
     * weights, feed-forward activations, dropout masks) rather than keeping them, so that a step keeps each layer's
     * input plus one layer's intermediates at a time; the same values and gradients. Off by default; returns this.
     */
    public TransformerEncoder checkpoint(boolean enabled) {
        this.checkpoint = enabled;
        return this;
    }

    /** Whether each layer runs through a checkpoint ({@link #checkpoint(boolean)}). */
    public boolean checkpointing() {
        return checkpoint;
    }

    public int numLayers() {
        return layers().size();
    }

    /** Layer {@code i}. */
    public TransformerEncoderLayer layer(int i) {
        return (TransformerEncoderLayer) layers().get(i);
    }

    private ModuleList layers() {
        return (ModuleList) module("layers");
    }

    /** {@code x} [batch, S, dModel] with {@code mask} (or null) broadcasting to [batch, S, S]; returns [batch, S, dModel]. */
    @Override
    public Tensor forward(Tensor x, Tensor mask) {
        return forward(x, mask == null ? null : AttentionMask.masking(mask), null);
    }

    /**
     * PyTorch's {@code forward(src, mask, src_key_padding_mask)}: every layer reads {@code mask} and
     * {@code srcKeyPaddingMask} as {@link TransformerEncoderLayer#forward(Tensor, AttentionMask, Tensor)} does, each
     * through a {@link Checkpoint} with {@link #checkpoint(boolean)}. Unbatched x [S, dModel] (key padding mask [S])
     * gives [S, dModel], run as a batch of one.
     */
    public Tensor forward(Tensor x, AttentionMask mask, Tensor srcKeyPaddingMask) {
        // Of another width, x goes on for the first layer to refuse as it was given, not as a batch of one.
        if (x.rank() == 2 && x.dim(1) == layer(0).selfAttention().embedDim()) {
            return consume(forward(x.unsqueeze(0), mask, BatchOfOne.keyPadding(srcKeyPaddingMask)), y -> y.squeeze(0));
        }
        Tensor h = x;
        for (int i = 0; i < numLayers(); i++) {
            TransformerEncoderLayer layer = layer(i);
            Tensor next = checkpoint ? Checkpoint.apply(in -> layer.forward(in, mask, srcKeyPaddingMask), h)
                    : layer.forward(h, mask, srcKeyPaddingMask);
            releaseConsumed(h, next, x);
            h = next;
        }
        return finalNorm(h, x);
    }

    /** {@code h} through the final norm (releasing it unless it is the input {@code x}), or {@code h} without one. */
    private Tensor finalNorm(Tensor h, Tensor x) {
        Module norm = module("norm");
        if (norm == null) {
            return h;
        }
        Tensor out = norm.call(h);
        releaseConsumed(h, out, x);
        return out;
    }

    /** {@link #forward(Tensor, Tensor)} without a mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }
}
