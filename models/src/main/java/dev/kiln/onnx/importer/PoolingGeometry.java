package dev.kiln.onnx.importer;

import java.util.Arrays;

/**
 * The window attributes of an ONNX Conv, ConvTranspose, MaxPool or AveragePool node (kernel_shape, strides, pads,
 * dilations, output_padding) for a 1-D or 2-D node, as the 2-D form Kiln runs: a 1-D node runs as a 2-D one of
 * height 1, so its attributes gain a leading 1 (0 for pads). ONNX's pads list every axis's beginning, then every
 * axis's end; Kiln's ops pad both ends of an axis alike, so uneven pads are either padded explicitly first (Conv) or
 * refused.
 */
record PoolingGeometry(int[] kernel, int[] stride, int[] padBegin, int[] padEnd, int[] dilation, int[] outputPadding) {
    /** The geometry of {@code node} over {@code spatialRank} (1 or 2) axes; {@code kernel} from the weight if null. */
    static PoolingGeometry of(OnnxNode node, int spatialRank, int[] weightKernel) {
        int[] kernel = lift(node.intsAttr("kernel_shape", weightKernel), spatialRank, 1, node, "kernel_shape");
        int[] pads = node.intsAttr("pads", new int[2 * spatialRank]);
        if (pads.length != 2 * spatialRank) {
            throw node.error("pads " + Arrays.toString(pads) + " must hold " + 2 * spatialRank + " values for "
                    + spatialRank + " spatial axes");
        }
        int[] begin = lift(Arrays.copyOfRange(pads, 0, spatialRank), spatialRank, 0, node, "pads");
        int[] end = lift(Arrays.copyOfRange(pads, spatialRank, 2 * spatialRank), spatialRank, 0, node, "pads");
        return new PoolingGeometry(kernel, attribute(node, "strides", spatialRank, 1), begin, end,
                attribute(node, "dilations", spatialRank, 1), attribute(node, "output_padding", spatialRank, 0));
    }

    private static int[] attribute(OnnxNode node, String name, int spatialRank, int otherwise) {
        int[] given = node.intsAttr(name, null);
        if (given == null) {
            given = new int[spatialRank];
            Arrays.fill(given, otherwise);
        }
        return lift(given, spatialRank, otherwise == 0 ? 0 : 1, node, name);
    }

    private static int[] lift(int[] values, int spatialRank, int lead, OnnxNode node, String name) {
        if (values == null) {
            throw node.error("has no " + name + ", which it needs");
        }
        if (values.length != spatialRank) {
            throw node.error(name + " " + Arrays.toString(values) + " must hold " + spatialRank + " values for "
                    + spatialRank + " spatial axes");
        }
        return spatialRank == 2 ? values : new int[] {lead, values[0]};
    }

    /** Whether each axis is padded alike at both ends. */
    boolean even() {
        return Arrays.equals(padBegin, padEnd);
    }

    /** The padding of each axis, which {@link #even()} makes the same at both ends. */
    int[] padding() {
        return padBegin;
    }

    /** F.pad's amounts for the uneven pads: the last axis's (begin, end), then the one before. */
    int[] explicitPads() {
        return new int[] {padBegin[1], padEnd[1], padBegin[0], padEnd[0]};
    }
}
