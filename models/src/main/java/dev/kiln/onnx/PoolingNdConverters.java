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
 * The max and average poolings of 1 to 3 axes (MaxPool, AveragePool, in ceil mode as PyTorch; MaxPool2d and AvgPool2d
 * too), the power-average poolings LPPool1d and LPPool2d, and the adaptive poolings of every rank not in
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

    /** MaxPool; in ceil mode without the windows PyTorch leaves out. */
    static String maxPool(String x, int[] k, int[] stride, int[] padding, int[] dilation, boolean ceilMode,
            OnnxGraph g) {
        String pooled = g.node("MaxPool", x, AttributeProto.ofInts("kernel_shape", k),
                AttributeProto.ofInts("strides", stride), AttributeProto.ofInts("pads", bothEnds(padding)),
                AttributeProto.ofInts("dilations", dilation), AttributeProto.ofInt("ceil_mode", ceilMode ? 1 : 0));
        return ceilMode ? dropWindowsStartingInPadding(pooled, x, stride, padding, g) : pooled;
    }

    /**
     * AveragePool. In ceil mode with the padding counted, PyTorch divides a window that runs past the padded input by
     * its part inside it, where ONNX Runtime divides by the whole kernel: the pooled input is divided by the same
     * pooling of ones over the padded input's extent, which is 1 for a whole window and that part / the kernel for
     * one that runs past, at any size (a reader that divides by the part inside gets 1 there, as it should).
     */
    static String averagePool(String x, int[] k, int[] stride, int[] padding, boolean ceilMode,
            boolean countIncludePad, OnnxGraph g) {
        String pooled = average(x, k, stride, padding, ceilMode, countIncludePad, g);
        if (!ceilMode) {
            return pooled;
        }
        pooled = dropWindowsStartingInPadding(pooled, x, stride, padding, g);
        if (!countIncludePad) {
            return pooled;
        }
        String ones = g.node("Pad", List.of(g.node("Expand", List.of(g.scalar(1), g.node("Shape", x))),
                g.int64s(allAxes(padding, g)), g.scalar(1)), AttributeProto.ofString("mode", "constant"));
        String counted = average(ones, k, stride, new int[padding.length], true, true, g);
        return g.node("Div", List.of(pooled, dropWindowsStartingInPadding(counted, x, stride, padding, g)));
    }

    private static String average(String x, int[] k, int[] stride, int[] padding, boolean ceilMode,
            boolean countIncludePad, OnnxGraph g) {
        return g.node("AveragePool", x, AttributeProto.ofInts("kernel_shape", k),
                AttributeProto.ofInts("strides", stride), AttributeProto.ofInts("pads", bothEnds(padding)),
                AttributeProto.ofInt("ceil_mode", ceilMode ? 1 : 0),
                AttributeProto.ofInt("count_include_pad", countIncludePad ? 1 : 0));
    }

    /**
     * PyTorch's power-average pooling: (mean over the window of x^p, times the kernel's size)^(1/p), no padding. A
     * window hanging over the edge in ceil mode takes the mean of its part inside the input, as ONNX Runtime's
     * AveragePool without counted padding takes it (LpPool would take |x|^p, and an integer p only).
     */
    private static String powerAverage(double p, int[] k, int[] stride, boolean ceilMode, String x, OnnxGraph g) {
        String mean = g.node("AveragePool", g.node("Pow", List.of(x, g.scalar((float) p))),
                AttributeProto.ofInts("kernel_shape", k), AttributeProto.ofInts("strides", stride),
                AttributeProto.ofInt("ceil_mode", ceilMode ? 1 : 0), AttributeProto.ofInt("count_include_pad", 0));
        if (ceilMode) {
            mean = dropWindowsStartingInPadding(mean, x, stride, new int[k.length], g);
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

    /** Pad's pads for x: none on the leading axes, {@code padding} at both ends of the pooled ones. */
    private static long[] allAxes(int[] padding, OnnxGraph g) {
        int rank = g.inputShape().length;
        long[] pads = new long[2 * rank];
        for (int a = 0; a < padding.length; a++) {
            pads[rank - padding.length + a] = padding[a];
            pads[2 * rank - padding.length + a] = padding[a];
        }
        return pads;
    }

    /**
     * In ceil mode PyTorch leaves out a last window that would start in the right padding, which keeps at most
     * ceil((size + padding) / stride) windows along each axis; a reader that keeps it has it cut by a Slice to that
     * many, computed from x's Shape so that the sizes may be symbolic (ONNX Runtime 1.23 leaves it out itself).
     */
    private static String dropWindowsStartingInPadding(String pooled, String x, int[] stride, int[] padding,
            OnnxGraph g) {
        int axes = stride.length;
        int first = g.inputShape().length - axes;
        long[] offsets = new long[axes];
        long[] strides = new long[axes];
        long[] axisIndices = new long[axes];
        for (int a = 0; a < axes; a++) {
            offsets[a] = padding[a] + stride[a] - 1L;
            strides[a] = stride[a];
            axisIndices[a] = first + a;
        }
        String sizes = g.node("Shape", x, AttributeProto.ofInt("start", first));
        String windows = g.node("Div", List.of(g.node("Add", List.of(sizes, constant(offsets, g))),
                constant(strides, g)));
        return g.node("Slice", List.of(pooled, g.int64s(new long[axes]), windows, g.int64s(axisIndices)));
    }

    /** INT64 values as a Constant node, not an initializer, as the shape arithmetic of readers expects them. */
    private static String constant(long[] values, OnnxGraph g) {
        return g.node("Constant", List.of(), AttributeProto.ofInts("value_ints", values));
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
