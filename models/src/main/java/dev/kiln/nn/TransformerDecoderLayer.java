package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * One decoder layer of the Transformer, like PyTorch's
 * {@code torch.nn.TransformerDecoderLayer(dModel, heads, feedForward, dropout, activation="relu",
 * batch_first=True, norm_first=True)}: masked self-attention over the target, attention to the encoder's
 * output (the memory), then a position-wise feed-forward network, each on a residual branch. Pre-norm
 * (PyTorch's {@code norm_first=True}): each branch normalises its input, the residual stream is never
 * normalised,
 * <pre>
 * y = y + dropout1(self_attn(norm1(y), norm1(y), norm1(y), selfMask))
 * y = y + dropout2(multihead_attn(norm2(y), memory, memory, memoryMask))
 * y = y + dropout3(linear2(dropout(relu(linear1(norm3(y))))))
 * </pre>
 * which trains more stably from scratch than the original post-norm layer (no warm-up needed, Xiong et al.
 * 2020); a stack of them needs a final {@link LayerNorm} (see {@link TransformerDecoder}).
 *
 * <p>Shapes: y [batch, T, dModel], memory [batch, S, dModel]; {@code selfMask} broadcasts to [batch, T, T]
 * (usually {@link Attention#causalMask} [1, T, T], so that position t sees positions 0..t only) and
 * {@code memoryMask} to [batch, T, S] (usually {@link Attention#paddingMask} [batch, 1, S]); non-zero =
 * masked, either may be null. Returns the output [batch, T, dModel] and the cross-attention weights
 * [batch, T, S]. Sub-modules as in PyTorch: {@code self_attn}, {@code multihead_attn}
 * ({@link MultiHeadAttention}), {@code linear1} [feedForward, dModel], {@code dropout}, {@code linear2}
 * [dModel, feedForward], {@code norm1}, {@code norm2}, {@code norm3}, {@code dropout1..3}; every dropout has
 * probability {@code dropout} (the attention weights too).
 */
public class TransformerDecoderLayer extends Module {
    private final int dModel;

    /**
     * @param dModel model width, divisible by {@code heads}
     * @param heads attention heads (of both attentions)
     * @param feedForward hidden width of the feed-forward network
     * @param dropout dropout probability in [0, 1)
     */
    public TransformerDecoderLayer(int dModel, int heads, int feedForward, double dropout) {
        this.dModel = dModel;
        registerModule("self_attn", new MultiHeadAttention(dModel, heads, dropout));
        registerModule("multihead_attn", new MultiHeadAttention(dModel, heads, dropout));
        registerModule("linear1", new Linear(dModel, feedForward));
        registerModule("dropout", new Dropout(dropout));
        registerModule("linear2", new Linear(feedForward, dModel));
        registerModule("norm1", new LayerNorm(dModel));
        registerModule("norm2", new LayerNorm(dModel));
        registerModule("norm3", new LayerNorm(dModel));
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
        if (y.rank() != 3 || y.dim(2) != dModel) {
            throw new IllegalArgumentException(this + ": target " + y.shape() + " must be [batch, steps, " + dModel + "]");
        }
        if (memory.rank() != 3 || memory.dim(2) != dModel || memory.dim(0) != y.dim(0)) {
            throw new IllegalArgumentException(this + ": memory " + memory.shape() + " must be [" + y.dim(0)
                    + ", steps, " + dModel + "] for target " + y.shape());
        }
        Tensor h = module("norm1").call(y);
        AttentionOutput attended = selfAttention().attend(h, h, h, selfMask);
        releaseConsumed(h, attended.context());
        releaseConsumed(attended.weights(), attended.context());
        Tensor attendedSelf = consume(consume(attended.context(), module("dropout1")::call), y::add);
        Tensor query = module("norm2").call(attendedSelf);
        AttentionOutput cross = crossAttention().attend(query, memory, memory, memoryMask);
        releaseConsumed(query, cross.context());
        Tensor attendedMemory = consume(consume(cross.context(), module("dropout2")::call), attendedSelf::add);
        releaseConsumed(attendedSelf, attendedMemory);
        Tensor out = feedForward(attendedMemory);
        releaseConsumed(attendedMemory, out);
        return new TransformerDecoderOutput(out, cross.weights());
    }

    /** The cache of a new decoding run over {@code memory} [rows, S, dModel]: its cross-attention keys and values. */
    public KeyValueCache startCache(Tensor memory) {
        return new KeyValueCache(null, null, crossAttention().projectKeys(memory), crossAttention().projectValues(memory));
    }

    /**
     * One decoding step: the next position {@code y} [rows, 1, dModel] attends to itself and the positions in
     * {@code cache}, then to the memory (mask as in {@link #forward(Tensor, Tensor, Tensor, Tensor)}). Gives the
     * same output as {@code forward} over the whole prefix under a causal mask, at the cost of one position.
     */
    public TransformerDecoderStep step(Tensor y, KeyValueCache cache, Tensor memoryMask) {
        if (y.rank() != 3 || y.dim(1) != 1 || y.dim(2) != dModel) {
            throw new IllegalArgumentException(this + ": a step's target " + y.shape() + " must be [rows, 1, " + dModel + "]");
        }
        Tensor h = module("norm1").call(y);
        KeyValueCache next = cache.append(selfAttention().projectKeys(h), selfAttention().projectValues(h));
        y = y.add(module("dropout1").call(selfAttention().attendProjected(h, next.selfKeys(), next.selfValues(), null)
                .context()));
        AttentionOutput cross = crossAttention().attendProjected(module("norm2").call(y), cache.memoryKeys(),
                cache.memoryValues(), memoryMask);
        y = y.add(module("dropout2").call(cross.context()));
        return new TransformerDecoderStep(feedForward(y), cross.weights(), List.of(next));
    }

    /** y + dropout3(linear2(dropout(relu(linear1(norm3(y)))))). */
    private Tensor feedForward(Tensor y) {
        Tensor branch = consume(consume(consume(consume(consume(module("norm3").call(y), module("linear1")::call),
                Tensor::relu), module("dropout")::call), module("linear2")::call), module("dropout3")::call);
        return consume(branch, y::add);
    }

    /**
     * Not available: a decoder layer needs the memory it attends to; call
     * {@link #forward(Tensor, Tensor, Tensor, Tensor)}.
     */
    @Override
    public Tensor forward(Tensor y) {
        throw new UnsupportedOperationException(this + ": a decoder layer attends to the encoder's memory; call "
                + "forward(target, memory, selfMask, memoryMask)");
    }

    @Override
    public String toString() {
        MultiHeadAttention attention = selfAttention();
        return "TransformerDecoderLayer(" + dModel + ", heads=" + attention.heads() + ", feedForward="
                + ((Linear) module("linear1")).outFeatures() + ", dropout=" + attention.dropout() + ", norm_first=true)";
    }
}
