package dev.kiln.onnx;

import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.MaxPool2d;
import java.util.List;

/**
 * MaxPool2d (MaxPool), AvgPool2d (AveragePool), GlobalAvgPool2d and AdaptiveAvgPool2d to 1x1 (GlobalAveragePool),
 * and AdaptiveAvgPool2d to other sizes (AveragePool, or two MatMuls where the windows differ in size); an average pooling
 * on a quantised layer's grid as {@link GridPoolingConverters} writes it, PyTorch 1.13's rounding.
 */
final class PoolingConverters {
    private PoolingConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(MaxPool2d.class, (m, x, g) -> PoolingNdConverters.maxPool(x, pair(m.kernel()), pair(m.stride()),
                pair(m.padding()), pair(m.dilation()), m.ceilMode(), g));
        c.put(AvgPool2d.class, (m, x, g) -> m.grid() != null ? GridPoolingConverters.windows(m, x, m.grid(), g)
                : PoolingNdConverters.averagePool(x, pair(m.kernel()), pair(m.stride()), pair(m.padding()),
                m.ceilMode(), m.countIncludePad(), g));
        c.put(GlobalAvgPool2d.class, (m, x, g) -> m.grid() != null
                ? GridPoolingConverters.adaptive(x, m.grid(), m.poolsStubOutput(), g) : g.node("GlobalAveragePool", x));
        c.put(AdaptiveAvgPool2d.class, (m, x, g) -> m.grid() != null
                ? GridPoolingConverters.adaptive(x, m.grid(), m.poolsStubOutput(), g) : averageOf(x, g));
    }

    /** One value for both axes. */
    private static int[] pair(int value) {
        return new int[] {value, value};
    }

    /**
     * GlobalAveragePool to 1x1, AveragePool where the output sizes divide the input's, else PyTorch's windows of
     * unequal sizes as two products with constant averaging matrices (the spatial sizes are fixed at export).
     */
    private static String averageOf(String x, OnnxGraph g) {
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
        String columns = g.node("MatMul", List.of(x, g.constant(new long[] {w, outW},
                transpose(adaptiveWindows(w, outW, true), outW))));
        return g.node("MatMul", List.of(g.constant(new long[] {outH, h}, adaptiveWindows(h, outH, true)), columns));
    }

    /**
     * PyTorch's adaptive windows along one axis as an [out, size] matrix: row i covers positions
     * floor(i size / out) to ceil((i + 1) size / out) - 1, with 1 / (its window's size) where {@code averaging} (a
     * mean over a window is the mean over its rows of the means over its columns, so one such product per axis pools
     * windows of unequal sizes too), else with 1 (the window sums the int8 grid's pooling divides itself).
     */
    static float[] adaptiveWindows(int size, int out, boolean averaging) {
        float[] a = new float[out * size];
        for (int i = 0; i < out; i++) {
            int start = Math.floorDiv(i * size, out);
            int end = -Math.floorDiv(-(i + 1) * size, out);
            for (int j = start; j < end; j++) {
                a[i * size + j] = averaging ? 1f / (end - start) : 1f;
            }
        }
        return a;
    }

    /** The [cols, rows] transpose of a row-major [rows, cols] matrix. */
    static float[] transpose(float[] a, int rows) {
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
