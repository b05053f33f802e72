package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * A stack of pre-norm {@link TransformerDecoderLayer}s followed by a final {@link LayerNorm}, like PyTorch's
 * {@code torch.nn.TransformerDecoder(layer, numLayers, norm=LayerNorm(dModel))}: pre-norm layers leave the
 * residual stream unnormalised, so the stack normalises its output once at the end. Sub-modules
 * {@code layers.0 .. layers.(n-1)} and {@code norm}, as in PyTorch. Unlike PyTorch, which deep-copies one
 * layer (so every layer starts from the same weights), each layer is built and initialised on its own.
 *
 * <p>Shapes and masks as in {@link TransformerDecoderLayer}: target [batch, T, dModel], memory
 * [batch, S, dModel]; returns the normalised output [batch, T, dModel] and the last layer's cross-attention
 * weights [batch, T, S].
 */
public class TransformerDecoder extends Module {
    /** {@code numLayers} (at least 1) layers of the given sizes; see {@link TransformerDecoderLayer}. */
    public TransformerDecoder(int numLayers, int dModel, int heads, int feedForward, double dropout) {
        if (numLayers < 1) {
            throw new IllegalArgumentException("TransformerDecoder: needs at least one layer, got " + numLayers);
        }
        Sequential layers = registerModule("layers", new Sequential());
        for (int i = 0; i < numLayers; i++) {
            layers.add(new TransformerDecoderLayer(dModel, heads, feedForward, dropout));
        }
        registerModule("norm", new LayerNorm(dModel));
    }

    public int numLayers() {
        return layers().size();
    }

    /** Layer {@code i}. */
    public TransformerDecoderLayer layer(int i) {
        return (TransformerDecoderLayer) layers().get(i);
    }

    private Sequential layers() {
        return (Sequential) module("layers");
    }

    /** See the class comment for shapes; the masks as in {@link TransformerDecoderLayer#forward(Tensor, Tensor, Tensor, Tensor)}. */
    public TransformerDecoderOutput forward(Tensor y, Tensor memory, Tensor selfMask, Tensor memoryMask) {
        TransformerDecoderOutput out = null;
        Tensor h = y;
        for (int i = 0; i < numLayers(); i++) {
            if (out != null) {
                releaseConsumed(out.crossAttention(), h);
            }
            out = layer(i).forward(h, memory, selfMask, memoryMask);
            releaseConsumed(h, out.output(), y);
            h = out.output();
        }
        Tensor normalised = module("norm").call(h);
        releaseConsumed(h, normalised, y);
        return new TransformerDecoderOutput(normalised, out.crossAttention());
    }

    /** One cache per layer for a new decoding run over {@code memory} [rows, S, dModel]. */
    public List<KeyValueCache> startCaches(Tensor memory) {
        List<KeyValueCache> caches = new ArrayList<>();
        for (int i = 0; i < numLayers(); i++) {
            caches.add(layer(i).startCache(memory));
        }
        return caches;
    }

    /**
     * One decoding step of the next position {@code y} [rows, 1, dModel] given the layers' {@code caches};
     * the output is normalised, as {@link #forward(Tensor, Tensor, Tensor, Tensor)}'s is.
     */
    public TransformerDecoderStep step(Tensor y, List<KeyValueCache> caches, Tensor memoryMask) {
        if (caches.size() != numLayers()) {
            throw new IllegalArgumentException("TransformerDecoder: " + caches.size() + " caches for " + numLayers() + " layers");
        }
        List<KeyValueCache> next = new ArrayList<>();
        TransformerDecoderStep out = null;
        for (int i = 0; i < numLayers(); i++) {
            out = layer(i).step(y, caches.get(i), memoryMask);
            y = out.output();
            next.add(out.caches().get(0));
        }
        return new TransformerDecoderStep(module("norm").call(y), out.crossAttention(), next);
    }

    /** Not available: a decoder needs the memory it attends to; call {@link #forward(Tensor, Tensor, Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor y) {
        throw new UnsupportedOperationException("TransformerDecoder: a decoder attends to the encoder's memory; call "
                + "forward(target, memory, selfMask, memoryMask)");
    }
}
