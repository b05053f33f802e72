package dev.kiln.engine.cpu;

import dev.kiln.engine.GroupedConv2dGeometry;

/**
 * One convolution as the CPU backend's choice of kernel sees it: its geometry ({@code groups} 1 for a plain
 * convolution), the direction, and whether a bias (forward) or bias gradient (backward-filter) comes with it.
 */
record ConvolutionKey(GroupedConv2dGeometry geometry, Direction direction, boolean bias) {

    /** What a call computes: the output, the input's gradient, or the weight's (and bias's) gradient. */
    enum Direction {
        FORWARD, BACKWARD_DATA, BACKWARD_FILTER
    }

    @Override
    public String toString() {
        return direction + (bias ? " with bias" : "") + " of " + geometry;
    }
}
