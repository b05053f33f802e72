package dev.kiln.onnx;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.GELU;
import dev.kiln.nn.Module;
import dev.kiln.nn.MultiHeadAttention;
import dev.kiln.nn.PositionalEncoding;
import dev.kiln.nn.TransformerEncoder;
import dev.kiln.nn.TransformerEncoderLayer;
import dev.kiln.nn.TransformerLayerOptions;
import dev.kiln.zoo.RowTransformer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The Transformer's encoder side as plain ONNX operators: MultiHeadAttention (MatMul, Slice, Reshape, Transpose, Mul
 * by the scale, Softmax; with or without biases, batch-first or not; addBiasKv's bias_k and bias_v and addZeroAttn's
 * zero key and value concatenated after the keys and values), TransformerEncoderLayer (pre- or post-norm, ReLU or the
 * exact GELU), TransformerEncoder (the layers, then the final LayerNorm where it has one) and
 * PositionalEncoding (its table, sliced to the input's length, added). Every Reshape copies the batch and sequence axes
 * from its input (Reshape's 0), and the positional table is sliced by the input's Shape, so neither axis is fixed in
 * the graph.
 *
 * <p>A module's one-input call is exported as self-attention without a mask, as Kiln's layers compute it; the
 * two-input call of MultiHeadAttention, TransformerEncoderLayer and TransformerEncoder (input, mask) with the mask as
 * a graph input (see {@link OnnxExport#export(Module, int[], OnnxSecondInput, java.nio.file.Path,
 * OnnxExportOptions)}): non-zero = masked, [S, S], [1, S, S] (a causal mask) or [batch, S, S] ([batch, 1, S] for key
 * padding), the masked scores -1e9 before the softmax (Kiln's own, so that a query whose every key is masked weighs
 * them equally rather than giving NaN); a mask of one slice per head ([batch * heads, S, S]) is refused.
 * MultiHeadAttention's three-input call (query, key, value; see {@link OnnxExport#export(Module, int[],
 * OnnxSecondInput, OnnxSecondInput, java.nio.file.Path, OnnxExportOptions)}) projects each input by its own MatMul,
 * so kdim and vdim other than embedDim ({@code q_proj_weight}, {@code k_proj_weight}, {@code v_proj_weight}) export
 * there; such a layer has no self-attention, so its one-input call fails at the exporter's trial run. A layer
 * built with an activation function rather than a named activation is refused, as that function has no ONNX form.
 */
final class TransformerConverters {
    /** The parts of MultiHeadAttention's packed input projection, in PyTorch's order. */
    private static final int QUERY = 0;
    private static final int KEY = 1;
    private static final int VALUE = 2;
    /**
     * A masked score, Kiln's attention's own (finite, not -inf): a query whose every key is masked weighs them equally,
     * as Kiln's call does, where -inf gives NaN.
     */
    private static final float MASKED_SCORE = -1e9f;

