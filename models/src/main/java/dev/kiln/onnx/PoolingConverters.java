package dev.kiln.onnx;

import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.MaxPool2d;
import java.util.List;

/**
 * MaxPool2d (MaxPool), AvgPool2d (AveragePool), GlobalAvgPool2d and AdaptiveAvgPool2d to 1x1 (GlobalAveragePool),
 * and AdaptiveAvgPool2d to other sizes (AveragePool, or two MatMuls where the windows differ in size).
 */
final class PoolingConverters {
    private PoolingConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(MaxPool2d.class, (m, x, g) -> dropWindowsInPadding(g.node("MaxPool", x,
                AttributeProto.ofInts("kernel_shape", m.kernel(), m.kernel()),
                AttributeProto.ofInts("strides", m.stride(), m.stride()),
                AttributeProto.ofInts("pads", m.padding(), m.padding(), m.padding(), m.padding()),
                AttributeProto.ofInts("dilations", m.dilation(), m.dilation()),
                AttributeProto.ofInt("ceil_mode", m.ceilMode() ? 1 : 0)), m.kernel(), m.stride(), m.padding(),
                m.dilation(), m.ceilMode(), g));
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
        String pooled = dropWindowsInPadding(g.node("AveragePool", x,
                AttributeProto.ofInts("kernel_shape", k, k),
                AttributeProto.ofInts("strides", m.stride(), m.stride()),
                AttributeProto.ofInts("pads", p, p, p, p),
                AttributeProto.ofInt("ceil_mode", m.ceilMode() ? 1 : 0),
                AttributeProto.ofInt("count_include_pad", m.countIncludePad() ? 1 : 0)), k, m.stride(), p, 1,
                m.ceilMode(), g);
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

    /**
     * In ceil mode PyTorch leaves out a last window that would start in the right padding; ONNX Runtime keeps it. A
     * Slice then cuts the pooled output to PyTorch's size (known from the trial forward pass).
     */
    private static String dropWindowsInPadding(String pooled, int k, int stride, int padding, int dilation,
            boolean ceilMode, OnnxGraph g) {
        if (!ceilMode) {
            return pooled;
        }
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        int rank = in.length;
        long onnxH = onnxCeilSize(in[rank - 2], k, stride, padding, dilation);
        long onnxW = onnxCeilSize(in[rank - 1], k, stride, padding, dilation);
        if (onnxH == out[rank - 2] && onnxW == out[rank - 1]) {
            return pooled;
        }
        return g.node("Slice", List.of(pooled, g.int64s(0, 0), g.int64s(out[rank - 2], out[rank - 1]),
                g.int64s(rank - 2, rank - 1)));
    }

    /** ONNX's output size in ceil mode: ceil((size + 2 padding - dilation (k - 1) - 1) / stride) + 1. */
    private static long onnxCeilSize(int size, int k, int stride, int padding, int dilation) {
        int span = size + 2 * padding - dilation * (k - 1) - 1;
        return -Math.floorDiv(-span, stride) + 1;
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

    /**
     * GlobalAveragePool to 1x1, AveragePool where the output sizes divide the input's, else PyTorch's windows of
     * unequal sizes as two products with constant averaging matrices (the spatial sizes are fixed at export).
     */
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
        if (h % outH == 0 && w % outW == 0) {
            return g.node("AveragePool", x, AttributeProto.ofInts("kernel_shape", h / outH, w / outW),
                    AttributeProto.ofInts("strides", h / outH, w / outW));
        }
        String columns = g.node("MatMul", List.of(x, g.constant(new long[] {w, outW}, transpose(averaging(w, outW),
                outW))));
        return g.node("MatMul", List.of(g.constant(new long[] {outH, h}, averaging(h, outH)), columns));
    }

    /**
     * PyTorch's adaptive windows along one axis as an [out, size] matrix: row i averages positions
     * floor(i size / out) to ceil((i + 1) size / out) - 1. A mean over a window is the mean over its rows of the means
     * over its columns, so one such product per axis pools windows of unequal sizes too.
     */
    private static float[] averaging(int size, int out) {
        float[] a = new float[out * size];
        for (int i = 0; i < out; i++) {
            int start = Math.floorDiv(i * size, out);
            int end = -Math.floorDiv(-(i + 1) * size, out);
            for (int j = start; j < end; j++) {
                a[i * size + j] = 1f / (end - start);
            }
        }
        return a;
    }

    /** The [cols, rows] transpose of a row-major [rows, cols] matrix. */
    private static float[] transpose(float[] a, int rows) {
        int cols = a.length / rows;
        float[] t = new float[a.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
        return t;
    }
}
