package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.init.Init;
import java.util.function.UnaryOperator;

/**
 * The whole encoder-decoder Transformer (Vaswani et al. 2017), like PyTorch's {@code torch.nn.Transformer(d_model,
 * nhead, num_encoder_layers, num_decoder_layers, dim_feedforward, dropout, activation, layer_norm_eps, batch_first,
 * norm_first)}, with PyTorch's defaults ({@link #builder()}): a {@link TransformerEncoder} reads the source into a
 * memory, a {@link TransformerDecoder} reads the target and attends to that memory,
 * <pre>
 * memory = encoder.norm(encoderLayers(src, srcMask, srcKeyPaddingMask))
 * output = decoder.norm(decoderLayers(tgt, memory, tgtMask, memoryMask, tgtKeyPaddingMask, memoryKeyPaddingMask))
 * </pre>
 * Both stacks end in a {@link LayerNorm} whatever the norm order, as PyTorch's do (post-norm layers, PyTorch's
 * default, thus end in two). Token embeddings, positional encodings and the output projection are the caller's, as in
 * PyTorch.
 *
 * <p>Shapes (S source and T target positions, N sequences): src [S, N, dModel] and tgt [T, N, dModel], output
 * [T, N, dModel]; with {@code batchFirst} [N, S, dModel], [N, T, dModel] and [N, T, dModel]. The masks are as in
 * PyTorch whatever the layout, and as {@link AttentionMask} reads them: {@code srcMask} [S, S], {@code tgtMask}
 * [T, T] (usually {@link #generateSquareSubsequentMask}) and {@code memoryMask} [T, S] (or [N * nhead, ., .] per
 * head); the key padding masks [N, S], [N, T] and [N, S], non-zero = padding. Unbatched, as PyTorch takes them: src
 * [S, dModel] and tgt [T, dModel] give [T, dModel], whatever {@code batchFirst}, with key padding masks [S], [T] and
 * [S] (per-head masks [nhead, ., .]).
 *
 * <p>Sub-modules as in PyTorch: {@code encoder} ({@code encoder.layers.i}, {@code encoder.norm}) and {@code decoder}
 * ({@code decoder.layers.i}, {@code decoder.norm}), so that a PyTorch state dict loads key for key. Initialised as
 * PyTorch's {@code _reset_parameters}: every weight matrix Xavier-uniform, the attentions' packed
 * {@code in_proj_weight} [3 dModel, dModel] as one matrix.
 */
public class Transformer extends Module implements TwoInputForward {
    private final int dModel;
    private final int nhead;
    private final boolean batchFirst;

    private Transformer(Builder b) {
        this.dModel = b.dModel;
        this.nhead = b.nhead;
        this.batchFirst = b.batchFirst;
        registerModule("encoder", new TransformerEncoder(b.numEncoderLayers, b.dModel, b.nhead, b.dimFeedforward,
                b.dropout, b.options, true));
        registerModule("decoder", new TransformerDecoder(b.numDecoderLayers, b.dModel, b.nhead, b.dimFeedforward,
                b.dropout, b.options, true));
        resetParameters();
    }

    /** A builder with PyTorch's defaults: 512 wide, 8 heads, 6 + 6 post-norm ReLU layers of 2048, dropout 0.1. */
    public static Builder builder() {
        return new Builder();
    }

    /** Xavier-uniform on every weight matrix, as PyTorch's {@code _reset_parameters}. */
    private void resetParameters() {
        for (Tensor p : parameters()) {
            if (p.rank() > 1) {
                Init.xavierUniform(p);
            }
        }
    }

    /**
     * PyTorch's {@code generate_square_subsequent_mask(n)}: an F32 [n, n] float mask, -inf above the diagonal and 0
     * elsewhere, so that position t attends to positions 0..t; pass it as {@link AttentionMask#additive}.
     */
    public static Tensor generateSquareSubsequentMask(int n) {
        return generateSquareSubsequentMask(n, DType.F32);
    }

    /** {@link #generateSquareSubsequentMask(int)} in {@code dtype} (F32 or F64). */
    public static Tensor generateSquareSubsequentMask(int n, DType dtype) {
        if (n < 0) {
            throw new IllegalArgumentException("generateSquareSubsequentMask: n must be >= 0, got " + n);
        }
        double[] mask = new double[n * n];
        for (int t = 0; t < n; t++) {
            for (int s = t + 1; s < n; s++) {
                mask[t * n + s] = Double.NEGATIVE_INFINITY;
            }
        }
        return Tensor.fromArray(mask, n, n).to(dtype);
    }

