package dev.kiln.onnx;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Bidirectional;
import dev.kiln.nn.GRU;
import dev.kiln.nn.LSTM;
import dev.kiln.nn.Module;
import dev.kiln.nn.RNN;
import dev.kiln.nn.Recurrent;
import dev.kiln.zoo.SequenceClassifier;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The recurrent layers RNN (tanh or ReLU), LSTM and GRU as ONNX's RNN, LSTM and GRU operators, one node per stacked
 * layer; the {@link Bidirectional} wrapper; and the zoo's row reader ({@link SequenceClassifier}, W3).
 *
 * <p>What is exported is the layer's {@code forward(Tensor)}: full-length sequences from zero states, giving the output
 * sequence [T, B, D * H] ([B, T, D * H] batch-first); the final states h_n and c_n, initial states and lengths are
 * not part of it. Dropout between stacked layers is off in evaluation mode, so it leaves no node.
 *
 * <p>ONNX reads time-major [T, B, in] (a batch-first layer's input and output are transposed around the nodes:
 * ONNX Runtime does not run the operators' {@code layout=1}) and writes Y [T, D, B, H], transposed and reshaped to
 * [T, B, D * H] for the next layer. Its weights are W [D, gates * H, in], R [D, gates * H, H] and B [D, 2 * gates * H]
 * (input biases, then hidden biases; no B without biases), gates in ONNX's order: LSTM i, o, f, c of PyTorch's
 * i, f, g, o, GRU z, r, h of PyTorch's r, z, n, with {@code linear_before_reset=1} as PyTorch's GRU applies r to
 * W_hn h + b_hn. The state-dict parameters stay initializers under their own names; Gather nodes reorder their
 * gate blocks and Unsqueeze and Concat stack the directions, which ONNX Runtime folds once when it loads the file.
 */
final class RecurrentConverters {
    private RecurrentConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(RNN.class, RecurrentConverters::recurrent);
        c.put(LSTM.class, RecurrentConverters::recurrent);
        c.put(GRU.class, RecurrentConverters::recurrent);
        c.put(Bidirectional.class, RecurrentConverters::bidirectional);
        c.put(SequenceClassifier.class, RecurrentConverters::rowReader);
    }

    /** PyTorch's interleaved directions: both directions of a layer in one "bidirectional" node. */
    private static String recurrent(Recurrent m, String x, OnnxGraph g) {
        String direction = m.directions() == 2 ? "bidirectional" : "forward";
        return swapToOrFromTimeMajor(m, stack(m, "", direction, swapToOrFromTimeMajor(m, x, g), g), g);
    }

    /**
     * The forward layer's stack read forwards and the backward layer's stack read backwards ("reverse" nodes: each of
     * its layers runs from the last step), merged by Concat along the features or Add.
     */
    private static String bidirectional(Bidirectional m, String x, OnnxGraph g) {
        requireFloatLayer(m.forwardLayer(), "forward", g);
        requireFloatLayer(m.backwardLayer(), "backward", g);
        Recurrent forward = m.forwardLayer();
        String sequence = swapToOrFromTimeMajor(forward, x, g);
        String ahead = stack(forward, "forward.", "forward", sequence, g);
        String behind = stack(m.backwardLayer(), "backward.", "reverse", sequence, g);
        String merged = m.merge() == Bidirectional.Merge.CONCAT
                ? g.node("Concat", List.of(ahead, behind), AttributeProto.ofInt("axis", 2))
                : g.node("Add", List.of(ahead, behind));
        return swapToOrFromTimeMajor(forward, merged, g);
    }

    /**
     * Refuses a wrapped layer that is not exactly an RNN, LSTM or GRU (an int8 layer from quantizeDynamic, a subclass),
     * as a layer without a converter is refused: the wrapper's nodes are made from those layers' float weights.
     */
    private static void requireFloatLayer(Recurrent layer, String name, OnnxGraph g) {
        Class<?> type = layer.getClass();
        if (type != RNN.class && type != LSTM.class && type != GRU.class) {
            String path = g.path().isEmpty() ? name : g.path() + "." + name;
            throw new IllegalArgumentException("ONNX export: no converter for " + type.getSimpleName() + " at '" + path
                    + "' (" + layer.describe() + "); a Bidirectional wrapper exports RNN, LSTM and GRU layers");
        }
    }

    /** [batch, ...] viewed as [batch, steps, features], made time-major, its last step's output through fc. */
    private static String rowReader(SequenceClassifier m, String x, OnnxGraph g) {
        String rows = g.node("Reshape", List.of(x, g.int64s(0, m.steps(), m.features())));
        String sequence = g.node("Transpose", rows, AttributeProto.ofInts("perm", 1, 0, 2));
        String outputs = g.convert(m.namedChildren().get("rnn"), "rnn", sequence);
        String lastStep = g.node("Gather", List.of(outputs, g.int64s(m.steps() - 1)), AttributeProto.ofInt("axis", 0));
        String last = g.node("Squeeze", List.of(lastStep, g.int64s(0)));
        Module dropout = m.namedChildren().get("dropout");
        if (dropout != null) {
            last = g.convert(dropout, "dropout", last);
        }
        return g.convert(m.namedChildren().get("fc"), "fc", last);
    }

    /** A batch-first layer's [B, T, F] as time-major [T, B, F], and back; a time-first layer's as it is. */
    private static String swapToOrFromTimeMajor(Recurrent m, String x, OnnxGraph g) {
        return m.isBatchFirst() ? g.node("Transpose", x, AttributeProto.ofInts("perm", 1, 0, 2)) : x;
    }

    /** Every stacked layer of {@code m} over time-major {@code x}; parameters named {@code prefix + name}. */
    private static String stack(Recurrent m, String prefix, String direction, String x, OnnxGraph g) {
        String y = x;
        for (int layer = 0; layer < m.layers(); layer++) {
            y = layer(m, prefix, layer, direction, y, g);
        }
        return y;
    }

    /** Layer {@code layer} of {@code m} as one node over [T, B, in]; returns [T, B, D * H]. */
    private static String layer(Recurrent m, String prefix, int layer, String direction, String x, OnnxGraph g) {
        int directions = direction.equals("bidirectional") ? 2 : 1;
        List<String> inputs = new ArrayList<>(List.of(x));
        inputs.addAll(weights(m, prefix, layer, directions, g));
        List<AttributeProto> attributes = new ArrayList<>(List.of(AttributeProto.ofInt("hidden_size", m.hiddenSize()),
                AttributeProto.ofString("direction", direction)));
        attributes.addAll(cellAttributes(m, directions));
        String y = g.node(opType(m), inputs, attributes.toArray(AttributeProto[]::new));
        if (directions == 1) {
            return g.node("Squeeze", List.of(y, g.int64s(1)));
        }
        String stepsBatchDirections = g.node("Transpose", y, AttributeProto.ofInts("perm", 0, 2, 1, 3));
        return g.node("Reshape", List.of(stepsBatchDirections, g.int64s(0, 0, -1)));
    }

    /** W, R and (with biases) B of one layer, each [directions, ...] with the gates in ONNX's order. */
    private static List<String> weights(Recurrent m, String prefix, int layer, int directions, OnnxGraph g) {
        boolean bias = m.namedParameters().containsKey("bias_ih_l0");
        int[] order = gateOrder(m);
        String rows = order.length == 1 ? null : g.int64s(rowsInOrder(order, m.hiddenSize()));
        List<String> w = new ArrayList<>();
        List<String> r = new ArrayList<>();
        List<String> b = new ArrayList<>();
        for (int d = 0; d < directions; d++) {
            String suffix = "_l" + layer + (d == 1 ? "_reverse" : "");
            w.add(gates(m, prefix, "weight_ih" + suffix, rows, g));
            r.add(gates(m, prefix, "weight_hh" + suffix, rows, g));
            if (bias) {
                b.add(g.node("Concat", List.of(gates(m, prefix, "bias_ih" + suffix, rows, g),
                        gates(m, prefix, "bias_hh" + suffix, rows, g)), AttributeProto.ofInt("axis", 0)));
            }
        }
        return bias ? List.of(perDirection(w, g), perDirection(r, g), perDirection(b, g))
                : List.of(perDirection(w, g), perDirection(r, g));
    }

    private static String opType(Recurrent m) {
        return m instanceof LSTM ? "LSTM" : m instanceof GRU ? "GRU" : "RNN";
    }

    /** PyTorch's gate blocks in ONNX's order: LSTM i, o, f, c from i, f, g, o; GRU z, r, h from r, z, n. */
    private static int[] gateOrder(Recurrent m) {
        if (m instanceof LSTM) {
            return new int[] {0, 3, 1, 2};
        }
        return m instanceof GRU ? new int[] {1, 0, 2} : new int[] {0};
    }

    /** The RNN's nonlinearity once per direction; GRU's reset gate applied after W_hn h + b_hn as in PyTorch. */
    private static List<AttributeProto> cellAttributes(Recurrent m, int directions) {
        if (m instanceof RNN rnn) {
            String activation = rnn.nonlinearity().equals("relu") ? "Relu" : "Tanh";
            return List.of(AttributeProto.ofStrings("activations", Collections.nCopies(directions, activation)));
        }
        return m instanceof GRU ? List.of(AttributeProto.ofInt("linear_before_reset", 1)) : List.of();
    }

    /** The row indices that put the hidden-size gate blocks in {@code order}. */
    private static long[] rowsInOrder(int[] order, int hidden) {
        long[] rows = new long[order.length * hidden];
        for (int j = 0; j < order.length; j++) {
            for (int i = 0; i < hidden; i++) {
                rows[j * hidden + i] = (long) order[j] * hidden + i;
            }
        }
        return rows;
    }

    /** The parameter {@code name} with its gate blocks reordered by the index {@code rows} (none: kept as is). */
    private static String gates(Recurrent m, String prefix, String name, String rows, OnnxGraph g) {
        Tensor t = m.namedParameters().get(name);
        String parameter = g.parameter(prefix + name, t);
        return rows == null ? parameter : g.node("Gather", List.of(parameter, rows), AttributeProto.ofInt("axis", 0));
    }

    /** One tensor per direction stacked on a new leading axis. */
    private static String perDirection(List<String> tensors, OnnxGraph g) {
        List<String> stacked = new ArrayList<>();
        for (String t : tensors) {
            stacked.add(g.node("Unsqueeze", List.of(t, g.int64s(0))));
        }
        return stacked.size() == 1 ? stacked.get(0) : g.node("Concat", stacked, AttributeProto.ofInt("axis", 0));
    }
}
