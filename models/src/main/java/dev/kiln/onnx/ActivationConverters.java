package dev.kiln.onnx;

import dev.kiln.nn.ELU;
import dev.kiln.nn.GELU;
import dev.kiln.nn.Hardsigmoid;
import dev.kiln.nn.Hardswish;
import dev.kiln.nn.Hardtanh;
import dev.kiln.nn.LeakyReLU;
import dev.kiln.nn.LogSoftmax;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.ReLU6;
import dev.kiln.nn.SELU;
import dev.kiln.nn.SiLU;
import dev.kiln.nn.Sigmoid;
import dev.kiln.nn.Softmax;
import dev.kiln.nn.Softplus;
import dev.kiln.nn.Tanh;
import java.util.List;

/** The element-wise activations, softmax and log-softmax, each as the ONNX operator or the few that compute it. */
final class ActivationConverters {
    private ActivationConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(ReLU.class, (m, x, g) -> g.node("Relu", x));
        c.put(Sigmoid.class, (m, x, g) -> g.node("Sigmoid", x));
        c.put(Tanh.class, (m, x, g) -> g.node("Tanh", x));
        c.put(LeakyReLU.class, (m, x, g) -> g.node("LeakyRelu", x, AttributeProto.ofFloat("alpha", (float) m.slope())));
        c.put(ELU.class, (m, x, g) -> g.node("Elu", x, AttributeProto.ofFloat("alpha", (float) m.alpha())));
        c.put(SELU.class, (m, x, g) -> g.node("Selu", x, AttributeProto.ofFloat("alpha", (float) SELU.ALPHA),
                AttributeProto.ofFloat("gamma", (float) SELU.SCALE)));
        c.put(SiLU.class, (m, x, g) -> g.node("Mul", List.of(x, g.node("Sigmoid", x))));
        c.put(Hardswish.class, (m, x, g) -> g.node("HardSwish", x));
        c.put(Hardsigmoid.class, (m, x, g) -> g.node("HardSigmoid", x, AttributeProto.ofFloat("alpha", 1f / 6),
                AttributeProto.ofFloat("beta", 0.5f)));
        c.put(Hardtanh.class, (m, x, g) -> clip(x, m.min(), m.max(), g));
        c.put(ReLU6.class, (m, x, g) -> clip(x, m.min(), m.max(), g));
        c.put(Softplus.class, ActivationConverters::softplus);
        c.put(GELU.class, ActivationConverters::gelu);
        c.put(Softmax.class, (m, x, g) -> g.node("Softmax", x, AttributeProto.ofInt("axis", m.axis())));
        c.put(LogSoftmax.class, (m, x, g) -> g.node("LogSoftmax", x, AttributeProto.ofInt("axis", m.axis())));
    }

    private static String clip(String x, double min, double max, OnnxGraph g) {
        return g.node("Clip", List.of(x, g.scalar((float) min), g.scalar((float) max)));
    }

    /**
     * PyTorch's softplus: log(1 + exp(beta x)) / beta, and x itself where beta x exceeds the threshold (ONNX's
     * Softplus has neither beta nor threshold).
     */
    private static String softplus(Softplus m, String x, OnnxGraph g) {
        String scaled = g.node("Mul", List.of(x, g.scalar((float) m.beta())));
        String smooth = g.node("Div", List.of(g.node("Softplus", scaled), g.scalar((float) m.beta())));
        String linear = g.node("Greater", List.of(scaled, g.scalar((float) m.threshold())));
        return g.node("Where", List.of(linear, x, smooth));
    }

    /**
     * Opset 17 has no Gelu: the exact form 0.5 x (1 + erf(x / sqrt 2)), or the tanh form
     * 0.5 x (1 + tanh(sqrt(2 / pi) (x + 0.044715 x^3))).
     */
    private static String gelu(GELU m, String x, OnnxGraph g) {
        String inner;
        if (m.approximate().equals("tanh")) {
            String cube = g.node("Mul", List.of(x, g.node("Mul", List.of(x, x))));
            String sum = g.node("Add", List.of(x, g.node("Mul", List.of(cube, g.scalar(0.044715f)))));
            inner = g.node("Tanh", g.node("Mul", List.of(sum, g.scalar((float) Math.sqrt(2 / Math.PI)))));
        } else {
            inner = g.node("Erf", g.node("Div", List.of(x, g.scalar((float) Math.sqrt(2)))));
        }
        String onePlus = g.node("Add", List.of(inner, g.scalar(1)));
        return g.node("Mul", List.of(g.node("Mul", List.of(x, onePlus)), g.scalar(0.5f)));
    }
}