    public TransformerEncoder encoder() {
        return (TransformerEncoder) module("encoder");
    }

    public TransformerDecoder decoder() {
        return (TransformerDecoder) module("decoder");
    }

    public int dModel() {
        return dModel;
    }

    public int nhead() {
        return nhead;
    }

    /** Whether inputs and output are [N, steps, dModel] rather than [steps, N, dModel]. */
    public boolean isBatchFirst() {
        return batchFirst;
    }

    /** {@link #forward(Tensor, Tensor, AttentionMask, AttentionMask, AttentionMask, Tensor, Tensor, Tensor)} unmasked. */
    @Override
    public Tensor forward(Tensor src, Tensor tgt) {
        return forward(src, tgt, null, null, null, null, null, null);
    }

    /** The target masked by {@code tgtMask} alone, PyTorch's {@code transformer(src, tgt, tgt_mask=tgtMask)}. */
    public Tensor forward(Tensor src, Tensor tgt, AttentionMask tgtMask) {
        return forward(src, tgt, null, tgtMask, null, null, null, null);
    }

    /**
     * PyTorch's {@code forward(src, tgt, src_mask, tgt_mask, memory_mask, src_key_padding_mask, tgt_key_padding_mask,
     * memory_key_padding_mask)}; shapes and masks as in the class comment, any mask null.
     *
     * @throws IllegalArgumentException naming both inputs when they are not both rank 3 (batched) or both rank 2
     *     (unbatched), their widths are not dModel or their batch sizes differ, and naming the mask with its expected
     *     and actual shapes
     */
    public Tensor forward(Tensor src, Tensor tgt, AttentionMask srcMask, AttentionMask tgtMask, AttentionMask memoryMask,
                          Tensor srcKeyPaddingMask, Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        checkInputs(src, tgt);
        if (src.rank() == 2) {
            return unbatched(src, tgt, srcMask, tgtMask, memoryMask, srcKeyPaddingMask, tgtKeyPaddingMask,
                    memoryKeyPaddingMask);
        }
        Tensor source = batchMajor(src);
        Tensor target = batchMajor(tgt);
        Tensor memory = encoder().forward(source, srcMask, srcKeyPaddingMask);
        releaseConsumed(source, memory, src);
        TransformerDecoderOutput decoded = decoder().forward(target, memory, tgtMask, memoryMask, tgtKeyPaddingMask,
                memoryKeyPaddingMask);
        releaseConsumed(target, decoded.output(), tgt);
        releaseConsumed(memory, decoded.output());
        releaseConsumed(decoded.crossAttention(), decoded.output());
        return batchFirst ? decoded.output() : consume(decoded.output(), y -> y.transpose(0, 1));
    }

    /** Unbatched src [S, dModel] and tgt [T, dModel] as a batch of one; returns [T, dModel]. */
    private Tensor unbatched(Tensor src, Tensor tgt, AttentionMask srcMask, AttentionMask tgtMask,
                             AttentionMask memoryMask, Tensor srcKeyPaddingMask, Tensor tgtKeyPaddingMask,
                             Tensor memoryKeyPaddingMask) {
        int batchAxis = batchFirst ? 0 : 1;
        Tensor y = forward(src.unsqueeze(batchAxis), tgt.unsqueeze(batchAxis), srcMask, tgtMask, memoryMask,
                BatchOfOne.keyPadding(srcKeyPaddingMask), BatchOfOne.keyPadding(tgtKeyPaddingMask),
                BatchOfOne.keyPadding(memoryKeyPaddingMask));
        return consume(y, t -> t.squeeze(batchAxis));
    }

    /** {@code x} as [N, steps, dModel]: itself with {@code batchFirst}, else [steps, N, dModel] transposed. */
    private Tensor batchMajor(Tensor x) {
        return batchFirst ? x : x.transpose(0, 1);
    }

