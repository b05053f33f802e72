package dev.kiln.onnx.importer;

import java.util.Arrays;

/**
 * The window attributes of an ONNX Conv, ConvTranspose, MaxPool, AveragePool or LpPool node (kernel_shape, strides,
 * pads or auto_pad, dilations, output_padding) for a 1-D, 2-D or 3-D node, as the 2-D or 3-D form Kiln runs: a 1-D
 * node runs as a 2-D one of height 1, so its attributes gain a leading 1 (0 for pads). ONNX's pads list every axis's
 * beginning, then every axis's end; Kiln's ops pad both ends of an axis alike, so uneven pads are padded explicitly
 * first (a transposed convolution's cropped off its output after).
 */
record PoolingGeometry(int[] kernel, int[] stride, int[] padBegin, int[] padEnd, int[] dilation, int[] outputPadding) {
    /**
     * The geometry of {@code node} on an input of spatial sizes {@code size} (1, 2 or 3 axes); {@code weightKernel},
     * the weight's spatial sizes, stands in for an absent kernel_shape (null for a pool).
     */
    static PoolingGeometry of(OnnxNode node, int[] size, int[] weightKernel, boolean transposed) {
        int rank = size.length;
        int[] kernel = node.intsAttr("kernel_shape", weightKernel);
        if (kernel == null) {
            throw node.error("has no kernel_shape, which it needs");
        }
        AutoPad.Window w = new AutoPad.Window(checked(kernel, rank, node, "kernel_shape"),
                attribute(node, "strides", rank, 1), attribute(node, "dilations", rank, 1),
                attribute(node, "output_padding", rank, 0));
        int[][] pads = AutoPad.of(node).pads(node, size, w, transposed);
        return new PoolingGeometry(lift(w.kernel(), 1), lift(w.stride(), 1), lift(pads[0], 0), lift(pads[1], 0),
                lift(w.dilation(), 1), lift(w.outputPadding(), 0));
    }

    private static int[] attribute(OnnxNode node, String name, int rank, int otherwise) {
        int[] given = node.intsAttr(name, null);
        if (given == null) {
            given = new int[rank];
            Arrays.fill(given, otherwise);
        }
        return checked(given, rank, node, name);
    }

    private static int[] checked(int[] values, int rank, OnnxNode node, String name) {
        if (values.length != rank) {
            throw node.error(name + " " + Arrays.toString(values) + " must hold " + rank + " values for " + rank
                    + " spatial axes");
        }
        return values;
    }

    /** A 1-D attribute with {@code lead} for the height of 1 it runs with; a 2-D or 3-D one as it is. */
    private static int[] lift(int[] values, int lead) {
        return values.length == 1 ? new int[] {lead, values[0]} : values;
    }

    /** The number of spatial axes the node runs with: 2 (a 1-D node's too) or 3. */
    int axes() {
        return kernel.length;
    }

    /** Whether each axis is padded alike at both ends. */
    boolean even() {
        return Arrays.equals(padBegin, padEnd);
    }

    /** Whether the pads are even and at most half the kernel, which Kiln's pooling ops take as padding. */
    boolean poolable() {
        for (int k = 0; k < axes(); k++) {
            if (2 * padBegin[k] > kernel[k]) {
                return false;
            }
        }
        return even();
    }

    /** Whether some axis's dilation is above 1. */
    boolean dilated() {
        return Arrays.stream(dilation).anyMatch(d -> d != 1);
    }

    /** The number of positions in a window, the product of the kernel's sizes. */
    int kernelVolume() {
        return Arrays.stream(kernel).reduce(1, (a, b) -> a * b);
    }

    /** The padding of each axis, which {@link #even()} makes the same at both ends. */
    int[] padding() {
        return padBegin;
    }

    /** F.pad's amounts for the pads: the last axis's (begin, end), then the one before, and so on. */
    int[] explicitPads() {
        int[] pads = new int[2 * axes()];
        for (int k = 0; k < axes(); k++) {
            pads[2 * (axes() - 1 - k)] = padBegin[k];
            pads[2 * (axes() - 1 - k) + 1] = padEnd[k];
        }
        return pads;
    }
}
