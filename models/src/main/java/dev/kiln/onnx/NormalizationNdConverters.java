package dev.kiln.onnx;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm3d;
import dev.kiln.nn.GroupNorm;
import dev.kiln.nn.InstanceNorm;
import dev.kiln.nn.InstanceNorm1d;
import dev.kiln.nn.InstanceNorm2d;
import dev.kiln.nn.InstanceNorm3d;
import dev.kiln.nn.LocalResponseNorm;
import java.util.Arrays;
import java.util.List;

/**
 * BatchNorm3d (BatchNormalization), InstanceNorm1d/2d/3d (InstanceNormalization, or BatchNormalization on the running
 * statistics they track), GroupNorm (InstanceNormalization of the groups, then the affine per channel) and
 * LocalResponseNorm (LRN, or the sum of squares over channel windows where LRN's window differs).
 */
final class NormalizationNdConverters {
    private NormalizationNdConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(BatchNorm3d.class, NormalizationConverters::batchNorm);
        c.put(InstanceNorm1d.class, NormalizationNdConverters::instanceNorm);
        c.put(InstanceNorm2d.class, NormalizationNdConverters::instanceNorm);
        c.put(InstanceNorm3d.class, NormalizationNdConverters::instanceNorm);
        c.put(GroupNorm.class, NormalizationNdConverters::groupNorm);
        c.put(LocalResponseNorm.class, NormalizationNdConverters::localResponseNorm);
    }

    /**
     * Each sample's channels over their own positions, or, with running statistics tracked, on those (evaluation
     * mode); without the affine a scale of ones and a shift of zeros.
     */
    private static String instanceNorm(InstanceNorm m, String x, OnnxGraph g) {
        String scale = orFilled(m.weight(), "weight", m.numFeatures(), 1, g);
        String shift = orFilled(m.bias(), "bias", m.numFeatures(), 0, g);
        AttributeProto eps = AttributeProto.ofFloat("epsilon", (float) m.eps());
        if (m.runningMean() != null) {
            return g.node("BatchNormalization", List.of(x, scale, shift, g.parameter("running_mean", m.runningMean()),
                    g.parameter("running_var", m.runningVar())), eps);
        }
        return g.node("InstanceNormalization", List.of(x, scale, shift), eps);
    }

    /**
     * x as [batch, groups, rest] normalised per group by InstanceNormalization (scale 1, shift 0), reshaped back,
     * then scaled and shifted per channel. ONNX's GroupNormalization is left aside: opset 18 defines its scale and
     * bias per group, not per channel as PyTorch's.
     */
    private static String groupNorm(GroupNorm m, String x, OnnxGraph g) {
        int groups = m.numGroups();
        String grouped = g.node("Reshape", List.of(x, g.int64s(0, groups, -1)));
        String normalised = g.node("InstanceNormalization", List.of(grouped,
                g.constant(new long[] {groups}, NormalizationConverters.filled(groups, 1)),
                g.constant(new long[] {groups}, NormalizationConverters.filled(groups, 0))),
                AttributeProto.ofFloat("epsilon", (float) m.eps()));
        String y = g.node("Reshape", List.of(normalised, g.node("Shape", x)));
        if (m.weight() == null) {
            return y;
        }
        long[] perChannel = perChannel(g.inputShape());
        y = g.node("Mul", List.of(y, g.node("Reshape", List.of(g.parameter("weight", m.weight()),
                g.int64s(perChannel)))));
        return g.node("Add", List.of(y, g.node("Reshape", List.of(g.parameter("bias", m.bias()),
                g.int64s(perChannel)))));
    }

    /**
     * LRN where its window matches PyTorch's (an odd size) on images; otherwise x / (k + alpha / size * sum)^beta with
     * the sum of squares over PyTorch's channel windows (size / 2 channels before, (size - 1) / 2 after, zeros beyond),
     * a Conv of ones over the channels of x viewed as [batch, 1, channels, rest]. Not an AveragePool: ONNX Runtime
     * 1.20 fuses the Pad into it and then leaves the padding out of the divisor (onnxruntime issue 22177).
     */
    private static String localResponseNorm(LocalResponseNorm m, String x, OnnxGraph g) {
        int size = m.size();
        int[] in = g.inputShape();
        if (size % 2 == 1 && in.length == 4) {
            return g.node("LRN", x, AttributeProto.ofInt("size", size), AttributeProto.ofFloat("alpha",
                    (float) m.alpha()), AttributeProto.ofFloat("beta", (float) m.beta()),
                    AttributeProto.ofFloat("bias", (float) m.k()));
        }
        String squares = g.node("Reshape", List.of(g.node("Mul", List.of(x, x)), g.int64s(0, 1, in[1], -1)));
        String padded = g.node("Pad", List.of(squares, g.int64s(0, 0, size / 2, 0, 0, 0, (size - 1) / 2, 0)),
                AttributeProto.ofString("mode", "constant"));
        String ones = g.constant(new long[] {1, 1, size, 1}, NormalizationConverters.filled(size, 1));
        String sum = g.node("Reshape", List.of(g.node("Conv", List.of(padded, ones)), g.node("Shape", x)));
        String base = g.node("Add", List.of(g.node("Mul", List.of(sum, g.scalar((float) (m.alpha() / size)))),
                g.scalar((float) m.k())));
        return g.node("Div", List.of(x, g.node("Pow", List.of(base, g.scalar((float) m.beta())))));
    }

    /** The parameter, or a constant of {@code n} copies of {@code value} where the layer has none. */
    private static String orFilled(Tensor parameter, String name, int n, float value, OnnxGraph g) {
        return parameter == null ? g.constant(new long[] {n}, NormalizationConverters.filled(n, value))
                : g.parameter(name, parameter);
    }

    /** [channels, 1, ...]: a per-channel vector's shape against axis 1 of an input of {@code shape}. */
    private static long[] perChannel(int[] shape) {
        long[] dims = new long[shape.length - 1];
        Arrays.fill(dims, 1);
        dims[0] = shape[1];
        return dims;
    }
}
