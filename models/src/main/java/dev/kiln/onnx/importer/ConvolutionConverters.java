package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Conv, ConvTranspose, MaxPool, AveragePool, LpPool, GlobalAveragePool and GlobalMaxPool over 1-D ([N, C, L]), 2-D
 * ([N, C, H, W]) and 3-D ([N, C, D, H, W]) inputs; a 1-D node runs as a 2-D one of height 1. Every auto_pad
 * ({@link AutoPad}); pads that Kiln's ops cannot take as padding (uneven ones, a pool's beyond half its kernel) are
 * padded explicitly first: zeros for convolutions, -inf for MaxPool, zeros that AveragePool leaves out of its divisors
 * unless count_include_pad. Dilations for Conv, ConvTranspose, MaxPool, LpPool (opset 18) and AveragePool (opset 19).
 * MaxPool's Indices output is {@link MaxPoolConverter}'s, MaxUnpool {@link MaxUnpoolConverter}'s.
 */
final class ConvolutionConverters {
    private ConvolutionConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Conv", ConvolutionConverters::conv);
        ops.put("ConvTranspose", ConvolutionConverters::convTranspose);
        ops.put("MaxPool", new MaxPoolConverter());
        ops.put("AveragePool", ConvolutionConverters::averagePool);
        ops.put("LpPool", ConvolutionConverters::lpPool);
        ops.put("GlobalAveragePool", n -> ConvolutionConverters::globalAveragePool);
        ops.put("GlobalMaxPool", n -> (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int[] spatial = new int[x.rank() - 2];
            Arrays.setAll(spatial, k -> k + 2);
            return OnnxValue.of(x.amax(spatial, true));
        });
        ops.put("MaxUnpool", MaxUnpoolConverter::compile);
    }

    /** One node's op on the input, weight and bias as 2-D or 3-D, and the node's geometry. */
    @FunctionalInterface
    private interface WindowOp {
        Tensor apply(Tensor x, Tensor[] weightAndBias, PoolingGeometry g);
    }

    /** {@link WindowOp} of a node of several outputs (MaxPool's values and indices), each of the input's rank. */
    @FunctionalInterface
    interface WindowOutputs {
        Tensor[] apply(Tensor x, Tensor[] weightAndBias, PoolingGeometry g);
    }

    private static OnnxStep conv(OnnxNode node) {
        AutoPad.of(node);
        int groups = Math.toIntExact(node.intAttr("group", 1));
        return spatial(node, false, (x, w, g) -> g.even()
                ? convolve(x, w[0], w[1], g.stride(), g.padding(), g.dilation(), groups)
                : convolve(F.pad(x, g.explicitPads(), 0), w[0], w[1], g.stride(), new int[g.axes()], g.dilation(),
                        groups));
    }

    /** F.conv2d, or F.conv3d for a 5-D input. */
    private static Tensor convolve(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation,
            int groups) {
        return x.rank() == 5 ? F.conv3d(x, weight, bias, stride, padding, dilation, groups)
                : F.conv2d(x, weight, bias, stride, padding, dilation, groups);
    }

    /**
     * ConvTranspose: uneven pads (auto_pad's and output_shape's among them, {@link AutoPad}) run unpadded and are
     * cropped off the output; a grouped node runs each group's channels as a transposed convolution of its own.
     */
    private static OnnxStep convTranspose(OnnxNode node) {
        AutoPad.of(node);
        int groups = Math.toIntExact(node.intAttr("group", 1));
        return spatial(node, true, (x, w, g) -> {
            checkGroups(node, groups, x, w[0]);
            int[] padding = g.even() ? g.padding() : new int[g.axes()];
            List<Tensor> parts = new ArrayList<>();
            for (int k = 0; k < groups; k++) {
                Tensor bias = w[1] == null ? null : part(w[1], 0, k, groups);
                Tensor input = part(x, 1, k, groups);
                Tensor weight = part(w[0], 0, k, groups);
                parts.add(x.rank() == 5
                        ? F.convTranspose3d(input, weight, bias, g.stride(), padding, g.outputPadding(), g.dilation())
                        : F.convTranspose2d(input, weight, bias, g.stride(), padding, g.outputPadding(),
                                g.dilation()));
            }
            Tensor y = groups == 1 ? parts.get(0) : Tensor.cat(parts, 1);
            return g.even() ? y : F.pad(y, Arrays.stream(g.explicitPads()).map(p -> -p).toArray(), 0);
        });
    }

    private static void checkGroups(OnnxNode node, int groups, Tensor x, Tensor weight) {
        if (groups < 1 || x.dim(1) % groups != 0 || weight.dim(0) != x.dim(1)) {
            throw node.error("group " + groups + " with an input of " + x.dim(1) + " channels and a weight of "
                    + weight.dim(0) + " input channels: ConvTranspose's weight is [C, C_out / group, k...] for an "
                    + "input of C channels, C a multiple of group");
        }
    }

    /** Part {@code k} of {@code groups} equal parts of {@code t} along {@code axis}; all of it for one group. */
    private static Tensor part(Tensor t, int axis, int k, int groups) {
        int size = t.dim(axis) / groups;
        return groups == 1 ? t : t.narrow(axis, k * size, size);
    }

    static OnnxStep maxPool(OnnxNode node) {
        AutoPad.of(node);
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        return spatial(node, false, (x, w, g) -> g.poolable()
                ? maxPooled(x, g.kernel(), g.stride(), g.padding(), g.dilation(), ceil)
                : startingInside(maxPooled(F.pad(x, g.explicitPads(), Double.NEGATIVE_INFINITY), g.kernel(),
                        g.stride(), new int[g.axes()], g.dilation(), ceil), x, g));
    }

    /** F.maxPool2d, or F.maxPool3d for a 5-D input. */
    private static Tensor maxPooled(Tensor x, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceil) {
        return x.rank() == 5 ? F.maxPool3d(x, kernel, stride, padding, dilation, ceil)
                : F.maxPool2d(x, kernel, stride, padding, dilation, ceil);
    }

    private static OnnxStep averagePool(OnnxNode node) {
        AutoPad.of(node);
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        boolean countPad = node.intAttr("count_include_pad", 0) != 0;
        return spatial(node, false, (x, w, g) -> {
            if (g.dilated() || g.axes() == 3) {
                return summedMeans(x, g, ceil, countPad);
            }
            if (g.poolable()) {
                Tensor y = F.avgPool2d(x, g.kernel(), g.stride(), g.padding(), ceil, countPad);
                return ceil && countPad ? overWholeKernel(y, x, g.kernel(), g.stride(), g.padding()) : y;
            }
            Tensor y = paddedMeans(x, g, ceil);
            return countPad ? y : y.div(paddedMeans(onesOfOnePlane(x), g, ceil));
        });
    }

    /**
     * AveragePool with dilations (opset 19) or over volumes (Kiln has no 3-D average pooling op to take its pads):
     * each (dilated) window's sum, as LpPool's, over the number of its positions inside the input, or with
     * count_include_pad over the kernel's size.
     */
    private static Tensor summedMeans(Tensor x, PoolingGeometry g, boolean ceil, boolean countPad) {
        Tensor sums = windowSums(x, g, ceil);
        return countPad ? sums.div(g.kernelVolume()) : sums.div(windowSums(onesOfOnePlane(x), g, ceil));
    }

    /** Ones [1, 1, spatial sizes of x...], whose window sums count the positions of each window inside x. */
    private static Tensor onesOfOnePlane(Tensor x) {
        int[] dims = x.shape().dims();
        dims[0] = 1;
        dims[1] = 1;
        return x.fullLike(1, Shape.of(dims));
    }

    /**
     * The window means of {@code x} padded explicitly with zeros, each over the whole kernel (the padding counted, and
     * a ceil-mode window's part past the padded input too, as ONNX Runtime's); divided by those of ones padded alike
     * they leave the padding out of the divisors.
     */
    private static Tensor paddedMeans(Tensor x, PoolingGeometry g, boolean ceil) {
        Tensor padded = F.pad(x, g.explicitPads(), 0);
        Tensor y = F.avgPool2d(padded, g.kernel(), g.stride(), new int[2], ceil, true);
        return ceil ? startingInside(overWholeKernel(y, padded, g.kernel(), g.stride(), new int[2]), x, g) : y;
    }

    /**
     * In ceil mode ONNX Runtime (as PyTorch) drops a last window that starts in the end padding, where a pool over the
     * explicitly padded input sees that padding as input and keeps it: {@code y} narrowed on each axis to the windows
     * that start inside {@code x} or its beginning padding.
     */
    private static Tensor startingInside(Tensor y, Tensor x, PoolingGeometry g) {
        Tensor kept = y;
        for (int k = 0; k < g.axes(); k++) {
            int count = (x.dim(k + 2) + g.padBegin()[k] - 1) / g.stride()[k] + 1;
            if (kept.dim(k + 2) > count) {
                kept = kept.narrow(k + 2, 0, count);
            }
        }
        return kept;
    }

    /**
     * LpPool: each (dilated) window's {@code (sum |x|^p)^(1/p)}, the padding adding nothing; a window whose sum is 0
     * passes no gradient back, where {@code s^(1/p)}'s would be infinite.
     */
    private static OnnxStep lpPool(OnnxNode node) {
        AutoPad.of(node);
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        long p = node.intAttr("p", 2);
        if (p < 1) {
            throw node.error("p " + p + "; LpPool's norm must be at least 1");
        }
        return spatial(node, false, (x, w, g) -> {
            Tensor sums = windowSums(x.abs().pow(p), g, ceil);
            return sums.maskedFill(sums.eq(0), 0).pow(1.0 / p);
        });
    }

    /**
     * Each window's sum of {@code t} under the node's pads, strides and dilations, as a per-channel convolution with a
     * kernel of ones (Kiln's average pool has no dilations); in ceil mode the windows that run past the padded input
     * see zeros there.
     */
    private static Tensor windowSums(Tensor t, PoolingGeometry g, boolean ceil) {
        int[] pads = g.explicitPads();
        for (int k = 0; ceil && k < g.axes(); k++) {
            pads[2 * (g.axes() - 1 - k) + 1] += ceilOverhang(t.dim(k + 2), g, k);
        }
        int[] kernel = new int[g.axes() + 2];
        kernel[0] = t.dim(1);
        kernel[1] = 1;
        System.arraycopy(g.kernel(), 0, kernel, 2, g.axes());
        Tensor sums = convolve(F.pad(t, pads, 0), t.fullLike(1, Shape.of(kernel)), null, g.stride(),
                new int[g.axes()], g.dilation(), t.dim(1));
        return ceil ? startingInside(sums, t, g) : sums;
    }

    /** How far ceil mode's last window along axis k of an input of {@code size} runs past the padded input. */
    private static int ceilOverhang(int size, PoolingGeometry g, int k) {
        int padded = size + g.padBegin()[k] + g.padEnd()[k];
        int extent = (g.kernel()[k] - 1) * g.dilation()[k] + 1;
        int windows = (padded - extent + g.stride()[k] - 1) / g.stride()[k] + 1;
        return Math.max((windows - 1) * g.stride()[k] + extent - padded, 0);
    }

    /**
     * Counting the padding, ONNX's AveragePool divides every window by the kernel's area, where F.avgPool2d (as
     * PyTorch) divides a last window that in ceil mode runs past the padded input by its part inside it: {@code y}
     * rescaled at each such position by that part over the area.
     */
    private static Tensor overWholeKernel(Tensor y, Tensor input, int[] k, int[] stride, int[] padding) {
        int[] rows = windowParts(input.dim(2), y.dim(2), k[0], stride[0], padding[0]);
        int[] cols = windowParts(input.dim(3), y.dim(3), k[1], stride[1], padding[1]);
        if (rows[rows.length - 1] == k[0] && cols[cols.length - 1] == k[1]) {
            return y;
        }
        double[] scale = new double[rows.length * cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                scale[i * cols.length + j] = (double) rows[i] * cols[j] / (k[0] * k[1]);
            }
        }
        return y.mul(Tensor.fromArray(scale, rows.length, cols.length).to(y.dtype()).to(y.backend()));
    }

    /** For each of {@code count} windows along an axis, how many of its k positions lie inside the padded input. */
    private static int[] windowParts(int size, int count, int k, int stride, int padding) {
        int[] parts = new int[count];
        for (int o = 0; o < count; o++) {
            int start = o * stride - padding;
            parts[o] = Math.min(start + k, size + padding) - start;
        }
        return parts;
    }

    private static OnnxValue globalAveragePool(OnnxValue[] in, DType floatType) {
        Tensor x = in[0].tensor(floatType);
        if (x.rank() == 4) {
            return OnnxValue.of(F.globalAvgPool2d(x));
        }
        for (int axis = x.rank() - 1; axis >= 2; axis--) {
            x = x.mean(axis, true);
        }
        return OnnxValue.of(x);
    }

    /** The weight's spatial sizes, the kernel when kernel_shape is left out; null for a pool, which has no weight. */
    private static int[] kernelOf(Tensor weight) {
        if (weight == null) {
            return null;
        }
        int[] dims = weight.shape().dims();
        return Arrays.copyOfRange(dims, 2, dims.length);
    }

    /** The step of a node of one output: {@link #spatialOutputs} of {@code op}. */
    private static OnnxStep spatial(OnnxNode node, boolean transposed, WindowOp op) {
        BiFunction<OnnxValue[], DType, OnnxValue[]> outputs = spatialOutputs(node, transposed,
                (x, w, g) -> new Tensor[] {op.apply(x, w, g)});
        return (in, floatType) -> outputs.apply(in, floatType)[0];
    }

    /**
     * A computation that checks the input is [N, C, L], [N, C, H, W] or [N, C, D, H, W], works out the node's geometry
     * on it, runs {@code op} on it and the node's other inputs (weight and bias, null where absent), a 1-D input and
     * weight with a height of 1, and drops that height from each output.
     */
    static BiFunction<OnnxValue[], DType, OnnxValue[]> spatialOutputs(OnnxNode node, boolean transposed,
            WindowOutputs op) {
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            if (x.rank() < 3 || x.rank() > 5) {
                throw node.error("input " + x.shape() + ": Kiln runs 1-D [N, C, L], 2-D [N, C, H, W] and 3-D "
                        + "[N, C, D, H, W] inputs");
            }
            Tensor[] rest = new Tensor[2];
            for (int k = 1; k < Math.min(in.length, 3); k++) {
                rest[k - 1] = in[k] == null ? null : in[k].tensor(floatType);
            }
            int[] dims = x.shape().dims();
            PoolingGeometry g = PoolingGeometry.of(node, Arrays.copyOfRange(dims, 2, dims.length), kernelOf(rest[0]),
                    transposed);
            boolean oneD = x.rank() == 3;
            if (oneD && rest[0] != null) {
                rest[0] = rest[0].unsqueeze(2);
            }
            Tensor[] ys = op.apply(oneD ? x.unsqueeze(2) : x, rest, g);
            return Arrays.stream(ys).map(y -> OnnxValue.of(oneD ? y.squeeze(2) : y)).toArray(OnnxValue[]::new);
        };
    }
}