    private void checkInputs(Tensor src, Tensor tgt) {
        String layout = batchFirst ? "[N, steps, " + dModel + "]" : "[steps, N, " + dModel + "]";
        int batchAxis = batchFirst ? 0 : 1;
        boolean batched = src.rank() == 3 && tgt.rank() == 3 && src.dim(batchAxis) == tgt.dim(batchAxis);
        boolean unbatched = src.rank() == 2 && tgt.rank() == 2;
        if (!(batched || unbatched) || src.dim(-1) != dModel || tgt.dim(-1) != dModel) {
            throw new IllegalArgumentException(describe() + ": src " + src.shape() + " and tgt " + tgt.shape() + " must both be "
                    + layout + " with the same N, or both unbatched [steps, " + dModel + "]");
        }
    }

    /** Not available: a Transformer reads a source and a target; call {@link #forward(Tensor, Tensor)}. */
    @Override
    public Tensor forward(Tensor x) {
        throw new UnsupportedOperationException(describe() + " reads a source and a target; call forward(src, tgt, ...)");
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code Transformer(d_model=512, nhead=8,
     * num_encoder_layers=6, num_decoder_layers=6, dim_feedforward=2048, dropout=0.1, batch_first=False,
     * norm_first=False)}; {@link #toString()} prints its layers, as PyTorch's repr.
     */
    @Override
    public String describe() {
        TransformerEncoderLayer layer = encoder().layer(0);
        return typeName() + "(d_model=" + dModel + ", nhead=" + nhead + ", num_encoder_layers=" + encoder().numLayers()
                + ", num_decoder_layers=" + decoder().numLayers() + ", dim_feedforward="
                + layer.feedForwardWidth() + ", dropout="
                + PythonRepr.number(layer.selfAttention().dropout()) + ", batch_first=" + PythonRepr.bool(batchFirst)
                + ", " + layer.options().describe() + ")";
    }

    /** The options of a {@link Transformer}, PyTorch's keywords, each starting at PyTorch's default. */
    public static final class Builder {
        private int dModel = 512;
        private int nhead = 8;
        private int numEncoderLayers = 6;
        private int numDecoderLayers = 6;
        private int dimFeedforward = 2048;
        private double dropout = 0.1;
        private TransformerLayerOptions options = TransformerLayerOptions.postNorm();
        private boolean batchFirst;

        private Builder() {
        }

        /** Model width (default 512), divisible by {@link #nhead}. */
        public Builder dModel(int value) {
            dModel = value;
            return this;
        }

        /** Attention heads of every attention (default 8). */
        public Builder nhead(int value) {
            nhead = value;
            return this;
        }

        /** Encoder layers, at least 1 (default 6). */
        public Builder numEncoderLayers(int value) {
            numEncoderLayers = value;
            return this;
        }

        /** Decoder layers, at least 1 (default 6). */
        public Builder numDecoderLayers(int value) {
            numDecoderLayers = value;
            return this;
        }

        /** Hidden width of every feed-forward network (default 2048). */
        public Builder dimFeedforward(int value) {
            dimFeedforward = value;
            return this;
        }

        /** Every dropout's probability, in [0, 1) (default 0.1). */
        public Builder dropout(double value) {
            dropout = value;
            return this;
        }

        /** The feed-forward activation, "relu" (default) or "gelu". */
        public Builder activation(String value) {
            options = options.withActivation(value);
            return this;
        }

        /**
         * The feed-forward activation as a function of a tensor that keeps its shape, PyTorch's callable
         * {@code activation}: e.g. {@code Tensor::silu}; see {@link TransformerLayerOptions#withActivation(UnaryOperator)}.
         */
        public Builder activation(UnaryOperator<Tensor> function) {
            options = options.withActivation(function);
            return this;
        }

        /** Every LayerNorm's eps (default 1e-5). */
        public Builder layerNormEps(double value) {
            options = options.withLayerNormEps(value);
            return this;
        }

        /** Inputs and output as [N, steps, dModel] rather than [steps, N, dModel] (default false). */
        public Builder batchFirst(boolean value) {
            batchFirst = value;
            return this;
        }

        /** Pre-norm layers rather than post-norm (default false); see {@link TransformerLayerOptions}. */
        public Builder normFirst(boolean value) {
            options = options.withNormFirst(value);
            return this;
        }

        /** The Transformer, with fresh parameters from the engine's seeded stream. */
        public Transformer build() {
            return new Transformer(this);
        }
    }
}
