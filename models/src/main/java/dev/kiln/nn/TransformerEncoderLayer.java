package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * One encoder layer of the Transformer, like PyTorch's
 * {@code torch.nn.TransformerEncoderLayer(dModel, heads, feedForward, dropout, activation="relu",
 * batch_first=True, norm_first=True)}: self-attention, then a position-wise feed-forward network, each on a
 * residual branch. Pre-norm (PyTorch's {@code norm_first=True}): each branch normalises its input, and the
 * residual stream itself is never normalised,
 * <pre>
 * x = x + dropout1(self_attn(norm1(x), norm1(x), norm1(x), mask))
 * x = x + dropout2(linear2(dropout(relu(linear1(norm2(x))))))
 * </pre>
 * which trains more stably from scratch than the original post-norm layer (no warm-up needed, Xiong et al.
 * 2020); a stack of them needs a final {@link LayerNorm} (see {@link TransformerEncoder}).
 *
 * <p>Shapes: x [batch, S, dModel] to [batch, S, dModel]; the mask broadcasts to [batch, S, S], non-zero =
 * masked, usually {@link Attention#paddingMask} [batch, 1, S]. Sub-modules as in PyTorch: {@code self_attn}
 * ({@link MultiHeadAttention}), {@code linear1} [feedForward, dModel], {@code dropout}, {@code linear2}
 * [dModel, feedForward], {@code norm1}, {@code norm2}, {@code dropout1}, {@code dropout2}; every dropout has
 * probability {@code dropout} (the attention weights too).
 */
public class TransformerEncoderLayer extends Module {
    private final int dModel;

    /**
     * @param dModel model width, divisible by {@code heads}
     * @param heads attention heads
     * @param feedForward hidden width of the feed-forward network
     * @param dropout dropout probability in [0, 1)
     */
    public TransformerEncoderLayer(int dModel, int heads, int feedForward, double dropout) {
        this.dModel = dModel;
        registerModule("self_attn", new MultiHeadAttention(dModel, heads, dropout));
        registerModule("linear1", new Linear(dModel, feedForward));
        registerModule("dropout", new Dropout(dropout));
        registerModule("linear2", new Linear(feedForward, dModel));
        registerModule("norm1", new LayerNorm(dModel));
        registerModule("norm2", new LayerNorm(dModel));
        registerModule("dropout1", new Dropout(dropout));
        registerModule("dropout2", new Dropout(dropout));
    }

    public MultiHeadAttention selfAttention() {
        return (MultiHeadAttention) module("self_attn");
    }

    /** {@code x} [batch, S, dModel] with {@code mask} (or null) broadcasting to [batch, S, S]; returns [batch, S, dModel]. */
    public Tensor forward(Tensor x, Tensor mask) {
        if (x.rank() != 3 || x.dim(2) != dModel) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, steps, " + dModel + "]");
        }
        Tensor h = module("norm1").call(x);
        AttentionOutput attended = selfAttention().attend(h, h, h, mask);
        releaseConsumed(h, attended.context());
        releaseConsumed(attended.weights(), attended.context());
        Tensor y = consume(consume(attended.context(), module("dropout1")::call), x::add);
        Tensor branch = consume(consume(consume(consume(consume(module("norm2").call(y), module("linear1")::call),
                Tensor::relu), module("dropout")::call), module("linear2")::call), module("dropout2")::call);
        Tensor out = consume(branch, y::add);
        releaseConsumed(y, out);
        return out;
    }

    /** {@link #forward(Tensor, Tensor)} without a mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    @Override
    public String toString() {
        MultiHeadAttention attention = selfAttention();
        return "TransformerEncoderLayer(" + dModel + ", heads=" + attention.heads() + ", feedForward="
                + ((Linear) module("linear1")).outFeatures() + ", dropout=" + attention.dropout() + ", norm_first=true)";
    }
}
