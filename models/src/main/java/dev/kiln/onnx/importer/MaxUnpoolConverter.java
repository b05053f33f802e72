package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * MaxUnpool: X [N, C, spatial...] (1 to 3 spatial axes) and I (I64 of X's shape: positions in the whole output
 * tensor, as MaxPool's Indices give them) to zeros with each element of X at its index. The output's spatial sizes are
 * {@code (in - 1) stride + kernel - pad_begin - pad_end}, or the last ones of output_shape (input 2). It runs as
 * {@link F#maxUnpool2d} or {@link F#maxUnpool3d} (a 1-D node as 2-D of height 1) on per-channel indices: of repeated
 * indices the last wins, as in ONNX Runtime, and each element of X receives the output's gradient at its index. As
 * those ops, each output size must lie within one stride of {@code (in - 1) stride + kernel - 2 padding} for some
 * padding of 0 or more: an unpooling to the input size of a pooling with a stride above 1, or as ONNX sizes it.
 */
final class MaxUnpoolConverter {
    private MaxUnpoolConverter() {
    }

    static OnnxStep compile(OnnxNode node) {
        int[] kernel = node.intsAttr("kernel_shape", null);
        if (kernel == null || kernel.length < 1 || kernel.length > 3) {
            throw node.error("kernel_shape " + Arrays.toString(kernel) + "; Kiln unpools 1 to 3 spatial axes, "
                    + "one kernel size each");
        }
        int axes = kernel.length;
        int[] strides = node.intsAttr("strides", filled(axes, 1));
        int[] pads = node.intsAttr("pads", filled(2 * axes, 0));
        if (strides.length != axes || pads.length != 2 * axes) {
            throw node.error("strides " + Arrays.toString(strides) + " and pads " + Arrays.toString(pads)
                    + " must hold " + axes + " and " + 2 * axes + " values for kernel_shape "
                    + Arrays.toString(kernel));
        }
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            Tensor indices = in[1].tensor(floatType);
            if (x.rank() != axes + 2 || indices.dtype() != DType.I64 || !indices.shape().equals(x.shape())) {
                throw node.error("X " + x.shape() + " and I " + indices.shape() + " " + indices.dtype() + ": X must "
                        + "be [N, C] and " + axes + " spatial axes, I I64 of X's shape");
            }
            int[] size = outputSize(node, x, in.length > 2 ? in[2] : null, kernel, strides, pads);
            long region = Arrays.stream(size).asLongStream().reduce(1, (a, b) -> a * b);
            Tensor inPlane = PlaneIndices.perPlane(indices, region);
            int[] padding = new int[axes];
            for (int k = 0; k < axes; k++) {
                // Kiln's unpooling pads both ends alike: the padding whose size lies at or just above the requested.
                padding[k] = Math.max(0, ((x.dim(k + 2) - 1) * strides[k] + kernel[k] - size[k]) / 2);
            }
            return OnnxValue.of(unpool(x, inPlane, kernel, strides, padding, size));
        };
    }

    /** F.maxUnpool3d or F.maxUnpool2d, a 1-D input as 2-D of height 1. */
    private static Tensor unpool(Tensor x, Tensor indices, int[] kernel, int[] strides, int[] padding, int[] size) {
        if (x.rank() == 5) {
            return F.maxUnpool3d(x, indices, kernel, strides, padding, size);
        }
        if (x.rank() == 4) {
            return F.maxUnpool2d(x, indices, kernel, strides, padding, size);
        }
        return F.maxUnpool2d(x.unsqueeze(2), indices.unsqueeze(2), new int[] {1, kernel[0]},
                new int[] {1, strides[0]}, new int[] {0, padding[0]}, new int[] {1, size[0]}).squeeze(2);
    }

    /** ONNX's spatial output sizes: output_shape's last ones where given, else each axis's unpooled size. */
    private static int[] outputSize(OnnxNode node, Tensor x, OnnxValue outputShape, int[] kernel, int[] strides,
            int[] pads) {
        int axes = kernel.length;
        if (outputShape != null) {
            long[] shape = outputShape.longs();
            if (shape.length < axes) {
                throw node.error("output_shape " + Arrays.toString(shape) + " must hold the " + axes
                        + " spatial sizes");
            }
            return Arrays.stream(shape, shape.length - axes, shape.length).mapToInt(Math::toIntExact).toArray();
        }
        int[] size = new int[axes];
        for (int k = 0; k < axes; k++) {
            size[k] = (x.dim(k + 2) - 1) * strides[k] + kernel[k] - pads[k] - pads[axes + k];
        }
        return size;
    }

    private static int[] filled(int count, int value) {
        int[] values = new int[count];
        Arrays.fill(values, value);
        return values;
    }
}
