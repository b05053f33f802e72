package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack of {@link TransformerDecoderLayer}s. Pre-norm layers (the default) leave the residual stream
 * unnormalised, so the stack normalises its output once at the end with a final {@link LayerNorm} (eps the
 * layers' {@code layerNormEps}), like PyTorch's {@code torch.nn.TransformerDecoder(layer, numLayers,
 * norm=LayerNorm(dModel, eps))}; post-norm layers end in a LayerNorm themselves, so the stack adds none, like
 * PyTorch's {@code torch.nn.TransformerDecoder(layer, numLayers, norm=None)}; the constructor with {@code finalNorm}
 * chooses either way ({@link Transformer} has one after post-norm layers too, as PyTorch's does). Sub-modules
 * {@code layers.0 .. layers.(n-1)} and, with a final norm, {@code norm}, as in PyTorch. Unlike PyTorch, which
 * deep-copies one layer (so every layer starts from the same weights), each layer is built and initialised
 * on its own.
 *
 * <p>Shapes and masks (PyTorch's float masks and key padding masks too) as in {@link TransformerDecoderLayer}:
 * target [batch, T, dModel], memory
 * [batch, S, dModel]; returns the output [batch, T, dModel] and the last layer's cross-attention
 * weights [batch, T, S]. Unbatched target [T, dModel] and memory [S, dModel] give [T, dModel] and [T, S].
 */
public class TransformerDecoder extends Module {
    /** {@code numLayers} (at least 1) pre-norm layers of the given sizes; see {@link TransformerDecoderLayer}. */
    public TransformerDecoder(int numLayers, int dModel, int heads, int feedForward, double dropout) {
        this(numLayers, dModel, heads, feedForward, dropout, TransformerLayerOptions.preNorm());
    }

    /** {@code numLayers} (at least 1) layers of the given sizes and options, with a final norm if pre-norm. */
    public TransformerDecoder(int numLayers, int dModel, int heads, int feedForward, double dropout,
                              TransformerLayerOptions options) {
        this(numLayers, dModel, heads, feedForward, dropout, options, options.normFirst());
    }

    /**
     * {@code numLayers} (at least 1) layers of the given sizes and options, with a final {@link LayerNorm} (eps the
     * options' {@code layerNormEps}) when {@code finalNorm}, whichever the norm order: PyTorch's {@code norm=LayerNorm}
     * or {@code norm=None}.
     */
    public TransformerDecoder(int numLayers, int dModel, int heads, int feedForward, double dropout,
                              TransformerLayerOptions options, boolean finalNorm) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerDecoder: needs at least one layer, got " + numLayers);
        }
        ModuleList layers = registerModule("layers", new ModuleList());
        for (int i = 0; i < numLayers; i++) {
            layers.add(new TransformerDecoderLayer(dModel, heads, feedForward, dropout, options));
        }
        if (finalNorm) {
            registerModule("norm", new LayerNorm(dModel, options.layerNormEps()));
        }
    }

    public int numLayers() {
        return layers().size();
    }

    /** Layer {@code i}. */
    public TransformerDecoderLayer layer(int i) {
        return (TransformerDecoderLayer) layers().get(i);
    }

    private ModuleList layers() {
        return (ModuleList) module("layers");
    }

    /** See the class comment for shapes; the masks as in {@link TransformerDecoderLayer#forward(Tensor, Tensor, Tensor, Tensor)}. */
    public TransformerDecoderOutput forward(Tensor y, Tensor memory, Tensor selfMask, Tensor memoryMask) {
        return forward(y, memory, selfMask == null ? null : AttentionMask.masking(selfMask),
                memoryMask == null ? null : AttentionMask.masking(memoryMask), null, null);
    }

    /**
     * PyTorch's {@code forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask)};
     * every layer reads the masks as
     * {@link TransformerDecoderLayer#forward(Tensor, Tensor, AttentionMask, AttentionMask, Tensor, Tensor)} does.
     * Unbatched y [T, dModel] and memory [S, dModel] (key padding masks [T] and [S]) give [T, dModel] and weights
     * [T, S], run as a batch of one.
     */
    public TransformerDecoderOutput forward(Tensor y, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask,
                                            Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        // Of another width, y goes on for the first layer to refuse as it was given, not as a batch of one.
        int dModel = layer(0).selfAttention().embedDim();
        if (y.rank() == 2 && y.dim(1) == dModel) {
            return BatchOfOne.squeezed(forward(y.unsqueeze(0), BatchOfOne.memory("TransformerDecoder", memory, y,
                    dModel), tgtMask, memoryMask, BatchOfOne.keyPadding(tgtKeyPaddingMask),
                    BatchOfOne.keyPadding(memoryKeyPaddingMask)));
        }
        TransformerDecoderOutput out = null;
        Tensor h = y;
        for (int i = 0; i < numLayers(); i++) {
            if (out != null) {
                releaseConsumed(out.crossAttention(), h);
            }
            out = layer(i).forward(h, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask);
            releaseConsumed(h, out.output(), y);
            h = out.output();
        }
        return new TransformerDecoderOutput(finalNorm(h, y), out.crossAttention());
    }

    /** One cache per layer for a new decoding run over {@code memory} [rows, S, dModel] (unbatched [S, dModel]). */
    public List<KeyValueCache> startCaches(Tensor memory) {
        List<KeyValueCache> caches = new ArrayList<>();
        for (int i = 0; i < numLayers(); i++) {
            caches.add(layer(i).startCache(memory));
        }
        return caches;
    }

    /**
     * One decoding step of the next position {@code y} [rows, 1, dModel] given the layers' {@code caches};
     * the output goes through the stack's final norm, if it has one, as
     * {@link #forward(Tensor, Tensor, Tensor, Tensor)}'s does. Unbatched, y [1, dModel] with caches started from an
     * unbatched memory gives [1, dModel] and weights [1, S], as each layer's step does.
     */
    public TransformerDecoderStep step(Tensor y, List<KeyValueCache> caches, Tensor memoryMask) {
        return step(y, caches, memoryMask == null ? null : AttentionMask.masking(memoryMask), null);
    }

    /**
     * One decoding step under PyTorch's masks of the memory, read as
     * {@link TransformerDecoderLayer#step(Tensor, KeyValueCache, AttentionMask, Tensor)} reads them.
     */
    public TransformerDecoderStep step(Tensor y, List<KeyValueCache> caches, AttentionMask memoryMask,
                                       Tensor memoryKeyPaddingMask) {
        if (caches.size() != numLayers()) {
            throw new IllegalArgumentException("TransformerDecoder: " + caches.size() + " caches for " + numLayers() + " layers");
        }
        List<KeyValueCache> next = new ArrayList<>();
        TransformerDecoderStep out = null;
        for (int i = 0; i < numLayers(); i++) {
            out = layer(i).step(y, caches.get(i), memoryMask, memoryKeyPaddingMask);
            y = out.output();
            next.add(out.caches().get(0));
        }
        return new TransformerDecoderStep(finalNorm(y, null), out.crossAttention(), next);
    }

    /** {@code h} through the final norm (releasing it unless it is the input {@code y}), or {@code h} without one. */
    private Tensor finalNorm(Tensor h, Tensor y) {
        Module norm = module("norm");
        if (norm == null) {
            return h;
        }
        Tensor normalised = norm.call(h);
        releaseConsumed(h, normalised, y);
        return normalised;
    }

    /** Not available: a decoder needs the memory it attends to; call {@link #forward(Tensor, Tensor, Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor y) {
        throw new UnsupportedOperationException("TransformerDecoder: a decoder attends to the encoder's memory; call "
                + "forward(target, memory, selfMask, memoryMask)");
    }
}
