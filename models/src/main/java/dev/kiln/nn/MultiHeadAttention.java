package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.init.Init;

/**
 * Multi-head attention (Vaswani et al. 2017), like PyTorch's
 * {@code torch.nn.MultiheadAttention(embedDim, heads, dropout, batch_first=True)}:
 * <pre>
 * head_i = softmax(q_i k_i^T / sqrt(d)) v_i      with q = q_proj(query), k = k_proj(key), v = v_proj(value)
 * output = out_proj(concat(head_1, ..., head_h))
 * </pre>
 * where head i reads features {@code [i d, (i+1) d)} of the projections and {@code d = embedDim / heads}.
 * Each head is a {@link DotProductAttention}{@code (scaled = true)} over [batch * heads, steps, d], the
 * heads split off by a reshape, as PyTorch does.
 *
 * <p>Shapes: query [batch, T, embedDim], key and value [batch, S, embedDim]; output context
 * [batch, T, embedDim] and weights [batch, T, S] averaged over the heads (PyTorch's
 * {@code average_attn_weights=True}). The mask follows {@link Attention}: anything that broadcasts to
 * [batch, T, S] ([batch, 1, S] for key padding, [1, T, T] for {@link Attention#causalMask}), non-zero where
 * a key must not be attended to (PyTorch's boolean {@code attn_mask} with True = masked); it applies to
 * every head, or is [batch * heads, T, S], one slice per head. Every query needs at least one unmasked key.
 * PyTorch's float {@code attn_mask}, added to the scaled scores, and its {@code key_padding_mask} [batch, S]
 * go to {@link #attend(Tensor, Tensor, Tensor, AttentionMask, Tensor)}: see {@link AttentionMask}.
 *
 * <p>Sub-modules {@code q_proj}, {@code k_proj}, {@code v_proj} and {@code out_proj}, each a {@link Linear}
 * [embedDim, embedDim] with bias. Initialised as PyTorch does: the three input projections uniform in
 * +-sqrt(6 / (embedDim + 3 embedDim)) (Xavier-uniform of PyTorch's packed {@code in_proj_weight}
 * [3 embedDim, embedDim]), their biases and {@code out_proj}'s bias zero, {@code out_proj}'s weight the
 * {@link Linear} default. PyTorch keeps the three input weights packed in one {@code in_proj_weight}; here
 * they are separate (as in PyTorch when key and value widths differ), so a PyTorch state dict maps over by
 * splitting {@code in_proj_weight} and {@code in_proj_bias} into thirds in the order q, k, v.
 *
 * <p>In training mode the attention weights pass through dropout with probability {@code dropout} before
 * they weigh the values. The weights returned are those before dropout, so that each row is a distribution
 * (PyTorch returns them after dropout); in evaluation mode the two agree.
 */
public class MultiHeadAttention extends Module {
    /** The per-head attention: parameter-free and stateless, so one instance serves every layer. */
    private static final DotProductAttention SCALED_DOT_PRODUCT = new DotProductAttention(true);

    private final int embedDim;
    private final int heads;
    private final double dropout;

