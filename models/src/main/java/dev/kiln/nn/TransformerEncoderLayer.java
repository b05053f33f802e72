package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * One encoder layer of the Transformer, like PyTorch's
 * {@code torch.nn.TransformerEncoderLayer(dModel, heads, feedForward, dropout, activation, layer_norm_eps,
 * batch_first=True, norm_first)}: self-attention, then a position-wise feed-forward network, each on a
 * residual branch. By default pre-norm with ReLU and eps 1e-5 ({@link TransformerLayerOptions#preNorm()},
 * PyTorch's {@code norm_first=True, activation="relu"}): each branch normalises its input, and the residual
 * stream itself is never normalised,
 * <pre>
 * x = x + dropout1(self_attn(norm1(x), norm1(x), norm1(x), mask))
 * x = x + dropout2(linear2(dropout(activation(linear1(norm2(x))))))
 * </pre>
 * which trains more stably from scratch than the original post-norm layer (no warm-up needed, Xiong et al.
 * 2020); a stack of them needs a final {@link LayerNorm} (see {@link TransformerEncoder}). Post-norm
 * ({@code normFirst} false, PyTorch's default {@code norm_first=False}) normalises each residual sum instead,
 * <pre>
 * x = norm1(x + dropout1(self_attn(x, x, x, mask)))
 * x = norm2(x + dropout2(linear2(dropout(activation(linear1(x))))))
 * </pre>
 * The activation is ReLU or the exact GELU; see {@link TransformerLayerOptions}.
 *
 * <p>Shapes: x [batch, S, dModel] to [batch, S, dModel] (unbatched [S, dModel] to [S, dModel]); the mask broadcasts to [batch, S, S], non-zero =
 * masked, usually {@link Attention#paddingMask} [batch, 1, S]. PyTorch's {@code src_mask} as a float mask added to
 * the scores, and its {@code src_key_padding_mask} [batch, S], go to
 * {@link #forward(Tensor, AttentionMask, Tensor)} (see {@link AttentionMask}). Sub-modules as in PyTorch:
 * {@code self_attn} ({@link MultiHeadAttention}), {@code linear1} [feedForward, dModel], {@code dropout},
 * {@code linear2} [dModel, feedForward], {@code norm1}, {@code norm2}, {@code dropout1}, {@code dropout2}; every dropout has
 * probability {@code dropout} (the attention weights too).
 */
public class TransformerEncoderLayer extends Module implements TwoInputForward {
    private final int dModel;
    /** linear1's width, kept for describe(): quantizeDynamic replaces linear1 by a layer that is no Linear. */
    private final int feedForward;
    private final TransformerLayerOptions options;

    /**
     * A pre-norm layer with ReLU ({@link TransformerLayerOptions#preNorm()}).
     *
     * @param dModel model width, divisible by {@code heads}
     * @param heads attention heads
     * @param feedForward hidden width of the feed-forward network
     * @param dropout dropout probability in [0, 1)
     */
    public TransformerEncoderLayer(int dModel, int heads, int feedForward, double dropout) {
        this(dModel, heads, feedForward, dropout, TransformerLayerOptions.preNorm());
    }

    /**
     * A layer with the given norm order, activation and LayerNorm eps.
     *
     * @throws IllegalArgumentException naming the layer for an activation other than "relu" and "gelu", or an
     *     eps that is not positive and finite
     */
    public TransformerEncoderLayer(int dModel, int heads, int feedForward, double dropout,
                                   TransformerLayerOptions options) {
        options.check("TransformerEncoderLayer(" + dModel + ", heads=" + heads + ", feedForward=" + feedForward + ")");
        this.dModel = dModel;
        this.feedForward = feedForward;
        this.options = options;
        registerModule("self_attn", new MultiHeadAttention(dModel, heads, dropout));
        registerModule("linear1", new Linear(dModel, feedForward));
        registerModule("dropout", new Dropout(dropout));
        registerModule("linear2", new Linear(feedForward, dModel));
        registerModule("norm1", new LayerNorm(dModel, options.layerNormEps()));
        registerModule("norm2", new LayerNorm(dModel, options.layerNormEps()));
        registerModule("dropout1", new Dropout(dropout));
        registerModule("dropout2", new Dropout(dropout));
    }

    public MultiHeadAttention selfAttention() {
        return (MultiHeadAttention) module("self_attn");
    }

    /** {@code x} [batch, S, dModel] with {@code mask} (or null) broadcasting to [batch, S, S]; returns [batch, S, dModel]. */
    @Override
    public Tensor forward(Tensor x, Tensor mask) {
        return forward(x, mask == null ? null : AttentionMask.masking(mask), null);
    }

    /**
     * PyTorch's {@code forward(src, src_mask, src_key_padding_mask)}: {@code x} [batch, S, dModel] with
     * {@code srcMask} (or null; its mask and bias broadcast to [batch, S, S] or are [batch * heads, S, S]) and
     * {@code srcKeyPaddingMask} [batch, S] (or null; non-zero = padding); returns [batch, S, dModel]. Unbatched, as
     * PyTorch takes it: x [S, dModel] with a key padding mask [S] gives [S, dModel], run as a batch of one.
     *
     * @throws IllegalArgumentException naming the layer and the mask, with the expected and actual shapes
     */
    public Tensor forward(Tensor x, AttentionMask srcMask, Tensor srcKeyPaddingMask) {
        if (x.rank() == 2 && x.dim(1) == dModel) {
            return consume(forward(x.unsqueeze(0), srcMask, BatchOfOne.keyPadding(srcKeyPaddingMask)),
                    y -> y.squeeze(0));
        }
        if (x.rank() != 3 || x.dim(2) != dModel) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, steps, " + dModel
                    + "] or unbatched [steps, " + dModel + "]");
        }
        if (srcMask != null) {
            srcMask.check(describe(), "src mask", x.dim(0), selfAttention().heads(), x.dim(1), x.dim(1));
        }
        AttentionMask.checkKeyPadding(describe(), "src key padding mask", srcKeyPaddingMask, x.dim(0), x.dim(1));
        Tensor y = options.normFirst() ? preNormSelfAttention(x, srcMask, srcKeyPaddingMask)
                : postNormSelfAttention(x, srcMask, srcKeyPaddingMask);
        Tensor out = options.normFirst() ? preNormFeedForward(y) : postNormFeedForward(y);
        releaseConsumed(y, out);
        return out;
    }

    public TransformerLayerOptions options() {
        return options;
    }

    /** x + dropout1(self_attn(norm1(x))). */
    private Tensor preNormSelfAttention(Tensor x, AttentionMask mask, Tensor keyPadding) {
        Tensor h = module("norm1").call(x);
        Tensor attended = selfAttend(h, mask, keyPadding);
        releaseConsumed(h, attended);
        return consume(attended, x::add);
    }

    /** norm1(x + dropout1(self_attn(x))). */
    private Tensor postNormSelfAttention(Tensor x, AttentionMask mask, Tensor keyPadding) {
        return consume(consume(selfAttend(x, mask, keyPadding), x::add), module("norm1")::call);
    }

    /** dropout1(self_attn(h, h, h, mask, keyPadding)). */
    private Tensor selfAttend(Tensor h, AttentionMask mask, Tensor keyPadding) {
        // As PyTorch's layer: need_weights=False, so the heads' weights are not averaged for nothing.
        AttentionOutput attended = selfAttention().attend(h, h, h, mask, keyPadding, false, true);
        return consume(attended.context(), module("dropout1")::call);
    }

    /** y + feedForward(norm2(y)). */
    private Tensor preNormFeedForward(Tensor y) {
        Tensor h = module("norm2").call(y);
        Tensor branch = feedForward(h);
        releaseConsumed(h, branch);
        return consume(branch, y::add);
    }

    /** norm2(y + feedForward(y)). */
    private Tensor postNormFeedForward(Tensor y) {
        return consume(consume(feedForward(y), y::add), module("norm2")::call);
    }

    /** dropout2(linear2(dropout(activation(linear1(h))))). */
    private Tensor feedForward(Tensor h) {
        return consume(consume(consume(consume(module("linear1").call(h), options::activate), module("dropout")::call),
                module("linear2")::call), module("dropout2")::call);
    }

    /** {@link #forward(Tensor, Tensor)} without a mask. */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code TransformerEncoderLayer(d_model=8, nhead=2,
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
