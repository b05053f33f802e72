package dev.kiln.onnx;

import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.MaxPool2d;
import java.util.Arrays;
import java.util.List;

/**
 * MaxPool2d (MaxPool), AvgPool2d (AveragePool), GlobalAvgPool2d and AdaptiveAvgPool2d to 1x1 (GlobalAveragePool),
 * and AdaptiveAvgPool2d to sizes that divide the input evenly (AveragePool with the quotient as kernel and stride).
 */
final class PoolingConverters {
    private PoolingConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(MaxPool2d.class, (m, x, g) -> g.node("MaxPool", x,
                AttributeProto.ofInts("kernel_shape", m.kernel(), m.kernel()),
                AttributeProto.ofInts("strides", m.stride(), m.stride()),
                AttributeProto.ofInts("pads", m.padding(), m.padding(), m.padding(), m.padding()),
                AttributeProto.ofInts("dilations", m.dilation(), m.dilation()),
                AttributeProto.ofInt("ceil_mode", m.ceilMode() ? 1 : 0)));
        c.put(AvgPool2d.class, PoolingConverters::average);
        c.put(GlobalAvgPool2d.class, (m, x, g) -> g.node("GlobalAveragePool", x));
        c.put(AdaptiveAvgPool2d.class, PoolingConverters::adaptiveAverage);
    }

    /**
     * AveragePool. In ceil mode with padding counted, PyTorch divides a window that runs past the padded input by its
     * part inside it, where ONNX Runtime divides by the whole kernel; the output is then rescaled by the constant
     * kernel area / PyTorch's divisor of each output position (the spatial sizes are fixed at export).
     */
    private static String average(AvgPool2d m, String x, OnnxGraph g) {
        int k = m.kernel();
        int p = m.padding();
        String pooled = g.node("AveragePool", x,
                AttributeProto.ofInts("kernel_shape", k, k),
                AttributeProto.ofInts("strides", m.stride(), m.stride()),
                AttributeProto.ofInts("pads", p, p, p, p),
                AttributeProto.ofInt("ceil_mode", m.ceilMode() ? 1 : 0),
                AttributeProto.ofInt("count_include_pad", m.countIncludePad() ? 1 : 0));
        if (!(m.ceilMode() && m.countIncludePad())) {
            return pooled;
        }
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        float[] rows = windowParts(in[in.length - 2], out[out.length - 2], k, m.stride(), p);
        float[] cols = windowParts(in[in.length - 1], out[out.length - 1], k, m.stride(), p);
        float[] scale = new float[rows.length * cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                scale[i * cols.length + j] = (float) k * k / (rows[i] * cols[j]);
            }
        }
        return g.node("Mul", List.of(pooled, g.constant(new long[] {rows.length, cols.length}, scale)));
    }

    /** For each of {@code outSize} windows along an axis, how many of its k positions lie inside the padded input. */
    private static float[] windowParts(int size, int outSize, int k, int stride, int padding) {
        float[] parts = new float[outSize];
        for (int o = 0; o < outSize; o++) {
            int start = o * stride - padding;
            parts[o] = Math.min(start + k, size + padding) - start;
        }
        return parts;
    }

    private static String adaptiveAverage(AdaptiveAvgPool2d m, String x, OnnxGraph g) {
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        int h = in[in.length - 2];
        int w = in[in.length - 1];
        int outH = out[out.length - 2];
        int outW = out[out.length - 1];
        if (outH == 1 && outW == 1) {
            return g.node("GlobalAveragePool", x);
        }
        if (h % outH != 0 || w % outW != 0) {
            throw new IllegalArgumentException("ONNX export: " + m + " at '" + g.path() + "' pools " + Arrays.toString(in)
                    + " to " + outH + "x" + outW + ", windows of unequal sizes that no ONNX pooling computes; only "
                    + "output sizes that divide the input's are supported");
        }
        return g.node("AveragePool", x, AttributeProto.ofInts("kernel_shape", h / outH, w / outW),
                AttributeProto.ofInts("strides", h / outH, w / outW));
    }
}