    /**
     * @param embedDim model width E, divisible by {@code heads}
     * @param heads number of heads h; each attends in E / h dimensions
     * @param dropout probability in [0, 1) of dropping an attention weight in training
     */
    public MultiHeadAttention(int embedDim, int heads, double dropout) {
        if (embedDim <= 0 || heads <= 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim and heads must be positive, got " + embedDim
                    + " and " + heads);
        }
        if (embedDim % heads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim " + embedDim + " must be divisible by heads "
                    + heads);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("MultiHeadAttention: dropout must be in [0, 1), got " + dropout);
        }
        this.embedDim = embedDim;
        this.heads = heads;
        this.dropout = dropout;
        double bound = Math.sqrt(6.0 / (embedDim + 3.0 * embedDim));
        for (String name : new String[] {"q_proj", "k_proj", "v_proj"}) {
            Linear projection = registerModule(name, new Linear(embedDim, embedDim));
            Init.uniform(projection.weight(), -bound, bound);
            Init.zeros(projection.bias());
        }
        Linear out = registerModule("out_proj", new Linear(embedDim, embedDim));
        Init.zeros(out.bias());
    }

    public int embedDim() {
        return embedDim;
    }

    public int heads() {
        return heads;
    }

    /** Width of one head, embedDim / heads. */
    public int headDim() {
        return embedDim / heads;
    }

    public double dropout() {
        return dropout;
    }

    public Linear qProj() {
        return (Linear) module("q_proj");
    }

    public Linear kProj() {
        return (Linear) module("k_proj");
    }

    public Linear vProj() {
        return (Linear) module("v_proj");
    }

    public Linear outProj() {
        return (Linear) module("out_proj");
    }

    /**
     * Attends from {@code query} [batch, T, E] to {@code key} [batch, S, E] and {@code value} [batch, S, E];
     * {@code mask} (or null) broadcasts to [batch, T, S], non-zero = masked. Returns the context
     * [batch, T, E] and the weights [batch, T, S] averaged over the heads.
     */
    public AttentionOutput attend(Tensor query, Tensor key, Tensor value, Tensor mask) {
        return attend(query, key, value, mask == null ? null : AttentionMask.masking(mask), null);
    }

    /**
     * PyTorch's {@code forward(query, key, value, key_padding_mask, attn_mask=attnMask)}: attends from
     * {@code query} [batch, T, E] to {@code key} [batch, S, E] and {@code value} [batch, S, E] under
     * {@code attnMask} (or null; its mask and bias broadcast to [batch, T, S] or are [batch * heads, T, S], see
     * {@link AttentionMask}) and {@code keyPaddingMask} [batch, S] (or null; non-zero = padding), combined as
     * PyTorch combines them. Returns the context [batch, T, E] and the weights [batch, T, S] averaged over the heads.
     */
    public AttentionOutput attend(Tensor query, Tensor key, Tensor value, AttentionMask attnMask, Tensor keyPaddingMask) {
        checkInput("query", query);
        checkInput("key", key);
        checkInput("value", value);
        if (key.dim(0) != query.dim(0) || value.dim(0) != query.dim(0) || value.dim(1) != key.dim(1)) {
            throw new IllegalArgumentException(this + ": query " + query.shape() + ", key " + key.shape() + " and value "
                    + value.shape() + " must share the batch, and key and value the length S");
        }
        Tensor keys = projectKeys(key);
        Tensor values = projectValues(value);
        AttentionOutput attended = attendProjected(query, keys, values, attnMask, keyPaddingMask);
        releaseConsumed(keys, attended.context());
        releaseConsumed(values, attended.context());
        return attended;
    }

    /**
     * The keys of {@code key} [batch, S, E], projected and split into heads: [batch, heads, S, E / heads]. A
     * decoder projects the encoder's output once and reuses it at every step ({@link #attendProjected}).
     */
    public Tensor projectKeys(Tensor key) {
        checkInput("key", key);
        return consume(kProj().call(key), this::splitHeads);
    }

    /** The values of {@code value} [batch, S, E], projected and split into heads: [batch, heads, S, E / heads]. */
    public Tensor projectValues(Tensor value) {
        checkInput("value", value);
        return consume(vProj().call(value), this::splitHeads);
    }

    /**
     * {@link #attend} with keys and values already projected by {@link #projectKeys} and
     * {@link #projectValues} ([batch, heads, S, E / heads]).
     */
    public AttentionOutput attendProjected(Tensor query, Tensor keys, Tensor values, Tensor mask) {
        return attendProjected(query, keys, values, mask == null ? null : AttentionMask.masking(mask), null);
    }

    /**
     * {@link #attend(Tensor, Tensor, Tensor, AttentionMask, Tensor)} with keys and values already projected by
     * {@link #projectKeys} and {@link #projectValues} ([batch, heads, S, E / heads]).
     */
    public AttentionOutput attendProjected(Tensor query, Tensor keys, Tensor values, AttentionMask attnMask,
                                           Tensor keyPaddingMask) {
        checkInput("query", query);
        int batch = query.dim(0);
        int steps = query.dim(1);
        if (keys.rank() != 4 || !keys.shape().equals(values.shape()) || keys.dim(0) != batch || keys.dim(1) != heads
                || keys.dim(3) != headDim()) {
            throw new IllegalArgumentException(this + ": projected keys " + keys.shape() + " and values " + values.shape()
                    + " must both be [" + batch + ", " + heads + ", S, " + headDim() + "] for query " + query.shape());
        }
        int keySteps = keys.dim(2);
        Tensor mask = attnMask == null ? null : attnMask.mask();
        Tensor bias = attnMask == null ? null : attnMask.bias();
        if (attnMask != null) {
            attnMask.check(toString(), "attention mask", batch, heads, steps, keySteps);
        }
        AttentionMask.checkKeyPadding(toString(), "key padding mask", keyPaddingMask, batch, keySteps);
        Tensor q = consume(consume(qProj().call(query), this::splitHeads), t -> t.reshape(batch * heads, steps, headDim()));
        Tensor k = keys.reshape(batch * heads, keySteps, headDim());
        Tensor v = values.reshape(batch * heads, keySteps, headDim());
        Tensor headMask = withKeyPadding(headwise(mask, batch, steps, keySteps), keyPaddingMask, mask);
        Tensor headBias = headwise(bias, batch, steps, keySteps);
        AttentionOutput perHead = SCALED_DOT_PRODUCT.attend(q, k, v, headMask, headBias);
        Tensor weights = perHead.weights();
        Tensor context = perHead.context();
        if (isTraining() && dropout > 0) {
            context = F.dropout(weights, dropout, true).matmul(v);
        }
        for (Tensor read : new Tensor[] {q, k, v}) {
            releaseConsumed(read, context);
        }
        releaseConsumed(headMask, context, mask);
        releaseConsumed(headBias, context, bias);
        Tensor merged = consume(consume(consume(context, t -> t.reshape(batch, heads, steps, headDim())),
                t -> t.permute(0, 2, 1, 3)), t -> t.reshape(batch, steps, embedDim));
        Tensor averaged = consume(weights.reshape(batch, heads, steps, keySteps), t -> t.mean(1, false));
        releaseConsumed(weights, averaged);
        return new AttentionOutput(consume(merged, outProj()::call), averaged);
    }

    /** Self-attention without a mask: the context [batch, T, E] of {@code x} [batch, T, E] attending to itself. */
    @Override
    public Tensor forward(Tensor x) {
        AttentionOutput attended = attend(x, x, x, null);
        releaseConsumed(attended.weights(), attended.context());
        return attended.context();
    }

    /** [batch, steps, E] to [batch, heads, steps, d]: {@code [b, i]} is head i of sequence b. */
    private Tensor splitHeads(Tensor x) {
        return consume(x.reshape(x.dim(0), x.dim(1), heads, headDim()), t -> t.permute(0, 2, 1, 3));
    }

    /**
     * A mask or bias that {@link AttentionMask#fits} as [batch * heads, T or 1, S or 1], or [1, ., .] when shared
     * by the batch: a part per sequence is repeated for each of its heads, one per head is kept.
     */
    private Tensor headwise(Tensor part, int batch, int steps, int keySteps) {
        if (part == null) {
            return null;
        }
        Tensor m = part;
        while (m.rank() < 3) {
            m = m.unsqueeze(0);
        }
        if (m.dim(0) == 1 || heads == 1 || m.dim(0) == batch * heads) {
            return m;
        }
        Tensor rows = m;
        Tensor repeated = consume(consume(m.unsqueeze(1), t -> t.expand(batch, heads, rows.dim(1), rows.dim(2))),
                t -> t.reshape(batch * heads, rows.dim(1), rows.dim(2)));
        releaseConsumed(m, repeated, part);
        return repeated;
    }

    /**
     * {@code headMask} (or null) non-zero also where {@code keyPadding} [batch, S] (or null) is: PyTorch's
     * {@code attn_mask.logical_or(key_padding_mask)} over [batch * heads, T, S]. Releases {@code headMask}
     * unless it is the caller's {@code mask}.
     */
    private Tensor withKeyPadding(Tensor headMask, Tensor keyPadding, Tensor mask) {
        if (keyPadding == null) {
            return headMask;
        }
        int batch = keyPadding.dim(0);
        int keySteps = keyPadding.dim(1);
        Tensor perSequence = keyPadding.reshape(batch, 1, keySteps);
        Tensor padding = headwise(perSequence, batch, 1, keySteps);
        releaseConsumed(perSequence, padding);
        if (headMask == null) {
            return padding;
        }
        Tensor sameType = headMask.to(padding.dtype());
        Tensor either = Tensor.where(padding, padding, sameType);
        releaseConsumed(sameType, either, headMask);
        releaseConsumed(headMask, either, mask);
        releaseConsumed(padding, either, keyPadding);
        return either;
    }

    private void checkInput(String what, Tensor t) {
        if (t.rank() != 3 || t.dim(2) != embedDim) {
            throw new IllegalArgumentException(this + ": " + what + " " + t.shape() + " must be [batch, steps, " + embedDim
                    + "]");
        }
    }

    @Override
    public String toString() {
        return "MultiHeadAttention(" + embedDim + ", heads=" + heads + ", dropout=" + dropout + ")";
    }
}
