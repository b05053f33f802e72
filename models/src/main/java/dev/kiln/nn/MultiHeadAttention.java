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
 * Multi-head attention (Vaswani et al. 2017), like PyTorch's {@code torch.nn.MultiheadAttention(embed_dim, num_heads,
 * dropout, bias, add_bias_kv, add_zero_attn, kdim, vdim, batch_first)}:
 * <pre>
 * head_i = softmax(q_i k_i^T / sqrt(d)) v_i      with [q | k | v] = x in_proj_weight^T + in_proj_bias
 * output = out_proj(concat(head_1, ..., head_h))
 * </pre>
 * where head i reads features {@code [i d, (i+1) d)} of the projections and {@code d = embedDim / heads}.
 * Each head is a {@link DotProductAttention}{@code (scaled = true)} over [batch * heads, steps, d], the
 * heads split off by a reshape, as PyTorch does. {@link #MultiHeadAttention(int, int, double)} is PyTorch's
 * {@code MultiheadAttention(embedDim, heads, dropout, batch_first=True)}; {@link #builder(int, int)} takes the other
 * options, with PyTorch's defaults (sequence-first among them).
 *
 * <p>Shapes: query [batch, T, embedDim], key [batch, S, kdim] and value [batch, S, vdim] (kdim and vdim are embedDim
 * unless built otherwise; with {@code batchFirst(false)} each is [steps, batch, width] and so is the context); output
 * context [batch, T, embedDim] and weights [batch, T, S] averaged over the heads (PyTorch's
 * {@code average_attn_weights=True}; [batch, heads, T, S] per head, or none, through
 * {@link #attend(Tensor, Tensor, Tensor, AttentionMask, Tensor, boolean, boolean)}). The mask follows
 * {@link Attention}: anything that broadcasts to [batch, T, S] ([batch, 1, S] for key padding, [1, T, T] for
 * {@link Attention#causalMask}), non-zero where a key must not be attended to (PyTorch's boolean {@code attn_mask}
 * with True = masked); it applies to every head, or is [batch * heads, T, S], one slice per head. Every query needs at
 * least one unmasked key. PyTorch's float {@code attn_mask}, added to the scaled scores, and its
 * {@code key_padding_mask} [batch, S] go to {@link #attend(Tensor, Tensor, Tensor, AttentionMask, Tensor)}: see
 * {@link AttentionMask}.
 *
 * <p>With {@code addBiasKv} the learnt {@code bias_k} and {@code bias_v} [1, 1, embedDim] are appended to every
 * sequence's projected keys and values, and with {@code addZeroAttn} a zero key and value after that (per head, after
 * the projection), as PyTorch does: the masks and the key padding mask, given over the caller's S keys, are padded
 * with unmasked (zero) columns for them, and the weights returned cover S + 1 or S + 2 keys, the added ones last.
 *
 * <p>Parameters as PyTorch's, so that a PyTorch state dict loads key for key. When kdim and vdim are embedDim PyTorch
 * packs the input projections: {@code in_proj_weight} [3 embedDim, embedDim], the query, key and value projections'
 * weights stacked in that order; otherwise they are {@code q_proj_weight} [embedDim, embedDim], {@code k_proj_weight}
 * [embedDim, kdim] and {@code v_proj_weight} [embedDim, vdim], and there is no {@code in_proj_weight}. With bias,
 * {@code in_proj_bias} [3 embedDim] likewise; then {@code bias_k} and {@code bias_v} with addBiasKv, and the
 * sub-module {@code out_proj}, a {@link Linear} [embedDim, embedDim] (with a bias unless built without; PyTorch's
 * {@link NonDynamicallyQuantizableLinear}, which dynamic quantization leaves in float). Self-attention
 * (query, key and value the same tensor) projects all three in one GEMM with the whole packed weight; attention to
 * another sequence projects the queries with the first embedDim rows and, when key and value are the same tensor,
 * keys and values in one GEMM with the other rows, as PyTorch does. Initialised as PyTorch does: {@code in_proj_weight}
 * Xavier-uniform (bound sqrt(6 / (embedDim + 3 embedDim))), or each of the three separate weights Xavier-uniform, both
 * biases zero, {@code bias_k} and {@code bias_v} Xavier-normal (std 1 / sqrt(embedDim)), {@code out_proj}'s weight the
 * {@link Linear} default. Checkpoints that Kiln wrote with separate {@code q_proj}, {@code k_proj} and {@code v_proj}
 * Linear layers load too: {@link Module#loadStateDict} packs them.
 *
 * <p>In training mode the attention weights pass through dropout with probability {@code dropout} before
 * they weigh the values. The weights returned are those before dropout, so that each row is a distribution
 * (PyTorch returns them after dropout); in evaluation mode the two agree.
 */
public class MultiHeadAttention extends Module implements ThreeInputForward {
    /** The per-head attention: parameter-free and stateless, so one instance serves every layer. */
    private static final DotProductAttention SCALED_DOT_PRODUCT = new DotProductAttention(true);

    /** The parts of the packed input projection, in PyTorch's order: rows [part E, (part + 1) E). */
    private static final int QUERY = 0;
    private static final int KEY = 1;
    private static final int VALUE = 2;
    /** The separate input projections' weights, by part, where kdim or vdim is not embedDim. */
    private static final String[] SEPARATE_WEIGHTS = {"q_proj_weight", "k_proj_weight", "v_proj_weight"};

    private final int embedDim;
    private final int heads;
    private final double dropout;
    private final boolean bias;
    private final boolean addBiasKv;
    private final boolean addZeroAttn;
    private final int kdim;
    private final int vdim;
    private final boolean batchFirst;

    /**
     * PyTorch's {@code MultiheadAttention(embedDim, heads, dropout, batch_first=True)}: batch-first, with biases, key
     * and value widths embedDim.
     *
     * @param embedDim model width E, divisible by {@code heads}
     * @param heads number of heads h; each attends in E / h dimensions
     * @param dropout probability in [0, 1) of dropping an attention weight in training
     */
    public MultiHeadAttention(int embedDim, int heads, double dropout) {
        this(builder(embedDim, heads).dropout(dropout).batchFirst(true));
    }

    private MultiHeadAttention(Builder b) {
        if (b.embedDim <= 0 || b.heads <= 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim and heads must be positive, got "
                    + b.embedDim + " and " + b.heads);
        }
        if (b.embedDim % b.heads != 0) {
            throw new IllegalArgumentException("MultiHeadAttention: embedDim " + b.embedDim
                    + " must be divisible by heads " + b.heads);
        }
        if (!(b.dropout >= 0 && b.dropout < 1)) {
            throw new IllegalArgumentException("MultiHeadAttention: dropout must be in [0, 1), got " + b.dropout);
        }
        if (b.kdim <= 0 || b.vdim <= 0) {
            throw new IllegalArgumentException("MultiHeadAttention: kdim and vdim must be positive, got " + b.kdim
                    + " and " + b.vdim);
        }
        this.embedDim = b.embedDim;
        this.heads = b.heads;
        this.dropout = b.dropout;
        this.bias = b.bias;
        this.addBiasKv = b.addBiasKv;
        this.addZeroAttn = b.addZeroAttn;
        this.kdim = b.kdim;
        this.vdim = b.vdim;
        this.batchFirst = b.batchFirst;
        List<Tensor> weights = new ArrayList<>();
        if (packed()) {
            weights.add(registerParameter("in_proj_weight", unscoped(() -> Tensor.zeros(DType.F32, 3 * embedDim,
                    embedDim))));
        } else {
            int[] widths = {embedDim, kdim, vdim};
            for (int part = QUERY; part <= VALUE; part++) {
                int width = widths[part];
                weights.add(registerParameter(SEPARATE_WEIGHTS[part], unscoped(() -> Tensor.zeros(DType.F32, embedDim,
                        width))));
            }
        }
        if (bias) {
            registerParameter("in_proj_bias", unscoped(() -> Tensor.zeros(DType.F32, 3 * embedDim)));
        }
        List<Tensor> biasKv = new ArrayList<>();
        if (addBiasKv) {
            for (String name : List.of("bias_k", "bias_v")) {
                biasKv.add(registerParameter(name, unscoped(() -> Tensor.zeros(DType.F32, 1, 1, embedDim))));
            }
        }
        Linear out = registerModule("out_proj", new NonDynamicallyQuantizableLinear(embedDim, embedDim, bias));
        if (bias) {
            Init.zeros(out.bias());
        }
        // After out_proj's default draw, as PyTorch's _reset_parameters runs after the Linear's own init.
        weights.forEach(Init::xavierUniform);
        biasKv.forEach(Init::xavierNormal);
    }

    /**
     * A builder with PyTorch's defaults: no dropout, biases, no {@code bias_k}/{@code bias_v}, no zero attention, key
     * and value widths {@code embedDim}, sequence-first ({@code batch_first=False}).
     *
     * @param embedDim model width E, divisible by {@code numHeads}
     * @param numHeads number of heads h; each attends in E / h dimensions
     */
    public static Builder builder(int embedDim, int numHeads) {
        return new Builder(embedDim, numHeads);
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

    /** Whether the input projections and {@code out_proj} have biases (PyTorch's {@code bias}). */
    public boolean hasBias() {
        return bias;
    }

    /** Whether {@code bias_k} and {@code bias_v} are appended to keys and values (PyTorch's {@code add_bias_kv}). */
    public boolean addBiasKv() {
        return addBiasKv;
    }

    /** Whether a zero key and value are appended after projection (PyTorch's {@code add_zero_attn}). */
    public boolean addZeroAttn() {
        return addZeroAttn;
    }

    /** Width of the key input (PyTorch's {@code kdim}; embedDim unless built otherwise). */
    public int kdim() {
        return kdim;
    }

    /** Width of the value input (PyTorch's {@code vdim}; embedDim unless built otherwise). */
    public int vdim() {
        return vdim;
    }

    /** Whether inputs and context are [batch, steps, width] (true) or [steps, batch, width] (PyTorch's default). */
    public boolean batchFirst() {
        return batchFirst;
    }

    /**
     * [3 embedDim, embedDim]: the query, key and value projections' weights, stacked in that order; null where kdim or
     * vdim is not embedDim (see {@link #qProjWeight()}).
     */
    public Tensor inProjWeight() {
        return param("in_proj_weight");
    }

    /** [embedDim, embedDim]: the query projection's weight where kdim or vdim is not embedDim, else null. */
    public Tensor qProjWeight() {
        return param("q_proj_weight");
    }

    /** [embedDim, kdim]: the key projection's weight where kdim or vdim is not embedDim, else null. */
    public Tensor kProjWeight() {
        return param("k_proj_weight");
    }

    /** [embedDim, vdim]: the value projection's weight where kdim or vdim is not embedDim, else null. */
    public Tensor vProjWeight() {
        return param("v_proj_weight");
    }

    /** [3 embedDim]: the query, key and value projections' biases, stacked in that order; null without bias. */
    public Tensor inProjBias() {
        return param("in_proj_bias");
    }

    /** [1, 1, embedDim]: the key appended to every sequence's projected keys with addBiasKv, else null. */
    public Tensor biasK() {
        return param("bias_k");
    }

    /** [1, 1, embedDim]: the value appended to every sequence's projected values with addBiasKv, else null. */
    public Tensor biasV() {
        return param("bias_v");
    }

    public Linear outProj() {
        return (Linear) module("out_proj");
    }

    /**
     * Attends from {@code query} [batch, T, E] to {@code key} [batch, S, kdim] and {@code value} [batch, S, vdim]
     * (each [steps, batch, width] without batchFirst); {@code mask} (or null) broadcasts to [batch, T, S], non-zero =
     * masked. Returns the context [batch, T, E] (in the inputs' layout) and the weights [batch, T, S] averaged over
     * the heads.
     */
    public AttentionOutput attend(Tensor query, Tensor key, Tensor value, Tensor mask) {
        return attend(query, key, value, mask == null ? null : AttentionMask.masking(mask), null);
    }

    /**
     * PyTorch's {@code forward(query, key, value, key_padding_mask, attn_mask=attnMask)}: attends from
     * {@code query} [batch, T, E] to {@code key} [batch, S, kdim] and {@code value} [batch, S, vdim] (each
     * [steps, batch, width] without batchFirst) under {@code attnMask} (or null; its mask and bias broadcast to
     * [batch, T, S] or are [batch * heads, T, S], see {@link AttentionMask}) and {@code keyPaddingMask} [batch, S]
     * (or null; non-zero = padding), combined as PyTorch combines them. Returns the context [batch, T, E] (in the
     * inputs' layout) and the weights [batch, T, S] averaged over the heads.
     */
    public AttentionOutput attend(Tensor query, Tensor key, Tensor value, AttentionMask attnMask, Tensor keyPaddingMask) {
        return attend(query, key, value, attnMask, keyPaddingMask, true, true);
    }

    /**
     * PyTorch's {@code forward(query, key, value, key_padding_mask, need_weights, attn_mask, average_attn_weights)}:
     * {@link #attend(Tensor, Tensor, Tensor, AttentionMask, Tensor)} returning the weights averaged over the heads
     * [batch, T, S] when {@code averageAttnWeights}, those of each head [batch, heads, T, S] otherwise, or, unless
     * {@code needWeights}, none (null; the heads' weights are still computed, as the softmax gives them, but neither
     * kept nor averaged). S counts {@code bias_k} and the zero key where the layer appends them.
     */
    public AttentionOutput attend(Tensor query, Tensor key, Tensor value, AttentionMask attnMask, Tensor keyPaddingMask,
                                  boolean needWeights, boolean averageAttnWeights) {
        checkInput("query", query, embedDim, "embedDim");
        checkInput("key", key, kdim, "kdim");
        checkInput("value", value, vdim, "vdim");
        int batchAxis = batchFirst ? 0 : 1;
        int stepAxis = 1 - batchAxis;
        if (key.dim(batchAxis) != query.dim(batchAxis) || value.dim(batchAxis) != query.dim(batchAxis)
                || value.dim(stepAxis) != key.dim(stepAxis)) {
            throw new IllegalArgumentException(describe() + ": query " + query.shape() + ", key " + key.shape() + " and value "
                    + value.shape() + " must share the batch (axis " + batchAxis + "), and key and value the length S"
                    + " (axis " + stepAxis + ")");
        }
        List<Tensor> projected;
        // Self-attention passes the width checks only where kdim = vdim = embedDim, so the weight is packed.
        if (query == key && key == value) {
            projected = project(query, QUERY, 3);
        } else {
            projected = new ArrayList<>(project(query, QUERY, 1));
            if (key == value && packed()) {
                projected.addAll(project(key, KEY, 2));
            } else {
                projected.add(project(key, KEY, 1).get(0));
                projected.add(project(value, VALUE, 1).get(0));
            }
        }
        Tensor keys = projected.get(1);
        Tensor values = projected.get(2);
        AttentionOutput attended = attendHeads(projected.get(0), keys, values, attnMask, keyPaddingMask, needWeights,
                averageAttnWeights);
        releaseConsumed(keys, attended.context());
        releaseConsumed(values, attended.context());
        return attended;
    }

    /**
     * The keys of {@code key} [batch, S, kdim] ([S, batch, kdim] without batchFirst), projected and split into heads:
     * [batch, heads, S, E / heads], without {@code bias_k} or the zero key, which {@link #attendProjected} appends. A
     * decoder projects the encoder's output once and reuses it at every step.
     */
    public Tensor projectKeys(Tensor key) {
        checkInput("key", key, kdim, "kdim");
        return project(key, KEY, 1).get(0);
    }

    /**
     * The values of {@code value} [batch, S, vdim] ([S, batch, vdim] without batchFirst), projected and split into
     * heads: [batch, heads, S, E / heads], without {@code bias_v} or the zero value.
     */
    public Tensor projectValues(Tensor value) {
        checkInput("value", value, vdim, "vdim");
        return project(value, VALUE, 1).get(0);
    }

    /**
     * {@link #projectKeys} and {@link #projectValues} of the same {@code x} [batch, S, kdim = vdim], in one GEMM where
     * the input projection is packed: keys and values, each [batch, heads, S, E / heads].
     */
    List<Tensor> projectKeysAndValues(Tensor x) {
        if (!packed()) {
            return List.of(projectKeys(x), projectValues(x));
        }
        checkInput("key and value", x, kdim, "kdim");
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
     * {@link #projectKeys} and {@link #projectValues} ([batch, heads, S, E / heads], whatever batchFirst; the masks
     * over those S keys).
     */
    public AttentionOutput attendProjected(Tensor query, Tensor keys, Tensor values, AttentionMask attnMask,
                                           Tensor keyPaddingMask) {
        checkInput("query", query, embedDim, "embedDim");
        checkProjected(keys, values, query.dim(batchFirst ? 0 : 1), "query " + query.shape());
        return attendHeads(project(query, QUERY, 1).get(0), keys, values, attnMask, keyPaddingMask, true,
                true);
    }

    /**
     * {@link #attendProjected(Tensor, Tensor, Tensor, AttentionMask, Tensor)} with the queries projected too:
     * {@code queries} [batch, heads, T, E / heads], which this releases once read. Appends {@code bias_k} and
     * {@code bias_v}, then the zero key and value, where the layer has them, the masks padded to match; returns the
     * context in the layer's layout.
     */
    private AttentionOutput attendHeads(Tensor queries, Tensor keys, Tensor values, AttentionMask attnMask,
                                        Tensor keyPaddingMask, boolean needWeights, boolean averageAttnWeights) {
        int batch = queries.dim(0);
        int steps = queries.dim(2);
        checkProjected(keys, values, batch, "projected queries " + queries.shape());
        int givenKeys = keys.dim(2);
        Tensor givenMask = attnMask == null ? null : attnMask.mask();
        Tensor givenBias = attnMask == null ? null : attnMask.bias();
        if (attnMask != null) {
            attnMask.check(describe(), "attention mask", batch, heads, steps, givenKeys);
        }
        AttentionMask.checkKeyPadding(describe(), "key padding mask", keyPaddingMask, batch, givenKeys);
        int keySteps = givenKeys + addedKeys();
        Tensor allKeys = withAddedKeys(keys, "bias_k");
        Tensor allValues = withAddedKeys(values, "bias_v");
        Tensor mask = padKeys(givenMask, givenKeys);
        Tensor bias = padKeys(givenBias, givenKeys);
        Tensor keyPadding = padKeys(keyPaddingMask, givenKeys);
        Tensor q = consume(queries, t -> t.reshape(batch * heads, steps, headDim()));
        Tensor k = allKeys.reshape(batch * heads, keySteps, headDim());
        Tensor v = allValues.reshape(batch * heads, keySteps, headDim());
        Tensor headMask = withKeyPadding(headwise(mask, batch, steps, keySteps), keyPadding, mask);
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
        releaseConsumed(allKeys, context, keys);
        releaseConsumed(allValues, context, values);
        releaseConsumed(headMask, context, mask);
        releaseConsumed(headBias, context, bias);
        for (Tensor[] padded : new Tensor[][] {{mask, givenMask}, {bias, givenBias}, {keyPadding, keyPaddingMask}}) {
            if (padded[0] != null) {
                releaseConsumed(padded[0], context, padded[1]);
            }
        }
        // [batch, heads, T, d] to [batch, T, heads, d] (or [T, batch, heads, d]): one copy in the layer's layout.
        Tensor merged = consume(consume(consume(context, t -> t.reshape(batch, heads, steps, headDim())),
                t -> batchFirst ? t.permute(0, 2, 1, 3) : t.permute(2, 0, 1, 3)),
                t -> batchFirst ? t.reshape(batch, steps, embedDim) : t.reshape(steps, batch, embedDim));
        Tensor returned = needWeights ? headWeights(weights, batch, steps, keySteps, averageAttnWeights) : null;
        releaseConsumed(weights, returned);
        return new AttentionOutput(consume(merged, outProj()::call), returned);
    }

    /** The heads' weights [batch * heads, T, S] as [batch, T, S] averaged over the heads, or [batch, heads, T, S]. */
    private Tensor headWeights(Tensor weights, int batch, int steps, int keySteps, boolean average) {
        Tensor perHead = weights.reshape(batch, heads, steps, keySteps);
        return average ? consume(perHead, t -> t.mean(1, false)) : perHead;
    }

    /** How many keys the layer appends to the caller's: one for {@code bias_k}, one for the zero key. */
    private int addedKeys() {
        return (addBiasKv ? 1 : 0) + (addZeroAttn ? 1 : 0);
    }

    /**
     * {@code projected} [batch, heads, S, d] followed by {@code bias} ({@code bias_k} or {@code bias_v}, split into
     * heads) where the layer adds them, then by zeros where it adds a zero key and value: [batch, heads, S + added, d].
     */
    private Tensor withAddedKeys(Tensor projected, String bias) {
        if (addedKeys() == 0) {
            return projected;
        }
        int batch = projected.dim(0);
        List<Tensor> parts = new ArrayList<>(List.of(projected));
        if (addBiasKv) {
            // Feature i d + j of [1, 1, E] is head i's feature j: a free reshape to [1, heads, 1, d].
            Tensor learnt = param(bias);
            Tensor perHead = learnt.reshape(1, heads, 1, headDim());
            parts.add(perHead.expand(batch, heads, 1, headDim()));
            releaseConsumed(perHead, parts.get(1), learnt);
        }
        if (addZeroAttn) {
            parts.add(projected.fullLike(0, Shape.of(batch, heads, 1, headDim())));
        }
        Tensor all = Tensor.cat(parts, 2);
        parts.subList(1, parts.size()).forEach(added -> releaseConsumed(added, all));
        return all;
    }

    /**
     * {@code part} (or null), a mask, bias or key padding mask over {@code keySteps} keys (its last axis keySteps or
     * 1), with a zero (unmasked) column for each key the layer appends, as PyTorch pads its masks: the last axis
     * keySteps + added. Itself where the layer appends none.
     */
    private Tensor padKeys(Tensor part, int keySteps) {
        if (part == null || addedKeys() == 0) {
            return part;
        }
        int last = part.rank() - 1;
        Tensor full = part.expand(part.shape().with(last, keySteps).dims());
        Tensor open = part.fullLike(0, part.shape().with(last, addedKeys()));
        Tensor padded = Tensor.cat(List.of(full, open), last);
        releaseConsumed(full, padded, part);
        releaseConsumed(open, padded);
        return padded;
    }

    /**
     * Self-attention without a mask: the context [batch, T, E] of {@code x} [batch, T, E] ([T, batch, E] both without
     * batchFirst) attending to itself.
     *
     * @throws IllegalArgumentException naming kdim and vdim where either is not embedDim, as self-attention needs all
     *     three widths the same
     */
    @Override
    public Tensor forward(Tensor x) {
        if (!packed()) {
            throw new IllegalArgumentException(describe() + ": self-attention of one input needs kdim = vdim = embedDim = "
                    + embedDim + ", got kdim " + kdim + " and vdim " + vdim + "; call attend(query, key, value, mask)");
        }
        AttentionOutput attended = attend(x, x, x, null);
        releaseConsumed(attended.weights(), attended.context());
        return attended.context();
    }

    /**
     * PyTorch's {@code mha(query, key, value)[0]}: the context [batch, T, E] of {@code query} [batch, T, E]
     * attending to {@code key} [batch, S, kdim] and {@code value} [batch, S, vdim] (each [steps, batch, width]
     * without batchFirst), without a mask; {@link Module#call(Tensor, Tensor, Tensor)} runs it.
     */
    @Override
    public Tensor forward(Tensor query, Tensor key, Tensor value) {
        AttentionOutput attended = attend(query, key, value, (Tensor) null);
        releaseConsumed(attended.weights(), attended.context());
        return attended.context();
    }

    /** Whether the input projections are packed in {@code in_proj_weight}, as PyTorch packs them: kdim = vdim = E. */
    private boolean packed() {
        return kdim == embedDim && vdim == embedDim;
    }

    /**
     * {@code x} [batch, steps, width] ([steps, batch, width] without batchFirst) times part {@code first} ({@link #QUERY}, {@link #KEY} or {@link #VALUE}) and
     * the {@code parts - 1} after it of the input projection's weight (transposed) plus the same rows of
     * {@code in_proj_bias} where there is one, in one GEMM, split into heads: {@code parts} tensors
     * [batch, heads, steps, d]. Several parts only where the projection is packed.
     */
    private List<Tensor> project(Tensor x, int first, int parts) {
        int batch = x.dim(batchFirst ? 0 : 1);
        int steps = x.dim(batchFirst ? 1 : 0);
        Tensor weight = packed() ? inProjWeight() : param(SEPARATE_WEIGHTS[first]);
        Tensor bias = inProjBias();
        Tensor w = parts == 3 || !packed() ? weight : weight.narrow(0, first * embedDim, parts * embedDim);
        Tensor b = bias == null || parts == 3 ? bias : bias.narrow(0, first * embedDim, parts * embedDim);
        // Rows in the input's own order, a free view of it whatever the layout; the permute below sorts them.
        Tensor rows = x.reshape(batch * steps, x.dim(2));
        Tensor projected = F.linear(rows, w, b);
        releaseConsumed(rows, projected, x);
        releaseConsumed(w, projected, weight);
        if (b != null) {
            releaseConsumed(b, projected, bias);
        }
        // [batch, steps, parts, heads, d] (or [steps, batch, ...]) to [parts, batch, heads, steps, d]: one copy, then a
        // free view per part.
        Tensor split = consume(consume(projected, t -> t.reshape(x.dim(0), x.dim(1), parts, heads, headDim())),
                t -> batchFirst ? t.permute(2, 0, 3, 1, 4) : t.permute(2, 1, 3, 0, 4));
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
            throw new IllegalArgumentException(describe() + ": projected keys " + keys.shape() + " and values " + values.shape()
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
        // Kiln saved separate projections only in the packed form's widths, and always with biases.
        if (!packed()) {
            return;
        }
        packOldProjections(prefix, "weight", Shape.of(embedDim, embedDim), state);
        if (bias) {
            packOldProjections(prefix, "bias", Shape.of(embedDim), state);
        }
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
            throw new IllegalArgumentException(describe() + ": the checkpoint holds input projections as Kiln saved them"
                    + " before it packed them as PyTorch does, " + found + "; they load into " + packed + " "
                    + partShape.with(0, 3 * embedDim) + " (q, k and v stacked) only when all three are there, each "
                    + partShape);
        }
        List<Tensor> parts = new ArrayList<>();
        old.forEach(key -> parts.add(state.remove(key)));
        state.put(packed, Tensor.cat(parts, 0));
    }

    private void checkInput(String what, Tensor t, int width, String widthName) {
        if (t.rank() != 3 || t.dim(2) != width) {
            String layout = batchFirst ? "[batch, steps, " : "[steps, batch, ";
            throw new IllegalArgumentException(describe() + ": " + what + " " + t.shape() + " must be " + layout + widthName
                    + "] = " + layout + width + "]");
        }
    }

    /**
     * Options of a {@link MultiHeadAttention}, in the order of PyTorch's constructor, with its defaults. Where kdim or
     * vdim is not embedDim the input projections are three separate weights, as PyTorch has them.
     */
    public static final class Builder {
        private final int embedDim;
        private final int heads;
        private double dropout;
        private boolean bias = true;
        private boolean addBiasKv;
        private boolean addZeroAttn;
        private int kdim;
        private int vdim;
        private boolean batchFirst;

        private Builder(int embedDim, int heads) {
            this.embedDim = embedDim;
            this.heads = heads;
            this.kdim = embedDim;
            this.vdim = embedDim;
        }

        /** Probability in [0, 1) of dropping an attention weight in training (default 0). */
        public Builder dropout(double value) {
            dropout = value;
            return this;
        }

        /** Whether the input projections ({@code in_proj_bias}) and {@code out_proj} have biases (default true). */
        public Builder bias(boolean value) {
            bias = value;
            return this;
        }

        /** Whether to learn {@code bias_k} and {@code bias_v}, appended to the keys and values (default false). */
        public Builder addBiasKv(boolean value) {
            addBiasKv = value;
            return this;
        }

        /** Whether to append a zero key and value after projection (default false). */
        public Builder addZeroAttn(boolean value) {
            addZeroAttn = value;
            return this;
        }

        /** Width of the key input (default embedDim, PyTorch's {@code kdim=None}). */
        public Builder kdim(int value) {
            kdim = value;
            return this;
        }

        /** Width of the value input (default embedDim, PyTorch's {@code vdim=None}). */
        public Builder vdim(int value) {
            vdim = value;
            return this;
        }

        /**
         * Whether inputs and context are [batch, steps, width] (true) or [steps, batch, width] (default false, as
         * PyTorch's; the masks and weights are batch-first either way).
         */
        public Builder batchFirst(boolean value) {
            batchFirst = value;
            return this;
        }

        /**
         * The layer, initialised as PyTorch initialises it.
         *
         * @throws IllegalArgumentException naming embedDim, heads, dropout, kdim or vdim where it is out of range
         */
        public MultiHeadAttention build() {
            return new MultiHeadAttention(this);
        }
    }

    /**
     * One line for messages, with PyTorch's argument names: {@code MultiheadAttention(embed_dim=8, num_heads=2,
     * dropout=0.0, batch_first=True)} and the options set; {@link #toString()} prints PyTorch's repr, which shows only
     * {@code out_proj}.
     */
    @Override
    public String describe() {
        return typeName() + "(embed_dim=" + embedDim + ", num_heads=" + heads + ", dropout="
                + PythonRepr.number(dropout)
                + (bias ? "" : ", bias=False") + (addBiasKv ? ", add_bias_kv=True" : "")
                + (addZeroAttn ? ", add_zero_attn=True" : "") + (kdim == embedDim ? "" : ", kdim=" + kdim)
                + (vdim == embedDim ? "" : ", vdim=" + vdim) + ", batch_first=" + PythonRepr.bool(batchFirst) + ")";
    }

    /** PyTorch's class name, {@code MultiheadAttention}, which its repr prints (no settings: only {@code out_proj}). */
    @Override
    protected String typeName() {
        return "MultiheadAttention";
    }
}
