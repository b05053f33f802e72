package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * One decoder layer of the Transformer, like PyTorch's
 * {@code torch.nn.TransformerDecoderLayer(dModel, heads, feedForward, dropout, activation, layer_norm_eps,
 * batch_first=True, norm_first)}: masked self-attention over the target, attention to the encoder's output
 * (the memory), then a position-wise feed-forward network, each on a residual branch. By default pre-norm
 * with ReLU and eps 1e-5 ({@link TransformerLayerOptions#preNorm()}, PyTorch's
 * {@code norm_first=True, activation="relu"}): each branch normalises its input, the residual stream is never
 * normalised,
 * <pre>
 * y = y + dropout1(self_attn(norm1(y), norm1(y), norm1(y), selfMask))
 * y = y + dropout2(multihead_attn(norm2(y), memory, memory, memoryMask))
 * y = y + dropout3(linear2(dropout(activation(linear1(norm3(y))))))
 * </pre>
 * which trains more stably from scratch than the original post-norm layer (no warm-up needed, Xiong et al.
 * 2020); a stack of them needs a final {@link LayerNorm} (see {@link TransformerDecoder}). Post-norm
 * ({@code normFirst} false, PyTorch's default {@code norm_first=False}) normalises each residual sum instead,
 * <pre>
 * y = norm1(y + dropout1(self_attn(y, y, y, selfMask)))
 * y = norm2(y + dropout2(multihead_attn(y, memory, memory, memoryMask)))
 * y = norm3(y + dropout3(linear2(dropout(activation(linear1(y))))))
 * </pre>
 * The activation is ReLU or the exact GELU; see {@link TransformerLayerOptions}.
 *
 * <p>Shapes: y [batch, T, dModel], memory [batch, S, dModel]; {@code selfMask} broadcasts to [batch, T, T]
 * (usually {@link Attention#causalMask} [1, T, T], so that position t sees positions 0..t only) and
 * {@code memoryMask} to [batch, T, S] (usually {@link Attention#paddingMask} [batch, 1, S]); non-zero =
 * masked, either may be null. PyTorch's float {@code tgt_mask} and {@code memory_mask}, added to the scores, and
 * its {@code tgt_key_padding_mask} [batch, T] and {@code memory_key_padding_mask} [batch, S] go to
 * {@link #forward(Tensor, Tensor, AttentionMask, AttentionMask, Tensor, Tensor)} (see {@link AttentionMask}).
 * Returns the output [batch, T, dModel] and the cross-attention weights [batch, T, S]. Sub-modules as in
 * PyTorch: {@code self_attn}, {@code multihead_attn} ({@link MultiHeadAttention}), {@code linear1}
 * [feedForward, dModel], {@code dropout}, {@code linear2}
 * [dModel, feedForward], {@code norm1}, {@code norm2}, {@code norm3}, {@code dropout1..3}; every dropout has
 * probability {@code dropout} (the attention weights too).
 */
public class TransformerDecoderLayer extends Module {
    private final int dModel;
    /** linear1's width, kept for describe(): quantizeDynamic replaces linear1 by a layer that is no Linear. */
    private final int feedForward;
    private final TransformerLayerOptions options;

    /**
     * A pre-norm layer with ReLU ({@link TransformerLayerOptions#preNorm()}).
     *
     * @param dModel model width, divisible by {@code heads}
     * @param heads attention heads (of both attentions)
     * @param feedForward hidden width of the feed-forward network
     * @param dropout dropout probability in [0, 1)
     */
    public TransformerDecoderLayer(int dModel, int heads, int feedForward, double dropout) {
        this(dModel, heads, feedForward, dropout, TransformerLayerOptions.preNorm());
    }

    /**
     * A layer with the given norm order, activation and LayerNorm eps.
     *
     * @throws IllegalArgumentException naming the layer for an activation other than "relu" and "gelu", or an
     *     eps that is not positive and finite
     */
    public TransformerDecoderLayer(int dModel, int heads, int feedForward, double dropout,
                                   TransformerLayerOptions options) {
        options.check("TransformerDecoderLayer(" + dModel + ", heads=" + heads + ", feedForward=" + feedForward + ")");
        this.dModel = dModel;
        this.feedForward = feedForward;
        this.options = options;
        registerModule("self_attn", new MultiHeadAttention(dModel, heads, dropout));
        registerModule("multihead_attn", new MultiHeadAttention(dModel, heads, dropout));
        registerModule("linear1", new Linear(dModel, feedForward));
        registerModule("dropout", new Dropout(dropout));
        registerModule("linear2", new Linear(feedForward, dModel));
        registerModule("norm1", new LayerNorm(dModel, options.layerNormEps()));
        registerModule("norm2", new LayerNorm(dModel, options.layerNormEps()));
        registerModule("norm3", new LayerNorm(dModel, options.layerNormEps()));
        registerModule("dropout1", new Dropout(dropout));
        registerModule("dropout2", new Dropout(dropout));
        registerModule("dropout3", new Dropout(dropout));
    }

    public MultiHeadAttention selfAttention() {
        return (MultiHeadAttention) module("self_attn");
    }

    public MultiHeadAttention crossAttention() {
        return (MultiHeadAttention) module("multihead_attn");
    }

    /** See the class comment for shapes and masks. */
    public TransformerDecoderOutput forward(Tensor y, Tensor memory, Tensor selfMask, Tensor memoryMask) {
        return forward(y, memory, selfMask == null ? null : AttentionMask.masking(selfMask),
                memoryMask == null ? null : AttentionMask.masking(memoryMask), null, null);
    }

    /**
     * PyTorch's {@code forward(tgt, memory, tgt_mask, memory_mask, tgt_key_padding_mask, memory_key_padding_mask)}:
     * target {@code y} [batch, T, dModel] and {@code memory} [batch, S, dModel]; {@code tgtMask}'s mask and bias
     * broadcast to [batch, T, T] and {@code memoryMask}'s to [batch, T, S], or are [batch * heads, ., .] (see
     * {@link AttentionMask}); {@code tgtKeyPaddingMask} is [batch, T] and {@code memoryKeyPaddingMask} [batch, S],
     * non-zero = padding. Any of the four may be null. Unbatched, as PyTorch takes them: y [T, dModel] and memory
     * [S, dModel] (key padding masks [T] and [S]) give the output [T, dModel] and weights [T, S], run as a batch of
     * one.
     *
     * @throws IllegalArgumentException naming the layer and the mask, with the expected and actual shapes
     */
    public TransformerDecoderOutput forward(Tensor y, Tensor memory, AttentionMask tgtMask, AttentionMask memoryMask,
                                            Tensor tgtKeyPaddingMask, Tensor memoryKeyPaddingMask) {
        if (y.rank() == 2 && y.dim(1) == dModel) {
            return BatchOfOne.squeezed(forward(y.unsqueeze(0), BatchOfOne.memory(describe(), memory, y, dModel),
                    tgtMask, memoryMask, BatchOfOne.keyPadding(tgtKeyPaddingMask),
                    BatchOfOne.keyPadding(memoryKeyPaddingMask)));
        }
        if (y.rank() != 3 || y.dim(2) != dModel) {
            throw new IllegalArgumentException(describe() + ": target " + y.shape() + " must be [batch, steps, " + dModel
                    + "] or unbatched [steps, " + dModel + "]");
        }
        if (memory.rank() != 3 || memory.dim(2) != dModel || memory.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException(describe() + ": memory " + memory.shape() + " must be [" + y.dim(0)
                    + ", steps, " + dModel + "] for target " + y.shape());
        }
        int batch = y.dim(0);
        checkMasks(tgtMask, "tgt mask", tgtKeyPaddingMask, "tgt key padding mask", batch, y.dim(1), y.dim(1));
        checkMasks(memoryMask, "memory mask", memoryKeyPaddingMask, "memory key padding mask", batch, y.dim(1),
                memory.dim(1));
        Tensor h = branchInput(y, "norm1");
        AttentionOutput attended = selfAttention().attend(h, h, h, tgtMask, tgtKeyPaddingMask, false, true);
        releaseConsumed(h, attended.context(), y);
        Tensor attendedSelf = residual(y, consume(attended.context(), module("dropout1")::call), "norm1");
        Tensor query = branchInput(attendedSelf, "norm2");
        AttentionOutput cross = crossAttention().attend(query, memory, memory, memoryMask, memoryKeyPaddingMask);
        releaseConsumed(query, cross.context(), attendedSelf);
        Tensor attendedMemory = residual(attendedSelf, consume(cross.context(), module("dropout2")::call), "norm2");
        releaseConsumed(attendedSelf, attendedMemory);
        Tensor out = feedForward(attendedMemory);
        releaseConsumed(attendedMemory, out);
        return new TransformerDecoderOutput(out, cross.weights());
    }

    public TransformerLayerOptions options() {
        return options;
    }

    /**
     * The cache of a new decoding run over {@code memory} [rows, S, dModel], or unbatched [S, dModel] for unbatched
     * steps: its cross-attention keys and values.
     */
    public KeyValueCache startCache(Tensor memory) {
        List<Tensor> keysAndValues = crossAttention().projectKeysAndValues(memory.rank() == 2 ? memory.unsqueeze(0)
                : memory);
        return new KeyValueCache(null, null, keysAndValues.get(0), keysAndValues.get(1));
    }

    /**
     * One decoding step: the next position {@code y} [rows, 1, dModel] attends to itself and the positions in
     * {@code cache}, then to the memory (mask as in {@link #forward(Tensor, Tensor, Tensor, Tensor)}). Gives the
     * same output as {@code forward} over the whole prefix under a causal mask, at the cost of one position.
     * Unbatched, y [1, dModel] with a cache started from an unbatched memory gives the output [1, dModel] and
     * weights [1, S].
     */
    public TransformerDecoderStep step(Tensor y, KeyValueCache cache, Tensor memoryMask) {
        return step(y, cache, memoryMask == null ? null : AttentionMask.masking(memoryMask), null);
    }

    /**
     * {@link #step(Tensor, KeyValueCache, Tensor)} with PyTorch's masks of the memory: {@code memoryMask}'s mask
     * and bias broadcast to [rows, 1, S] (this position's row of the full forward's [rows, T, S]) or are
     * [rows * heads, 1, S], and {@code memoryKeyPaddingMask} is [rows, S]; either may be null. Gives the same
     * output as {@link #forward(Tensor, Tensor, AttentionMask, AttentionMask, Tensor, Tensor)} over the whole
     * prefix under a causal mask with the same masks of the memory. Unbatched, y [1, dModel] (key padding mask [S])
     * runs as a batch of one and gives the output [1, dModel] and weights [1, S].
     */
    public TransformerDecoderStep step(Tensor y, KeyValueCache cache, AttentionMask memoryMask,
                                       Tensor memoryKeyPaddingMask) {
        if (y.rank() == 2 && y.dim(0) == 1 && y.dim(1) == dModel) {
            return BatchOfOne.squeezed(step(y.unsqueeze(0), cache, memoryMask,
                    BatchOfOne.keyPadding(memoryKeyPaddingMask)));
        }
        if (y.rank() != 3 || y.dim(1) != 1 || y.dim(2) != dModel) {
            throw new IllegalArgumentException(describe() + ": a step's target " + y.shape() + " must be [rows, 1, " + dModel
                    + "] or unbatched [1, " + dModel + "]");
        }
        checkMasks(memoryMask, "memory mask", memoryKeyPaddingMask, "memory key padding mask", y.dim(0), 1,
                cache.memoryKeys().dim(2));
        Tensor h = branchInput(y, "norm1");
        // Keys and values in a storage of their own (not the query's), which the cache may keep to the next step.
        List<Tensor> keysAndValues = selfAttention().projectKeysAndValues(h);
        KeyValueCache next = cache.append(keysAndValues.get(0), keysAndValues.get(1));
        Tensor attendedSelf = residual(y, module("dropout1").call(selfAttention().attendProjected(h, next.selfKeys(),
                next.selfValues(), null).context()), "norm1");
        AttentionOutput cross = crossAttention().attendProjected(branchInput(attendedSelf, "norm2"), cache.memoryKeys(),
                cache.memoryValues(), memoryMask, memoryKeyPaddingMask);
        Tensor attendedMemory = residual(attendedSelf, module("dropout2").call(cross.context()), "norm2");
        return new TransformerDecoderStep(feedForward(attendedMemory), cross.weights(), List.of(next));
    }

    /** Throws, naming this layer and the mask, unless both fit queries [batch, steps] over {@code keySteps} keys. */
    private void checkMasks(AttentionMask mask, String maskName, Tensor keyPadding, String keyPaddingName, int batch,
                            int steps, int keySteps) {
        if (mask != null) {
            mask.check(describe(), maskName, batch, selfAttention().heads(), steps, keySteps);
        }
        AttentionMask.checkKeyPadding(describe(), keyPaddingName, keyPadding, batch, keySteps);
    }

    /** The residual sub-layer of dropout3(linear2(dropout(activation(linear1(.))))) on {@code y}. */
    private Tensor feedForward(Tensor y) {
        Tensor h = branchInput(y, "norm3");
        Tensor branch = consume(consume(consume(consume(module("linear1").call(h), options::activate),
                module("dropout")::call), module("linear2")::call), module("dropout3")::call);
        releaseConsumed(h, branch, y);
        return residual(y, branch, "norm3");
    }

    /** What a residual branch reads: {@code norm(x)} pre-norm, {@code x} itself post-norm. */
    private Tensor branchInput(Tensor x, String norm) {
        return options.normFirst() ? module(norm).call(x) : x;
    }

    /** {@code x + branch} pre-norm, {@code norm(x + branch)} post-norm; releases {@code branch}. */
    private Tensor residual(Tensor x, Tensor branch, String norm) {
        Tensor sum = consume(branch, x::add);
        return options.normFirst() ? sum : consume(sum, module(norm)::call);
    }

    /**
     * Not available: a decoder layer needs the memory it attends to; call
     * {@link #forward(Tensor, Tensor, Tensor, Tensor)}.
     */
    @Override
    public Tensor forward(Tensor y) {
        throw new UnsupportedOperationException(describe() + ": a decoder layer attends to the encoder's memory; call "
                + "forward(target, memory, selfMask, memoryMask)");
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code TransformerDecoderLayer(d_model=8, nhead=2,
     * dim_feedforward=16, dropout=0.1, norm_first=True)}; {@link #toString()} prints its layers, as PyTorch's repr.
     */
    @Override
    public String describe() {
        MultiHeadAttention attention = selfAttention();
        return typeName() + "(d_model=" + dModel + ", nhead=" + attention.heads() + ", dim_feedforward="
                + feedForward + ", dropout=" + PythonRepr.number(attention.dropout())
                + ", " + options.describe() + ")";
    }

    /** The feed-forward width, {@code linear1}'s output features. */
    int feedForwardWidth() {
        return feedForward;
    }
}
