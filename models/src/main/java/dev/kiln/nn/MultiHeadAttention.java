package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.init.Init;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Multi-head attention (Vaswani et al. 2017), like PyTorch's
 * {@code torch.nn.MultiheadAttention(embedDim, heads, dropout, batch_first=True)}:
 * <pre>
 * head_i = softmax(q_i k_i^T / sqrt(d)) v_i      with [q | k | v] = x in_proj_weight^T + in_proj_bias
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
 * <p>Parameters as PyTorch's (embedding width and key and value widths all {@code embedDim}, so that PyTorch packs the
 * input projections): {@code in_proj_weight} [3 embedDim, embedDim], the query, key and value projections' weights
 * stacked in that order, {@code in_proj_bias} [3 embedDim] likewise, and the sub-module {@code out_proj}, a
 * {@link Linear} [embedDim, embedDim] with bias; a PyTorch state dict loads key for key. Self-attention (query, key and
 * value the same tensor) projects all three in one GEMM with the whole packed weight; attention to another sequence
 * projects the queries with the first embedDim rows and, when key and value are the same tensor, keys and values in
 * one GEMM with the other rows, as PyTorch does. Initialised as PyTorch does: {@code in_proj_weight} Xavier-uniform
 * (bound sqrt(6 / (embedDim + 3 embedDim))), both biases zero, {@code out_proj}'s weight the {@link Linear} default.
 * Checkpoints that Kiln wrote with separate {@code q_proj}, {@code k_proj} and {@code v_proj} Linear layers load too:
 * {@link Module#loadStateDict} packs them.
 *
 * <p>In training mode the attention weights pass through dropout with probability {@code dropout} before
 * they weigh the values. The weights returned are those before dropout, so that each row is a distribution
 * (PyTorch returns them after dropout); in evaluation mode the two agree.
 */
public class MultiHeadAttention extends Module {
    /** The per-head attention: parameter-free and stateless, so one instance serves every layer. */
    private static final DotProductAttention SCALED_DOT_PRODUCT = new DotProductAttention(true);

    /** The parts of the packed input projection, in PyTorch's order: rows [part E, (part + 1) E). */
    private static final int QUERY = 0;
    private static final int KEY = 1;
    private static final int VALUE = 2;

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
        Tensor weight = registerParameter("in_proj_weight", unscoped(() -> Tensor.zeros(DType.F32, 3 * embedDim, embedDim)));
        registerParameter("in_proj_bias", unscoped(() -> Tensor.zeros(DType.F32, 3 * embedDim)));
        Linear out = registerModule("out_proj", new Linear(embedDim, embedDim));
        Init.zeros(out.bias());
        // After out_proj's default draw, as PyTorch's _reset_parameters runs after the Linear's own init.
        Init.xavierUniform(weight);
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

    /** [3 embedDim, embedDim]: the query, key and value projections' weights, stacked in that order. */
    public Tensor inProjWeight() {
        return param("in_proj_weight");
    }

    /** [3 embedDim]: the query, key and value projections' biases, stacked in that order. */
    public Tensor inProjBias() {
        return param("in_proj_bias");
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
        List<Tensor> projected;
        if (query == key && key == value) {
            projected = project(query, QUERY, 3);
        } else {
            projected = new ArrayList<>(project(query, QUERY, 1));
            projected.addAll(key == value ? project(key, KEY, 2)
                    : List.of(project(key, KEY, 1).get(0), project(value, VALUE, 1).get(0)));
        }
        Tensor keys = projected.get(1);
        Tensor values = projected.get(2);
        AttentionOutput attended = attendHeads(projected.get(0), keys, values, attnMask, keyPaddingMask);
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
        return project(key, KEY, 1).get(0);
    }

    /** The values of {@code value} [batch, S, E], projected and split into heads: [batch, heads, S, E / heads]. */
    public Tensor projectValues(Tensor value) {
        checkInput("value", value);
        return project(value, VALUE, 1).get(0);
    }

    /**
     * {@link #projectKeys} and {@link #projectValues} of the same {@code x} [batch, S, E] in one GEMM: keys and values,
     * each [batch, heads, S, E / heads].
     */
    List<Tensor> projectKeysAndValues(Tensor x) {
        checkInput("key and value", x);
        return project(x, KEY, 2);
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
        checkProjected(keys, values, query.dim(0), "query " + query.shape());
        return attendHeads(project(query, QUERY, 1).get(0), keys, values, attnMask, keyPaddingMask);
    }

    /**
     * {@link #attendProjected(Tensor, Tensor, Tensor, AttentionMask, Tensor)} with the queries projected too:
     * {@code queries} [batch, heads, T, E / heads], which this releases once read.
     */
    private AttentionOutput attendHeads(Tensor queries, Tensor keys, Tensor values, AttentionMask attnMask,
                                        Tensor keyPaddingMask) {
        int batch = queries.dim(0);
        int steps = queries.dim(2);
        checkProjected(keys, values, batch, "projected queries " + queries.shape());
        int keySteps = keys.dim(2);
        Tensor mask = attnMask == null ? null : attnMask.mask();
        Tensor bias = attnMask == null ? null : attnMask.bias();
        if (attnMask != null) {
            attnMask.check(toString(), "attention mask", batch, heads, steps, keySteps);
        }
        AttentionMask.checkKeyPadding(toString(), "key padding mask", keyPaddingMask, batch, keySteps);
        Tensor q = consume(queries, t -> t.reshape(batch * heads, steps, headDim()));
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

    /**
     * {@code x} [batch, steps, E] times rows [first E, (first + parts) E) of {@code in_proj_weight} (transposed) plus
     * the same rows of {@code in_proj_bias}, in one GEMM, split into heads: {@code parts} tensors
     * [batch, heads, steps, d], the first for part {@code first} ({@link #QUERY}, {@link #KEY} or {@link #VALUE}).
     */
    private List<Tensor> project(Tensor x, int first, int parts) {
        int batch = x.dim(0);
        int steps = x.dim(1);
        Tensor weight = inProjWeight();
        Tensor bias = inProjBias();
        Tensor w = parts == 3 ? weight : weight.narrow(0, first * embedDim, parts * embedDim);
        Tensor b = parts == 3 ? bias : bias.narrow(0, first * embedDim, parts * embedDim);
        Tensor rows = x.reshape(batch * steps, embedDim);
        Tensor projected = F.linear(rows, w, b);
        releaseConsumed(rows, projected, x);
        releaseConsumed(w, projected, weight);
        releaseConsumed(b, projected, bias);
        // [batch, steps, parts, heads, d] to [parts, batch, heads, steps, d]: one copy, then a free view per part.
        Tensor split = consume(consume(projected, t -> t.reshape(batch, steps, parts, heads, headDim())),
                t -> t.permute(2, 0, 3, 1, 4));
        List<Tensor> out = new ArrayList<>(parts);
        for (int p = 0; p < parts; p++) {
            out.add(parts == 1 ? split.reshape(batch, heads, steps, headDim())
                    : consume(split.narrow(0, p, 1), t -> t.reshape(batch, heads, steps, headDim())));
        }
        releaseConsumed(split, out.get(0));
        return out;
    }

    private void checkProjected(Tensor keys, Tensor values, int batch, String queries) {
        if (keys.rank() != 4 || !keys.shape().equals(values.shape()) || keys.dim(0) != batch || keys.dim(1) != heads
                || keys.dim(3) != headDim()) {
            throw new IllegalArgumentException(this + ": projected keys " + keys.shape() + " and values " + values.shape()
                    + " must both be [" + batch + ", " + heads + ", S, " + headDim() + "] for " + queries);
        }
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

    /**
     * Packs what Kiln saved before this class held PyTorch's parameters, {@code q_proj.weight}, {@code k_proj.weight}
     * and {@code v_proj.weight} ([E, E] each) and their biases ([E] each), into {@code in_proj_weight} and
     * {@code in_proj_bias} in that order, so that those checkpoints load.
     *
     * @throws IllegalArgumentException naming the keys when a checkpoint holds some of the three parts but not all, or
     *     one of another shape
     */
    @Override
    protected void upgradeStateDict(String prefix, Map<String, Tensor> state) {
        packOldProjections(prefix, "weight", Shape.of(embedDim, embedDim), state);
        packOldProjections(prefix, "bias", Shape.of(embedDim), state);
    }

    private void packOldProjections(String prefix, String kind, Shape partShape, Map<String, Tensor> state) {
        String packed = prefix + "in_proj_" + kind;
        List<String> old = List.of(prefix + "q_proj." + kind, prefix + "k_proj." + kind, prefix + "v_proj." + kind);
        if (state.containsKey(packed) || old.stream().noneMatch(state::containsKey)) {
            return;
        }
        List<String> found = new ArrayList<>();
        for (String key : old) {
            Tensor part = state.get(key);
            found.add(key + (part == null ? " (absent)" : " " + part.shape()));
        }
        if (old.stream().anyMatch(key -> state.get(key) == null || !state.get(key).shape().equals(partShape))) {
            throw new IllegalArgumentException(this + ": the checkpoint holds input projections as Kiln saved them"
                    + " before it packed them as PyTorch does, " + found + "; they load into " + packed + " "
                    + partShape.with(0, 3 * embedDim) + " (q, k and v stacked) only when all three are there, each "
                    + partShape);
        }
        List<Tensor> parts = new ArrayList<>();
        old.forEach(key -> parts.add(state.remove(key)));
        state.put(packed, Tensor.cat(parts, 0));
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
