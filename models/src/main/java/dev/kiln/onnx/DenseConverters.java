package dev.kiln.onnx;

import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import java.util.ArrayList;
import java.util.List;

/** Linear (Gemm, or MatMul and Add beyond 2-D input) and Embedding (Gather). */
final class DenseConverters {
    private DenseConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Linear.class, DenseConverters::linear);
        c.put(Embedding.class, (m, x, g) -> g.node("Gather", List.of(g.parameter("weight", m.weight()), x),
                AttributeProto.ofInt("axis", 0)));
    }

    /** y = x W^T + b: Gemm with transB for [batch, in]; other ranks multiply by the transposed weight. */
    private static String linear(Linear m, String x, OnnxGraph g) {
        String weight = g.parameter("weight", m.weight());
        if (g.inputShape().length == 2) {
            List<String> inputs = new ArrayList<>(List.of(x, weight));
            if (m.bias() != null) {
                inputs.add(g.parameter("bias", m.bias()));
            }
            return g.node("Gemm", inputs, AttributeProto.ofInt("transB", 1));
        }
        String transposed = g.node("Transpose", weight, AttributeProto.ofInts("perm", 1, 0));
        String product = g.node("MatMul", List.of(x, transposed));
        return m.bias() == null ? product : g.node("Add", List.of(product, g.parameter("bias", m.bias())));
    }
}
