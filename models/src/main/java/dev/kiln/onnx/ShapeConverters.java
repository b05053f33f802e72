package dev.kiln.onnx;

import dev.kiln.nn.AlphaDropout;
import dev.kiln.nn.ConstantPad2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Dropout2d;
import dev.kiln.nn.Dropout3d;
import dev.kiln.nn.FeatureAlphaDropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Identity;
import dev.kiln.nn.Module;
import dev.kiln.nn.Unflatten;
import dev.kiln.nn.ZeroPad2d;
import java.util.List;

/**
 * Flatten and Unflatten (Flatten or Reshape), the dropouts and Identity (no node: evaluation mode passes the input
 * on), ZeroPad2d and ConstantPad2d (Pad).
 */
final class ShapeConverters {
    private ShapeConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Dropout.class, ShapeConverters::passThrough);
        c.put(Dropout2d.class, ShapeConverters::passThrough);
        c.put(Dropout3d.class, ShapeConverters::passThrough);
        c.put(AlphaDropout.class, ShapeConverters::passThrough);
        c.put(FeatureAlphaDropout.class, ShapeConverters::passThrough);
        c.put(Identity.class, ShapeConverters::passThrough);
        c.put(Flatten.class, ShapeConverters::flatten);
        c.put(Unflatten.class, (m, x, g) -> reshapeToRecorded(x, g));
        c.put(ZeroPad2d.class, (m, x, g) -> pad(m.padding(), 0, x, g));
        c.put(ConstantPad2d.class, (m, x, g) -> pad(m.padding(), m.value(), x, g));
    }

    private static String passThrough(Module m, String x, OnnxGraph g) {
        return x;
    }

    /**
     * Flatten from axis 1; from axis 0 a Reshape to [-1], as the recorded size there holds the trial batch; from
     * further axes a Reshape to the recorded shape behind the leading axes.
     */
    private static String flatten(Flatten m, String x, OnnxGraph g) {
        return switch (m.startAxis()) {
            case 0 -> g.node("Reshape", List.of(x, g.int64s(-1)));
            case 1 -> g.node("Flatten", x, AttributeProto.ofInt("axis", 1));
            default -> reshapeToRecorded(x, g);
        };
    }

    /**
     * A Reshape to the output shape of the trial forward pass, where each leading axis the input and output share
     * is copied from the input (Reshape's 0), so that the batch axis stays dynamic.
     */
    private static String reshapeToRecorded(String x, OnnxGraph g) {
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        long[] target = OnnxGraph.longs(out);
        for (int i = 0; i < Math.min(in.length, out.length) && in[i] == out[i]; i++) {
            target[i] = 0;
        }
        return g.node("Reshape", List.of(x, g.int64s(target)));
    }

    /** Kiln's (left, right, top, bottom) on the last two axes as ONNX's begins of every axis, then the ends. */
    private static String pad(int[] p, double value, String x, OnnxGraph g) {
        int rank = g.inputShape().length;
        long[] pads = new long[2 * rank];
        pads[rank - 2] = p[2];
        pads[rank - 1] = p[0];
        pads[2 * rank - 2] = p[3];
        pads[2 * rank - 1] = p[1];
        return g.node("Pad", List.of(x, g.int64s(pads), g.scalar((float) value)),
                AttributeProto.ofString("mode", "constant"));
    }
}
