package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * Conv, ConvTranspose, MaxPool, AveragePool, GlobalAveragePool and GlobalMaxPool over 1-D ([N, C, L]) and 2-D ([N, C, H, W])
 * inputs; a 1-D node runs as a 2-D one of height 1. auto_pad must be NOTSET (explicit pads, what torch exports) or
 * VALID (no padding).
 */
final class ConvolutionConverters {
    private ConvolutionConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Conv", ConvolutionConverters::conv);
        ops.put("ConvTranspose", ConvolutionConverters::convTranspose);
        ops.put("MaxPool", ConvolutionConverters::maxPool);
        ops.put("AveragePool", ConvolutionConverters::averagePool);
        ops.put("GlobalAveragePool", n -> ConvolutionConverters::globalAveragePool);
        ops.put("GlobalMaxPool", n -> (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int[] spatial = new int[x.rank() - 2];
            Arrays.setAll(spatial, k -> k + 2);
            return OnnxValue.of(x.amax(spatial, true));
        });
    }

    private static void checkAutoPad(OnnxNode node) {
        String autoPad = node.stringAttr("auto_pad", "NOTSET");
        if (!autoPad.equals("NOTSET") && !autoPad.equals("VALID")) {
            throw node.error("auto_pad " + autoPad + " is not supported; Kiln runs NOTSET (explicit pads) and VALID");
        }
    }

    private static OnnxStep conv(OnnxNode node) {
        checkAutoPad(node);
        int groups = Math.toIntExact(node.intAttr("group", 1));
        return spatial(node, (x, w) -> {
            Tensor weight = w[0];
            PoolingGeometry g = PoolingGeometry.of(node, x.rank() - 2, kernelOf(w[0]));
            Tensor input = g.even() ? x : F.pad(x, g.explicitPads(), 0);
            int[] padding = g.even() ? g.padding() : new int[2];
            if (x.rank() == 3) {
                input = input.unsqueeze(2);
                weight = weight.unsqueeze(2);
            }
            return F.conv2d(input, weight, w[1], g.stride(), padding, g.dilation(), groups);
        });
    }

    private static OnnxStep convTranspose(OnnxNode node) {
        checkAutoPad(node);
        if (node.intAttr("group", 1) != 1) {
            throw node.error("group " + node.intAttr("group", 1) + " is not supported; Kiln runs ConvTranspose with "
                    + "group 1");
        }
        if (node.has("output_shape")) {
            throw node.error("output_shape is not supported; give pads and output_padding instead");
        }
        return spatial(node, (x, w) -> {
            PoolingGeometry g = PoolingGeometry.of(node, x.rank() - 2, kernelOf(w[0]));
            evenPads(node, g);
            boolean oneD = x.rank() == 3;
            return F.convTranspose2d(oneD ? x.unsqueeze(2) : x, oneD ? w[0].unsqueeze(2) : w[0], w[1], g.stride(),
                    g.padding(), g.outputPadding(), g.dilation());
        });
    }

    private static OnnxStep maxPool(OnnxNode node) {
        checkAutoPad(node);
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        return spatial(node, (x, w) -> {
            PoolingGeometry g = evenPads(node, PoolingGeometry.of(node, x.rank() - 2, null));
            return F.maxPool2d(x.rank() == 3 ? x.unsqueeze(2) : x, g.kernel(), g.stride(), g.padding(), g.dilation(),
                    ceil);
        });
    }

    private static OnnxStep averagePool(OnnxNode node) {
        checkAutoPad(node);
        boolean ceil = node.intAttr("ceil_mode", 0) != 0;
        boolean countPad = node.intAttr("count_include_pad", 0) != 0;
        return spatial(node, (x, w) -> {
            PoolingGeometry g = evenPads(node, PoolingGeometry.of(node, x.rank() - 2, null));
            Tensor input = x.rank() == 3 ? x.unsqueeze(2) : x;
            Tensor y = F.avgPool2d(input, g.kernel(), g.stride(), g.padding(), ceil, countPad);
            return ceil && countPad ? overWholeKernel(y, input, g) : y;
        });
    }

    /**
     * Counting the padding, ONNX's AveragePool divides every window by the kernel's area, where F.avgPool2d (as
     * PyTorch) divides a last window that in ceil mode runs past the padded input by its part inside it: {@code y}
     * rescaled at each such position by that part over the area.
     */
    private static Tensor overWholeKernel(Tensor y, Tensor input, PoolingGeometry g) {
        int[] k = g.kernel();
        int[] rows = windowParts(input.dim(2), y.dim(2), k[0], g.stride()[0], g.padding()[0]);
        int[] cols = windowParts(input.dim(3), y.dim(3), k[1], g.stride()[1], g.padding()[1]);
        if (rows[rows.length - 1] == k[0] && cols[cols.length - 1] == k[1]) {
            return y;
        }
        double[] scale = new double[rows.length * cols.length];
        for (int i = 0; i < rows.length; i++) {
            for (int j = 0; j < cols.length; j++) {
                scale[i * cols.length + j] = (double) rows[i] * cols[j] / (k[0] * k[1]);
            }
        }
        return y.mul(Tensor.fromArray(scale, rows.length, cols.length).to(y.dtype()));
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

    private static PoolingGeometry evenPads(OnnxNode node, PoolingGeometry g) {
        if (!g.even()) {
            throw node.error("pads begin " + Arrays.toString(g.padBegin()) + " and end " + Arrays.toString(g.padEnd())
                    + " differ; Kiln pads both ends of an axis alike here");
        }
        return g;
    }

    /** The weight's spatial sizes, the kernel when kernel_shape is left out. */
    private static int[] kernelOf(Tensor weight) {
        int[] dims = weight.shape().dims();
        return Arrays.copyOfRange(dims, 2, dims.length);
    }

    /**
     * A step that checks the input is [N, C, L] or [N, C, H, W], runs {@code op} on it and the node's other inputs
     * (weight and bias, null where absent), and drops the height of 1 a 1-D input ran with.
     */
    private static OnnxStep spatial(OnnxNode node, BiFunction<Tensor, Tensor[], Tensor> op) {
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            if (x.rank() != 3 && x.rank() != 4) {
                throw node.error("input " + x.shape() + ": Kiln runs 1-D [N, C, L] and 2-D [N, C, H, W] inputs");
            }
            Tensor[] rest = new Tensor[2];
            for (int k = 1; k < Math.min(in.length, 3); k++) {
                rest[k - 1] = in[k] == null ? null : in[k].tensor(floatType);
            }
            Tensor y = op.apply(x, rest);
            return OnnxValue.of(x.rank() == 3 ? y.squeeze(2) : y);
        };
    }
}
