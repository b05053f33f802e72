package dev.kiln.onnx;

import dev.kiln.nn.AdaptiveAvgPool1d;
import dev.kiln.nn.AdaptiveAvgPool3d;
import dev.kiln.nn.AdaptiveMaxPool1d;
import dev.kiln.nn.AdaptiveMaxPool2d;
import dev.kiln.nn.AdaptiveMaxPool3d;
import dev.kiln.nn.AvgPool1d;
import dev.kiln.nn.AvgPool3d;
import dev.kiln.nn.LPPool1d;
import dev.kiln.nn.LPPool2d;
import dev.kiln.nn.MaxPool1d;
import dev.kiln.nn.MaxPool3d;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The 1-d and 3-d poolings (MaxPool, AveragePool, with the same ceil-mode corrections as the 2-d ones), the
 * power-average poolings LPPool1d and LPPool2d, and the adaptive poolings of every rank not in
 * {@link PoolingConverters}: global pools to size 1, a pool of equal windows where the output sizes divide the
 * input's, else PyTorch's windows of unequal sizes pooled one axis at a time.
 */
final class PoolingNdConverters {
    private PoolingNdConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(MaxPool1d.class, (m, x, g) -> maxPool(x, new int[] {m.kernel()}, new int[] {m.stride()},
                new int[] {m.padding()}, new int[] {m.dilation()}, m.ceilMode(), g));
        c.put(MaxPool3d.class, (m, x, g) -> maxPool(x, m.kernel(), m.stride(), m.padding(), m.dilation(),
                m.ceilMode(), g));
        c.put(AvgPool1d.class, (m, x, g) -> averagePool(x, new int[] {m.kernel()}, new int[] {m.stride()},
                new int[] {m.padding()}, m.ceilMode(), m.countIncludePad(), g));
        c.put(AvgPool3d.class, (m, x, g) -> averagePool(x, m.kernel(), m.stride(), m.padding(), m.ceilMode(),
                m.countIncludePad(), g));
        c.put(LPPool1d.class, (m, x, g) -> powerAverage(m.normType(), new int[] {m.kernel()},
                new int[] {m.stride()}, m.ceilMode(), x, g));
        c.put(LPPool2d.class, (m, x, g) -> powerAverage(m.normType(), new int[] {m.kernel(), m.kernel()},
                new int[] {m.stride(), m.stride()}, m.ceilMode(), x, g));
        c.put(AdaptiveAvgPool1d.class, (m, x, g) -> adaptive("Average", x, g));
        c.put(AdaptiveAvgPool3d.class, (m, x, g) -> adaptive("Average", x, g));
        c.put(AdaptiveMaxPool1d.class, (m, x, g) -> adaptive("Max", x, g));
        c.put(AdaptiveMaxPool2d.class, (m, x, g) -> adaptive("Max", x, g));
        c.put(AdaptiveMaxPool3d.class, (m, x, g) -> adaptive("Max", x, g));
    }

    private static String maxPool(String x, int[] k, int[] stride, int[] padding, int[] dilation, boolean ceilMode,
            OnnxGraph g) {
        String pooled = g.node("MaxPool", x, AttributeProto.ofInts("kernel_shape", k),
                AttributeProto.ofInts("strides", stride), AttributeProto.ofInts("pads", bothEnds(padding)),
                AttributeProto.ofInts("dilations", dilation), AttributeProto.ofInt("ceil_mode", ceilMode ? 1 : 0));
        return ceilMode ? cutToRecorded(pooled, k, stride, padding, dilation, g) : pooled;
    }

    /**
     * AveragePool. In ceil mode with the padding counted, PyTorch divides a window that runs past the padded input by
     * its part inside it, ONNX Runtime by the whole kernel: the output is rescaled by the constant kernel volume /
     * PyTorch's divisor of each output position.
     */
    private static String averagePool(String x, int[] k, int[] stride, int[] padding, boolean ceilMode,
            boolean countIncludePad, OnnxGraph g) {
        String pooled = g.node("AveragePool", x, AttributeProto.ofInts("kernel_shape", k),
                AttributeProto.ofInts("strides", stride), AttributeProto.ofInts("pads", bothEnds(padding)),
                AttributeProto.ofInt("ceil_mode", ceilMode ? 1 : 0),
                AttributeProto.ofInt("count_include_pad", countIncludePad ? 1 : 0));
        if (!ceilMode) {
            return pooled;
        }
        int[] ones = new int[k.length];
        Arrays.fill(ones, 1);
        pooled = cutToRecorded(pooled, k, stride, padding, ones, g);
        if (!countIncludePad) {
            return pooled;
        }
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        int axes = k.length;
        float[] scale = {1};
        for (int a = 0; a < axes; a++) {
            int axis = in.length - axes + a;
            scale = outer(scale, divisorRatios(in[axis], out[axis], k[a], stride[a], padding[a]));
        }
        long[] dims = OnnxGraph.longs(Arrays.copyOfRange(out, out.length - axes, out.length));
        return g.node("Mul", List.of(pooled, g.constant(dims, scale)));
    }

    /**
     * PyTorch's power-average pooling: (mean over the window of x^p, times the kernel's size)^(1/p), no padding. A
     * window hanging over the edge in ceil mode takes the mean of its part inside the input, as ONNX Runtime's
     * AveragePool without counted padding takes it (LpPool would take |x|^p, and an integer p only).
     */
    private static String powerAverage(double p, int[] k, int[] stride, boolean ceilMode, String x, OnnxGraph g) {
        int[] none = new int[k.length];
        int[] ones = new int[k.length];
        Arrays.fill(ones, 1);
        String mean = g.node("AveragePool", g.node("Pow", List.of(x, g.scalar((float) p))),
                AttributeProto.ofInts("kernel_shape", k), AttributeProto.ofInts("strides", stride),
                AttributeProto.ofInt("ceil_mode", ceilMode ? 1 : 0), AttributeProto.ofInt("count_include_pad", 0));
        if (ceilMode) {
            mean = cutToRecorded(mean, k, stride, none, ones, g);
        }
        float volume = Arrays.stream(k).reduce(1, (a, b) -> a * b);
        return g.node("Pow", List.of(g.node("Mul", List.of(mean, g.scalar(volume))), g.scalar((float) (1 / p))));
    }

    /** ONNX's pads: the begin of every spatial axis, then the end. */
    private static int[] bothEnds(int[] padding) {
        int[] pads = new int[2 * padding.length];
        System.arraycopy(padding, 0, pads, 0, padding.length);
        System.arraycopy(padding, 0, pads, padding.length, padding.length);
        return pads;
    }

    /**
     * In ceil mode PyTorch leaves out a last window that would start in the right padding; ONNX Runtime keeps it. A
     * Slice cuts the output to PyTorch's size, recorded in the trial forward pass, where they differ.
     */
    private static String cutToRecorded(String pooled, int[] k, int[] stride, int[] padding, int[] dilation,
            OnnxGraph g) {
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        int first = in.length - k.length;
        long[] starts = new long[k.length];
        long[] ends = new long[k.length];
        long[] axes = new long[k.length];
        boolean differs = false;
        for (int a = 0; a < k.length; a++) {
            int span = in[first + a] + 2 * padding[a] - dilation[a] * (k[a] - 1) - 1;
            long onnxSize = -Math.floorDiv(-span, stride[a]) + 1;
            differs |= onnxSize != out[first + a];
            ends[a] = out[first + a];
            axes[a] = first + a;
        }
        return differs ? g.node("Slice", List.of(pooled, g.int64s(starts), g.int64s(ends), g.int64s(axes))) : pooled;
    }

    /** Per output position along an axis: k / the number of the window's positions inside the padded input. */
    private static float[] divisorRatios(int size, int outSize, int k, int stride, int padding) {
        float[] ratios = new float[outSize];
        for (int o = 0; o < outSize; o++) {
            int start = o * stride - padding;
            ratios[o] = (float) k / (Math.min(start + k, size + padding) - start);
        }
        return ratios;
    }

    /** The row-major outer product of a and b. */
    private static float[] outer(float[] a, float[] b) {
        float[] product = new float[a.length * b.length];
        for (int i = 0; i < a.length; i++) {
            for (int j = 0; j < b.length; j++) {
                product[i * b.length + j] = a[i] * b[j];
            }
        }
        return product;
    }

    /**
     * Adaptive pooling ({@code kind} "Max" or "Average") to the recorded output size. Windows of unequal sizes are
     * pooled one spatial axis at a time, which gives the same maximum and the same mean over each box: per output
     * position a Slice of PyTorch's window, floor(o in / out) to ceil((o + 1) in / out), pooled whole along that axis,
     * and the results concatenated.
     */
    static String adaptive(String kind, String x, OnnxGraph g) {
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        int[] inner = Arrays.copyOfRange(in, 2, in.length);
        int[] outer = Arrays.copyOfRange(out, 2, out.length);
        if (Arrays.stream(outer).allMatch(s -> s == 1)) {
            return g.node("Global" + kind + "Pool", x);
        }
        boolean even = true;
        int[] window = new int[inner.length];
        for (int a = 0; a < inner.length; a++) {
            even &= inner[a] % outer[a] == 0;
            window[a] = inner[a] / Math.max(1, outer[a]);
        }
        if (even) {
            return g.node(kind + "Pool", x, AttributeProto.ofInts("kernel_shape", window),
                    AttributeProto.ofInts("strides", window));
        }
        String y = x;
        for (int a = 0; a < inner.length; a++) {
            if (inner[a] != outer[a]) {
                y = adaptiveAlong(kind, y, a, inner[a], outer[a], g);
            }
        }
        return y;
    }

    private static String adaptiveAlong(String kind, String x, int spatialAxis, int size, int outSize, OnnxGraph g) {
        int rank = g.inputShape().length;
        List<String> parts = new ArrayList<>();
        for (int o = 0; o < outSize; o++) {
            int start = Math.floorDiv(o * size, outSize);
            int end = -Math.floorDiv(-(o + 1) * size, outSize);
            String window = g.node("Slice", List.of(x, g.int64s(start), g.int64s(end), g.int64s(spatialAxis + 2)));
            int[] kernel = new int[rank - 2];
            Arrays.fill(kernel, 1);
            kernel[spatialAxis] = end - start;
            parts.add(g.node(kind + "Pool", window, AttributeProto.ofInts("kernel_shape", kernel)));
        }
        return g.node("Concat", parts, AttributeProto.ofInt("axis", spatialAxis + 2));
    }
}
