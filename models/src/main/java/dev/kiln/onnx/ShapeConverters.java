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
import java.util.ArrayList;
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
        c.put(Unflatten.class, ShapeConverters::unflatten);
        c.put(ZeroPad2d.class, (m, x, g) -> pad(m.padding(), 0, x, g));
        c.put(ConstantPad2d.class, (m, x, g) -> pad(m.padding(), m.value(), x, g));
    }

    private static String passThrough(Module m, String x, OnnxGraph g) {
        return x;
    }

    /**
     * Flatten from axis 1, else a Reshape that copies the axes before the start axis from the input (Reshape's 0) and
     * infers the flattened one (-1), so that every axis may be symbolic.
     */
    private static String flatten(Flatten m, String x, OnnxGraph g) {
        if (m.startAxis() < 0 || m.endAxis() != -1) {
            throw new IllegalArgumentException("ONNX export: " + m + " flattens up to an axis before the last or from"
                    + " one counted from the end; only Flatten(startAxis >= 0) to the last axis exports");
        }
        if (m.startAxis() == 1) {
            return g.node("Flatten", x, AttributeProto.ofInt("axis", 1));
        }
        long[] target = new long[m.startAxis() + 1];
        target[m.startAxis()] = -1;
        return g.node("Reshape", List.of(x, g.int64s(target)));
    }

    /**
     * A Reshape to the input's own sizes before and after the axis (read by Shape, so that they may be symbolic) with
     * the layer's sizes in between.
     */
    private static String unflatten(Unflatten m, String x, OnnxGraph g) {
        int axis = m.axis();
        List<String> parts = new ArrayList<>();
        if (axis > 0) {
            parts.add(g.node("Shape", x, AttributeProto.ofInt("end", axis)));
        }
        parts.add(g.int64s(OnnxGraph.longs(m.sizes())));
        if (axis + 1 < g.inputShape().length) {
            parts.add(g.node("Shape", x, AttributeProto.ofInt("start", axis + 1)));
        }
        String target = parts.size() == 1 ? parts.get(0) : g.node("Concat", parts, AttributeProto.ofInt("axis", 0));
        return g.node("Reshape", List.of(x, target));
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
