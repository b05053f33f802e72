package dev.kiln.onnx;

import dev.kiln.nn.CircularPad1d;
import dev.kiln.nn.CircularPad2d;
import dev.kiln.nn.ConstantPad1d;
import dev.kiln.nn.ConstantPad3d;
import dev.kiln.nn.ReflectionPad1d;
import dev.kiln.nn.ReflectionPad2d;
import dev.kiln.nn.ReflectionPad3d;
import dev.kiln.nn.ReplicationPad1d;
import dev.kiln.nn.ReplicationPad2d;
import dev.kiln.nn.ReplicationPad3d;
import dev.kiln.nn.ZeroPad1d;
import dev.kiln.nn.ZeroPad3d;
import java.util.ArrayList;
import java.util.List;

/**
 * The padding layers not in {@link ShapeConverters}: constant, zero, reflection (Pad's reflect mode) and replication
 * (edge mode) padding of 1 to 3 axes, and circular padding as slices of the far ends concatenated around the input
 * (Pad's wrap mode needs opset 19).
 */
final class PaddingConverters {
    private PaddingConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(ZeroPad1d.class, (m, x, g) -> pad(m.padding(), "constant", 0, x, g));
        c.put(ZeroPad3d.class, (m, x, g) -> pad(m.padding(), "constant", 0, x, g));
        c.put(ConstantPad1d.class, (m, x, g) -> pad(m.padding(), "constant", m.value(), x, g));
        c.put(ConstantPad3d.class, (m, x, g) -> pad(m.padding(), "constant", m.value(), x, g));
        c.put(ReflectionPad1d.class, (m, x, g) -> pad(m.padding(), "reflect", 0, x, g));
        c.put(ReflectionPad2d.class, (m, x, g) -> pad(m.padding(), "reflect", 0, x, g));
        c.put(ReflectionPad3d.class, (m, x, g) -> pad(m.padding(), "reflect", 0, x, g));
        c.put(ReplicationPad1d.class, (m, x, g) -> pad(m.padding(), "edge", 0, x, g));
        c.put(ReplicationPad2d.class, (m, x, g) -> pad(m.padding(), "edge", 0, x, g));
        c.put(ReplicationPad3d.class, (m, x, g) -> pad(m.padding(), "edge", 0, x, g));
        c.put(CircularPad1d.class, (m, x, g) -> circular(m.toString(), m.padding(), x, g));
        c.put(CircularPad2d.class, (m, x, g) -> circular(m.toString(), m.padding(), x, g));
    }

    /**
     * Pad in {@code mode}. Kiln's amounts hold (before, after) pairs from the last axis back; ONNX's pads the begins
     * of every axis, then the ends. Negative amounts crop, in Pad as in Kiln.
     */
    private static String pad(int[] amounts, String mode, double value, String x, OnnxGraph g) {
        int rank = g.inputShape().length;
        long[] pads = new long[2 * rank];
        for (int i = 0; i < amounts.length / 2; i++) {
            int axis = rank - 1 - i;
            pads[axis] = amounts[2 * i];
            pads[rank + axis] = amounts[2 * i + 1];
        }
        List<String> inputs = new ArrayList<>(List.of(x, g.int64s(pads)));
        if (mode.equals("constant")) {
            inputs.add(g.scalar((float) value));
        }
        return g.node("Pad", inputs, AttributeProto.ofString("mode", mode));
    }

    /**
     * Each padded axis, the last first, as Concat(last {@code before} elements, x, first {@code after} elements);
     * padding the axes one after another fills the corners as PyTorch's circular padding does.
     *
     * @throws IllegalArgumentException naming the layer for a negative amount (a crop), which is not supported
     */
    private static String circular(String layer, int[] amounts, String x, OnnxGraph g) {
        int rank = g.inputShape().length;
        String y = x;
        for (int i = 0; i < amounts.length / 2; i++) {
            int before = amounts[2 * i];
            int after = amounts[2 * i + 1];
            if (before < 0 || after < 0) {
                throw new IllegalArgumentException("ONNX export: " + layer + " at '" + g.path() + "' crops (negative "
                        + "amount " + Math.min(before, after) + "); only circular padding by amounts >= 0 is supported");
            }
            long axis = rank - 1 - i;
            List<String> parts = new ArrayList<>();
            if (before > 0) {
                parts.add(g.node("Slice", List.of(y, g.int64s(-before), g.int64s(Long.MAX_VALUE), g.int64s(axis))));
            }
            parts.add(y);
            if (after > 0) {
                parts.add(g.node("Slice", List.of(y, g.int64s(0), g.int64s(after), g.int64s(axis))));
            }
            y = parts.size() == 1 ? y : g.node("Concat", parts, AttributeProto.ofInt("axis", axis));
        }
        return y;
    }
}
