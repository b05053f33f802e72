package dev.kiln.onnx;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.NonDynamicallyQuantizableLinear;
import java.util.ArrayList;
import java.util.List;

/**
 * Linear and MultiheadAttention's {@code out_proj} (Gemm, or MatMul and Add beyond 2-D input) and Embedding (Gather).
 */
final class DenseConverters {
    private DenseConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Linear.class, (m, x, g) -> linear(m.weight(), m.bias(), x, g));
        c.put(NonDynamicallyQuantizableLinear.class, (m, x, g) -> linear(m.weight(), m.bias(), x, g));
        c.put(Embedding.class, (m, x, g) -> g.node("Gather", List.of(g.parameter("weight", m.weight()), x),
                AttributeProto.ofInt("axis", 0)));
    }

    /**
     * y = x W^T + b (without b where {@code bias} is null): Gemm with transB for [batch, in]; other ranks multiply by
     * the transposed weight.
     */
    static String linear(Tensor weightTensor, Tensor bias, String x, OnnxGraph g) {
        String weight = g.parameter("weight", weightTensor);
        if (g.inputShape().length == 2) {
            List<String> inputs = new ArrayList<>(List.of(x, weight));
            if (bias != null) {
                inputs.add(g.parameter("bias", bias));
            }
            return g.node("Gemm", inputs, AttributeProto.ofInt("transB", 1));
        }
        String transposed = g.node("Transpose", weight, AttributeProto.ofInts("perm", 1, 0));
        String product = g.node("MatMul", List.of(x, transposed));
        return bias == null ? product : g.node("Add", List.of(product, g.parameter("bias", bias)));
    }
}
