package dev.kiln.onnx;

import dev.kiln.nn.EmbeddingBag;
import java.util.List;

/**
 * EmbeddingBag on bags of one length (2-D indices [bags, length], the single-input form): the rows gathered as
 * [bags, length, dim], the padding index's entries masked out, then summed (ReduceSum), averaged over the entries
 * kept, or their maximum (GlobalMaxPool over the length), an empty bag giving zeros as in Kiln and PyTorch; the
 * length may be symbolic.
 */
final class BagConverters {
    private BagConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(EmbeddingBag.class, BagConverters::embeddingBag);
    }

    private static String embeddingBag(EmbeddingBag m, String x, OnnxGraph g) {
        int dim = m.weight().dim(1);
        String rows = g.node("Gather", List.of(g.parameter("weight", m.weight()), x), AttributeProto.ofInt("axis", 0));
        String kept = m.paddingIdx() < 0 ? null
                : g.node("Not", g.node("Equal", List.of(x, g.int64s(m.paddingIdx()))));
        if (m.mode() == EmbeddingBag.Mode.MAX) {
            return maxima(rows, kept, dim, g);
        }
        String counted = kept == null ? null : g.node("Cast", kept, AttributeProto.ofInt("to", TensorProto.FLOAT));
        String included = counted == null ? rows
                : g.node("Mul", List.of(rows, g.node("Unsqueeze", List.of(counted, g.int64s(2)))));
        String sums = g.node("ReduceSum", List.of(included, g.int64s(1)), AttributeProto.ofInt("keepdims", 0));
        if (m.mode() == EmbeddingBag.Mode.SUM) {
            return sums;
        }
        String count = counted == null ? bagLength(x, g) : g.node("Max", List.of(g.node("ReduceSum",
                List.of(counted, g.int64s(1)), AttributeProto.ofInt("keepdims", 1)), g.scalar(1)));
        return g.node("Div", List.of(sums, count));
    }

    /** The bags' length as a FLOAT [1], read from the indices' Shape so that it may be symbolic. */
    private static String bagLength(String x, OnnxGraph g) {
        return g.node("Cast", g.node("Shape", x, AttributeProto.ofInt("start", 1), AttributeProto.ofInt("end", 2)),
                AttributeProto.ofInt("to", TensorProto.FLOAT));
    }

    /**
     * The maximum over each bag's entries, a GlobalMaxPool over the length of the rows as [bags, dim, length]; padding
     * entries are -infinity first, and a bag of padding alone gives zeros.
     */
    private static String maxima(String rows, String kept, int dim, OnnxGraph g) {
        String candidates = kept == null ? rows : g.node("Where", List.of(
                g.node("Unsqueeze", List.of(kept, g.int64s(2))), rows, g.scalar(Float.NEGATIVE_INFINITY)));
        String pooled = g.node("GlobalMaxPool", g.node("Transpose", candidates,
                AttributeProto.ofInts("perm", 0, 2, 1)));
        String maxima = g.node("Reshape", List.of(pooled, g.int64s(0, dim)));
        if (kept == null) {
            return maxima;
        }
        String nonEmpty = g.node("Greater", List.of(g.node("ReduceSum", List.of(g.node("Cast", kept,
                AttributeProto.ofInt("to", TensorProto.FLOAT)), g.int64s(1)), AttributeProto.ofInt("keepdims", 1)),
                g.scalar(0)));
        return g.node("Where", List.of(nonEmpty, maxima, g.scalar(0)));
    }
}