    private TransformerConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(MultiHeadAttention.class, (m, x, g) -> selfAttention(m, x, null, g));
        c.put(TransformerEncoderLayer.class, (m, x, g) -> unbatchedAsBatchOfOne(x, g,
                y -> encoderLayer(m, y, null, g)));
        c.put(TransformerEncoder.class, (m, x, g) -> unbatchedAsBatchOfOne(x, g, y -> encoder(m, y, g)));
        c.put(PositionalEncoding.class, TransformerConverters::positionalEncoding);
        c.putTwoInput(MultiHeadAttention.class, TransformerConverters::selfAttention);
        c.putThreeInput(MultiHeadAttention.class, TransformerConverters::crossAttention);
        c.putTwoInput(TransformerEncoderLayer.class, (m, x, mask, g) -> unbatchedAsBatchOfOne(x, g,
                y -> encoderLayer(m, y, mask, g)));
        c.putTwoInput(TransformerEncoder.class, (m, x, mask, g) -> unbatchedAsBatchOfOne(x, g,
                y -> maskedEncoder(m, y, mask, g)));
        c.put(RowTransformer.class, TransformerConverters::rowTransformer);
    }

    /**
     * softmax(q k^T / sqrt(d)) v per head, the heads merged and projected by {@code out_proj}: x [batch, T, E] to
     * [batch, T, E] ([T, batch, E] both for a sequence-first layer, transposed in and out). The queries, keys and values
     * come from one MatMul with the packed {@code in_proj_weight} (plus {@code in_proj_bias} where the layer has it), as
     * Kiln computes them. Where {@code mask} (or null) is non-zero the scores are -1e9: the mask gains a heads axis
     * before its last two, so that [S, S], [1, S, S] and [batch, S, S] broadcast to the scores [batch, heads, S, S].
     */
    private static String selfAttention(MultiHeadAttention m, String x, String mask, OnnxGraph g) {
        String weight = g.node("Transpose", g.parameter("in_proj_weight", m.inProjWeight()),
                AttributeProto.ofInts("perm", 1, 0));
        String product = g.node("MatMul", List.of(batchFirst(m, x, g), weight));
        String packed = m.hasBias() ? g.node("Add", List.of(product, g.parameter("in_proj_bias", m.inProjBias())))
                : product;
        return attention(m, part(m, packed, QUERY, 2, g), part(m, packed, KEY, 2, g), part(m, packed, VALUE, 2, g),
                mask, g);
    }

    /**
     * PyTorch's {@code mha(query, key, value)[0]}: {@code query} [batch, T, E] attending to {@code key}
     * [batch, S, kdim] and {@code value} [batch, S, vdim] (each [steps, batch, width] for a sequence-first layer),
     * each projected by its own MatMul: with its rows of the packed {@code in_proj_weight} where kdim = vdim = E, else
     * with {@code q_proj_weight}, {@code k_proj_weight} or {@code v_proj_weight}; plus its third of
     * {@code in_proj_bias} where the layer has biases.
     */
    private static String crossAttention(MultiHeadAttention m, String query, String key, String value, OnnxGraph g) {
        return attention(m, projected(m, query, QUERY, g), projected(m, key, KEY, g), projected(m, value, VALUE, g),
                null, g);
    }

    /** {@code x} [batch, steps, width] (transposed from a sequence-first layer's) times part {@code part}'s weight. */
    private static String projected(MultiHeadAttention m, String x, int part, OnnxGraph g) {
        String weight;
        if (m.inProjWeight() != null) {
            weight = part(m, g.parameter("in_proj_weight", m.inProjWeight()), part, 0, g);
        } else {
            String name = new String[] {"q_proj_weight", "k_proj_weight", "v_proj_weight"}[part];
            Tensor separate = new Tensor[] {m.qProjWeight(), m.kProjWeight(), m.vProjWeight()}[part];
            weight = g.parameter(name, separate);
        }
        String product = g.node("MatMul", List.of(batchFirst(m, x, g),
                g.node("Transpose", weight, AttributeProto.ofInts("perm", 1, 0))));
        return m.hasBias() ? g.node("Add", List.of(product,
                part(m, g.parameter("in_proj_bias", m.inProjBias()), part, 0, g))) : product;
    }

    /** {@code x} [batch, steps, width], transposed from [steps, batch, width] for a sequence-first layer. */
    private static String batchFirst(MultiHeadAttention m, String x, OnnxGraph g) {
        return m.batchFirst() ? x : g.node("Transpose", x, AttributeProto.ofInts("perm", 1, 0, 2));
    }

    /** Part {@code part} (query, key or value) of a packed tensor: its E entries from part * E along {@code axis}. */
    private static String part(MultiHeadAttention m, String packed, int part, int axis, OnnxGraph g) {
        int e = m.embedDim();
        return g.node("Slice", List.of(packed, g.int64s((long) part * e), g.int64s((long) (part + 1) * e),
                g.int64s(axis)));
    }

    /**
     * The attention of the projected queries [batch, T, E] to the projected keys and values [batch, S, E], after each
     * the keys and values the layer appends, under {@code mask} (or null): the heads merged, through {@code out_proj},
     * and transposed back for a sequence-first layer.
     */
    private static String attention(MultiHeadAttention m, String q, String k, String v, String mask, OnnxGraph g) {
        String queries = heads(m, q, g);
        String keys = withAddedKeys(m, heads(m, k, g), "bias_k", m.biasK(), g);
        String keysTransposed = g.node("Transpose", keys, AttributeProto.ofInts("perm", 0, 1, 3, 2));
        String values = withAddedKeys(m, heads(m, v, g), "bias_v", m.biasV(), g);
        String scores = g.node("Mul", List.of(g.node("MatMul", List.of(queries, keysTransposed)),
                g.scalar((float) (1 / Math.sqrt(m.headDim())))));
        if (mask != null) {
            scores = masked(m, scores, mask, g);
        }
        String weights = g.node("Softmax", scores, AttributeProto.ofInt("axis", -1));
        String context = g.node("Transpose", g.node("MatMul", List.of(weights, values)),
                AttributeProto.ofInts("perm", 0, 2, 1, 3));
        String merged = g.node("Reshape", List.of(context, g.int64s(0, 0, m.embedDim())));
        String out = g.convert(m.outProj(), "out_proj", merged);
        return m.batchFirst() ? out : g.node("Transpose", out, AttributeProto.ofInts("perm", 1, 0, 2));
    }

    /**
     * The scores [batch, heads, T, S + added] with -1e9 where {@code mask} is non-zero over the input's S keys: the
     * mask gains a heads axis before its last two, so that [S, S], [1, S, S] and [batch, S, S] broadcast to the
     * scores. The keys the layer appends (bias_k, the zero key) stay unmasked, as Kiln pads the mask with zeros.
     */
    private static String masked(MultiHeadAttention m, String scores, String mask, OnnxGraph g) {
        // Expand to at least three axes first ([S] and [T, S] gain leading ones), so that Unsqueeze's -3 exists.
        String atLeast3 = g.node("Expand", List.of(mask, g.int64s(1, 1, 1)));
        String masked = g.node("Cast", g.node("Unsqueeze", List.of(atLeast3, g.int64s(-3))),
                AttributeProto.ofInt("to", TensorProto.BOOL));
        int added = addedKeys(m);
        if (added == 0) {
            return g.node("Where", List.of(masked, g.scalar(MASKED_SCORE), scores));
        }
        String inputKeys = g.node("Slice", List.of(scores, g.int64s(0), g.int64s(-added), g.int64s(-1)));
        String appended = g.node("Slice", List.of(scores, g.int64s(-added), g.int64s(Long.MAX_VALUE), g.int64s(-1)));
        String maskedInputKeys = g.node("Where", List.of(masked, g.scalar(MASKED_SCORE), inputKeys));
        return g.node("Concat", List.of(maskedInputKeys, appended), AttributeProto.ofInt("axis", -1));
    }

    /** How many keys the layer appends to the input's: one for bias_k, one for the zero key. */
    private static int addedKeys(MultiHeadAttention m) {
        return (m.addBiasKv() ? 1 : 0) + (m.addZeroAttn() ? 1 : 0);
    }

    /**
     * {@code projected} [batch, heads, S, d] followed by the learnt {@code bias} [1, 1, E] ({@code bias_k} or
     * {@code bias_v}, split into heads and expanded to the batch) with addBiasKv, then by zeros with addZeroAttn:
     * [batch, heads, S + added, d]. Itself where the layer appends neither.
     */
    private static String withAddedKeys(MultiHeadAttention m, String projected, String name, Tensor bias,
            OnnxGraph g) {
        if (addedKeys(m) == 0) {
            return projected;
        }
        // [batch, heads, 1, d], the batch read from the projection so that it stays symbolic.
        String batch = g.node("Shape", projected, AttributeProto.ofInt("start", 0), AttributeProto.ofInt("end", 1));
        String oneKey = g.node("Concat", List.of(batch, g.int64s(m.heads(), 1, m.headDim())),
                AttributeProto.ofInt("axis", 0));
        List<String> parts = new ArrayList<>(List.of(projected));
        if (m.addBiasKv()) {
            String perHead = g.node("Reshape", List.of(g.parameter(name, bias),
                    g.int64s(1, m.heads(), 1, m.headDim())));
            parts.add(g.node("Expand", List.of(perHead, oneKey)));
        }
        if (m.addZeroAttn()) {
            parts.add(g.node("ConstantOfShape", oneKey, AttributeProto.ofTensor("value",
                    TensorProto.ofFloats("zero", new long[] {1}, 0))));
        }
        return g.node("Concat", parts, AttributeProto.ofInt("axis", 2));
    }

    /** {@code projected} [batch, T, E] split into heads [batch, T, heads, d], transposed to [batch, heads, T, d]. */
    private static String heads(MultiHeadAttention m, String projected, OnnxGraph g) {
        String split = g.node("Reshape", List.of(projected, g.int64s(0, 0, m.heads(), m.headDim())));
        return g.node("Transpose", split, AttributeProto.ofInts("perm", 0, 2, 1, 3));
    }

    /**
     * Pre-norm: x + attend(norm1(x)), then y + feedForward(norm2(y)); post-norm: norm1(x + attend(x)), then
     * norm2(y + feedForward(y)). x is [batch, S, dModel].
     */
    private static String encoderLayer(TransformerEncoderLayer m, String x, String mask, OnnxGraph g) {
        TransformerLayerOptions options = m.options();
        if (options.activation() == null) {
            throw new IllegalArgumentException("ONNX export: " + m.describe() + " at '" + g.path() + "' applies an"
                    + " activation function, which has no ONNX form; build it with activation \"relu\" or \"gelu\"");
        }
        if (options.normFirst()) {
            String y = g.node("Add", List.of(x, attend(m, g.convert(child(m, "norm1"), "norm1", x), mask, g)));
            return g.node("Add", List.of(y, feedForward(m, g.convert(child(m, "norm2"), "norm2", y), g)));
        }
        String y = g.convert(child(m, "norm1"), "norm1", g.node("Add", List.of(x, attend(m, x, mask, g))));
        return g.convert(child(m, "norm2"), "norm2", g.node("Add", List.of(y, feedForward(m, y, g))));
    }

    /**
     * Refuses an attention mask the graph would not broadcast as Kiln's call does: one of three axes whose first is
     * neither 1 nor the batch (input [batch, S, E], or 1 for an unbatched [S, E]), which Kiln reads as one slice per
     * head ([batch * heads, S, S]).
     *
     * @throws IllegalArgumentException naming the mask's shape and the shapes it may have
     */
    static void checkMask(int[] inputShape, int[] mask) {
        int batch = inputShape.length == 3 ? inputShape[0] : 1;
        if (mask.length == 3 && mask[0] != 1 && mask[0] != batch) {
            int steps = inputShape[inputShape.length - 2];
            throw new IllegalArgumentException("ONNX export: the attention mask " + Arrays.toString(mask)
                    + " must broadcast to [batch, S, S] = [" + batch + ", " + steps + ", " + steps + "]; a mask of "
                    + "one slice per head ([batch * heads, S, S]) has no ONNX form here");
        }
    }

    /** dropout1(self_attn(h)), under {@code mask} where it is not null. */
    private static String attend(TransformerEncoderLayer m, String h, String mask, OnnxGraph g) {
        String attended = mask == null ? g.convert(m.selfAttention(), "self_attn", h)
                : g.convert(m.selfAttention(), "self_attn", h, mask);
        return g.convert(child(m, "dropout1"), "dropout1", attended);
    }

    /** dropout2(linear2(dropout(activation(linear1(h))))), the activation ReLU or the exact GELU. */
    private static String feedForward(TransformerEncoderLayer m, String h, OnnxGraph g) {
        String hidden = g.convert(child(m, "linear1"), "linear1", h);
        // The layer's GELU is the exact one, which the GELU module's converter writes.
        String activated = "gelu".equals(m.options().activation()) ? g.convert(new GELU(), "activation", hidden)
                : g.node("Relu", hidden);
        String y = g.convert(child(m, "linear2"), "linear2", g.convert(child(m, "dropout"), "dropout", activated));
        return g.convert(child(m, "dropout2"), "dropout2", y);
    }

    /** The layers in order ({@code layers.0}, ...), then the final norm where the stack has one. */
    private static String encoder(TransformerEncoder m, String x, OnnxGraph g) {
        String y = x;
        for (int i = 0; i < m.numLayers(); i++) {
            y = g.convert(m.layer(i), "layers." + i, y);
        }
        Module norm = child(m, "norm");
        return norm == null ? y : g.convert(norm, "norm", y);
    }

    /** The layers in order, each under {@code mask}, then the final norm where the stack has one. */
    private static String maskedEncoder(TransformerEncoder m, String x, String mask, OnnxGraph g) {
        String y = x;
        for (int i = 0; i < m.numLayers(); i++) {
            y = g.convert(m.layer(i), "layers." + i, y, mask);
        }
        Module norm = child(m, "norm");
        return norm == null ? y : g.convert(norm, "norm", y);
    }

    /**
     * {@code convert} of x, or, where the module took unbatched input [S, dModel] in the trial forward pass, of x
     * unsqueezed to a batch of one and squeezed back, as the layer itself runs it. A layer inside a
     * TransformerEncoder, which runs its layers' forward directly, has no shapes of its own and always gets
     * [batch, S, dModel] from the encoder.
     */
    private static String unbatchedAsBatchOfOne(String x, OnnxGraph g, UnaryOperator<String> convert) {
        if (!g.hasShapes() || g.inputShape().length != 2) {
            return convert.apply(x);
        }
        String batched = g.node("Unsqueeze", List.of(x, g.int64s(0)));
        return g.node("Squeeze", List.of(convert.apply(batched), g.int64s(0)));
    }

    /**
     * x + PE[:T] for x [..., T, dim]: the whole table [maxLength, dim] as a constant (the encoding keeps no state, so
     * it has no state-dict name), sliced to the first T rows, T read from x's shape.
     */
    private static String positionalEncoding(PositionalEncoding m, String x, OnnxGraph g) {
        // The layer's own rows in F32, as its forward adds them to F32 input.
        float[] table = m.forward(Tensor.zeros(DType.F32, m.maxLength(), m.dim())).toFloatArray();
        String rows = g.constant(new long[] {m.maxLength(), m.dim()}, table);
        String steps = g.node("Shape", x, AttributeProto.ofInt("start", -2), AttributeProto.ofInt("end", -1));
        String encoding = g.node("Slice", List.of(rows, g.int64s(0), steps, g.int64s(0)));
        return g.node("Add", List.of(x, encoding));
    }

    /** [batch, ...] viewed as [batch, steps, features], embedded plus its positions, encoded, the tokens' mean to fc. */
    private static String rowTransformer(RowTransformer m, String x, OnnxGraph g) {
        String rows = g.node("Reshape", List.of(x, g.int64s(0, m.steps(), m.features())));
        String tokens = g.node("Add", List.of(g.convert(child(m, "embed"), "embed", rows),
                g.parameter("position", m.position())));
        String encoded = g.convert(child(m, "encoder"), "encoder", tokens);
        // ReduceSum takes its axes as an input at every exported opset, where ReduceMean's changed at 18.
        String sum = g.node("ReduceSum", List.of(encoded, g.int64s(1)), AttributeProto.ofInt("keepdims", 0));
        return g.convert(child(m, "fc"), "fc", g.node("Div", List.of(sum, g.scalar(m.steps()))));
    }

    private static Module child(Module m, String name) {
        return m.namedChildren().get(name);
    }
}
