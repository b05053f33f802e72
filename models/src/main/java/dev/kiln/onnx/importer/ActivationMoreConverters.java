package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.LocalResponseNorm;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The element-wise ops Kiln's export writes for its less common layers: Celu, Softsign, Shrink (Hardshrink and
 * Softshrink), Not (EmbeddingBag's padding mask), LRN (LocalResponseNorm, of an odd size) and Gelu (opset 20, what
 * torch 2.x's exporters write for GELU from that opset).
 */
final class ActivationMoreConverters {
    private ActivationMoreConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Celu", n -> {
            float alpha = n.floatAttr("alpha", 1f);
            return unary(x -> x.div(alpha).elu(1).mul(alpha));
        });
        ops.put("Softsign", n -> unary(x -> x.div(x.abs().add(1))));
        ops.put("Shrink", n -> {
            float lambd = n.floatAttr("lambd", 0.5f);
            float bias = n.floatAttr("bias", 0f);
            // Masked fills, not products with 0/1 masks: an infinity times a 0 mask would be NaN.
            return unary(x -> x.sub(bias).maskedFill(x.le(lambd), 0).add(x.add(bias).maskedFill(x.ge(-lambd), 0)));
        });
        ops.put("Not", n -> unary(x -> x.eq(0)));
        ops.put("LRN", ActivationMoreConverters::lrn);
        ops.put("Gelu", ActivationMoreConverters::gelu);
    }

    /** Gelu (opset 20): exact, or with approximate "tanh" PyTorch's tanh approximation. */
    private static OnnxStep gelu(OnnxNode node) {
        String approximate = node.stringAttr("approximate", "none");
        return switch (approximate) {
            case "none" -> unary(Tensor::gelu);
            case "tanh" -> unary(Tensor::geluTanh);
            default -> throw node.error("approximate " + approximate + " is not one of ONNX's none and tanh");
        };
    }

    private static OnnxStep unary(UnaryOperator<Tensor> op) {
        return (in, floatType) -> OnnxValue.of(op.apply(in[0].tensor(floatType)));
    }

    /**
     * LRN as {@link LocalResponseNorm}: the same window for an odd size; an even size, whose window ONNX centres one
     * channel later than PyTorch, is refused.
     */
    private static OnnxStep lrn(OnnxNode node) {
        if (!node.has("size")) {
            throw node.error("has no size attribute, which ONNX requires");
        }
        int size = Math.toIntExact(node.intAttr("size", 0));
        if (size < 1 || size % 2 == 0) {
            throw node.error("size " + size + "; Kiln runs LRN of an odd size, whose window is PyTorch's");
        }
        LocalResponseNorm norm = new LocalResponseNorm(size, node.floatAttr("alpha", 1e-4f),
                node.floatAttr("beta", 0.75f), node.floatAttr("bias", 1f));
        return unary(norm::forward);
    }
}
