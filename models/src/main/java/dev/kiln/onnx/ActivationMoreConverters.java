package dev.kiln.onnx;

import dev.kiln.nn.CELU;
import dev.kiln.nn.GLU;
import dev.kiln.nn.GaussianNoise;
import dev.kiln.nn.Hardshrink;
import dev.kiln.nn.LogSigmoid;
import dev.kiln.nn.MaskingNoise;
import dev.kiln.nn.Mish;
import dev.kiln.nn.PReLU;
import dev.kiln.nn.RReLU;
import dev.kiln.nn.Softmax2d;
import dev.kiln.nn.Softmin;
import dev.kiln.nn.Softshrink;
import dev.kiln.nn.Softsign;
import dev.kiln.nn.Tanhshrink;
import dev.kiln.nn.Threshold;
import java.util.Arrays;
import java.util.List;

/**
 * The activations beyond the common ones: PReLU, CELU, Softsign, Hardshrink and Softshrink (Shrink) as their ONNX
 * operators; Mish, LogSigmoid, Tanhshrink, Threshold, Softmin, Softmax2d and GLU composed of a few; RReLU (its
 * evaluation slope, the mean of its bounds) and the noise layers (nothing in evaluation mode).
 */
final class ActivationMoreConverters {
    private ActivationMoreConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(PReLU.class, ActivationMoreConverters::prelu);
        c.put(CELU.class, (m, x, g) -> g.node("Celu", x, AttributeProto.ofFloat("alpha", (float) m.alpha())));
        c.put(Softsign.class, (m, x, g) -> g.node("Softsign", x));
        c.put(Hardshrink.class, (m, x, g) -> g.node("Shrink", x, AttributeProto.ofFloat("lambd", (float) m.lambda())));
        c.put(Softshrink.class, (m, x, g) -> g.node("Shrink", x, AttributeProto.ofFloat("lambd", (float) m.lambda()),
                AttributeProto.ofFloat("bias", (float) m.lambda())));
        // Opset 17 has no Mish: x tanh(softplus(x)).
        c.put(Mish.class, (m, x, g) -> g.node("Mul", List.of(x, g.node("Tanh", g.node("Softplus", x)))));
        // -softplus(-x) rather than log(sigmoid(x)), which underflows to -inf for very negative x.
        c.put(LogSigmoid.class, (m, x, g) -> g.node("Neg", g.node("Softplus", g.node("Neg", x))));
        c.put(Tanhshrink.class, (m, x, g) -> g.node("Sub", List.of(x, g.node("Tanh", x))));
        c.put(Threshold.class, (m, x, g) -> g.node("Where", List.of(
                g.node("Greater", List.of(x, g.scalar((float) m.threshold()))), x, g.scalar((float) m.value()))));
        c.put(Softmin.class, (m, x, g) -> g.node("Softmax", g.node("Neg", x), AttributeProto.ofInt("axis", m.axis())));
        c.put(Softmax2d.class, (m, x, g) -> g.node("Softmax", x, AttributeProto.ofInt("axis", -3)));
        c.put(GLU.class, ActivationMoreConverters::glu);
        c.put(RReLU.class, (m, x, g) -> g.node("LeakyRelu", x, AttributeProto.ofFloat("alpha",
                (float) ((m.lower() + m.upper()) / 2))));
        c.put(GaussianNoise.class, (m, x, g) -> x);
        c.put(MaskingNoise.class, (m, x, g) -> x);
    }

    /** PRelu with one shared slope, or one per channel shaped [channels, 1, ...] against axis 1. */
    private static String prelu(PReLU m, String x, OnnxGraph g) {
        String slope = g.parameter("weight", m.weight());
        if (m.numParameters() == 1) {
            return g.node("PRelu", List.of(x, slope));
        }
        long[] dims = new long[g.inputShape().length - 1];
        Arrays.fill(dims, 1);
        dims[0] = m.numParameters();
        return g.node("PRelu", List.of(x, g.node("Reshape", List.of(slope, g.int64s(dims)))));
    }

    /** a sigmoid(b), a and b the first and second halves of x along the axis (two Slices). */
    private static String glu(GLU m, String x, OnnxGraph g) {
        int[] in = g.inputShape();
        int axis = m.axis() < 0 ? m.axis() + in.length : m.axis();
        int half = in[axis] / 2;
        String a = g.node("Slice", List.of(x, g.int64s(0), g.int64s(half), g.int64s(axis)));
        String b = g.node("Slice", List.of(x, g.int64s(half), g.int64s(2L * half), g.int64s(axis)));
        return g.node("Mul", List.of(a, g.node("Sigmoid", b)));
    }
}
