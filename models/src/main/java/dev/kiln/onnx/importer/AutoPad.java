package dev.kiln.onnx.importer;

import java.util.Arrays;

/**
 * ONNX's auto_pad attribute of Conv, ConvTranspose and the pools: the pads a node runs with, per spatial axis, as
 * (begin, end). NOTSET takes the pads attribute, VALID pads nothing, SAME_UPPER and SAME_LOWER pad so that the output
 * is ceil(input / stride) long (ConvTranspose's input * stride), an odd total's extra at the end (SAME_UPPER) or at
 * the beginning (SAME_LOWER).
 */
enum AutoPad {
    NOTSET, VALID, SAME_UPPER, SAME_LOWER;

    /** The node's auto_pad, NOTSET when absent. */
    static AutoPad of(OnnxNode node) {
        String given = node.stringAttr("auto_pad", "NOTSET");
        for (AutoPad a : values()) {
            if (a.name().equals(given)) {
                return a;
            }
        }
        throw node.error("auto_pad " + given + " is not one of ONNX's NOTSET, VALID, SAME_UPPER and SAME_LOWER");
    }

    /**
     * The pads {begin, end} of each axis of an input of spatial sizes {@code size} under window {@code w}; a
     * transposed convolution's SAME crops its output to input * stride.
     *
     * @throws IllegalArgumentException naming the node when the pads attribute does not hold two values per axis, or
     *     a transposed SAME would need a negative padding (a kernel smaller than the stride)
     */
    int[][] pads(OnnxNode node, int[] size, Window w, boolean transposed) {
        int rank = size.length;
        int[][] pads = new int[2][rank];
        int[] outputShape = transposed ? node.intsAttr("output_shape", null) : null;
        if (outputShape != null) {
            for (int k = 0; k < rank; k++) {
                int total = outputShapeTotal(node, size[k], w, k, outputShape);
                pads[0][k] = this == SAME_UPPER ? total / 2 : total - total / 2;
                pads[1][k] = total - pads[0][k];
            }
        } else if (this == NOTSET) {
            int[] given = node.intsAttr("pads", new int[2 * rank]);
            if (given.length != 2 * rank) {
                throw node.error("pads " + Arrays.toString(given) + " must hold " + 2 * rank + " values for " + rank
                        + " spatial axes");
            }
            pads[0] = Arrays.copyOfRange(given, 0, rank);
            pads[1] = Arrays.copyOfRange(given, rank, 2 * rank);
        } else if (this != VALID) {
            for (int k = 0; k < rank; k++) {
                int total = transposed ? transposedTotal(node, size[k], w, k) : total(size[k], w, k);
                int small = total / 2;
                pads[0][k] = this == SAME_UPPER ? small : total - small;
                pads[1][k] = this == SAME_UPPER ? total - small : small;
            }
        }
        return pads;
    }

    /** Conv's and the pools' total padding of axis k: what makes ceil(size / stride) windows fit. */
    private static int total(int size, Window w, int k) {
        int out = (size + w.stride()[k] - 1) / w.stride()[k];
        return Math.max((out - 1) * w.stride()[k] + w.extent(k) - size, 0);
    }

    /** ConvTranspose's total padding of axis k: its full output less size * stride. */
    private int transposedTotal(OnnxNode node, int size, Window w, int k) {
        int total = w.stride()[k] * (size - 1) + w.outputPadding()[k] + w.extent(k) - size * w.stride()[k];
        if (total < 0) {
            throw node.error("auto_pad " + this + " on axis " + k + " needs padding " + total + " (kernel extent "
                    + w.extent(k) + " below stride " + w.stride()[k] + "); Kiln pads by 0 or more");
        }
        return total;
    }

    /**
     * ConvTranspose's total padding of axis k for its output_shape attribute (the spatial sizes, the last ones where
     * it lists N and C too): what the full output exceeds that size by. ONNX splits it as auto_pad SAME_UPPER's pads
     * when auto_pad is SAME_UPPER, as SAME_LOWER's otherwise, and ignores the pads attribute.
     */
    private static int outputShapeTotal(OnnxNode node, int size, Window w, int k, int[] outputShape) {
        int rank = w.kernel().length;
        if (outputShape.length < rank) {
            throw node.error("output_shape " + Arrays.toString(outputShape) + " must hold the " + rank
                    + " spatial sizes");
        }
        int requested = outputShape[outputShape.length - rank + k];
        int full = w.stride()[k] * (size - 1) + w.outputPadding()[k] + w.extent(k);
        if (requested > full) {
            throw node.error("output_shape " + Arrays.toString(outputShape) + " asks for " + requested + " on axis "
                    + k + ", beyond the " + full + " the input of size " + size + " gives; Kiln crops the output to "
                    + "output_shape, it does not extend it");
        }
        return full - requested;
    }

    /** The window attributes the padding depends on, per spatial axis of the node (not lifted to 2-D). */
    record Window(int[] kernel, int[] stride, int[] dilation, int[] outputPadding) {
        /** The span of the dilated kernel along axis k. */
        int extent(int k) {
            return (kernel[k] - 1) * dilation[k] + 1;
        }
    }
}
