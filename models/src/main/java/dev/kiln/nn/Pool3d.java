package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * What the window-pooling layers of volumes share: kernel, stride and padding per axis (depth, height, width), ceil
 * mode, their checks, and how they run. Max and average pooling are separable: each is its 2-D pooling of every
 * depth slice over height and width (input [batch, channels * depth, height, width], a free view), then the same
 * pooling over depth windows of what that left (as [batch, channels, depth, outH * outW] with windows one wide), two
 * 2-D pooling ops that every backend has (one where the window is one element wide along depth, or along height
 * and width, as in video networks' {@code MaxPool3d((1, 2, 2))}). Per-axis sizes, padding and ceil mode compose as PyTorch's 3-D windows
 * clip them, and the average's divisor is the product of the two passes' divisors, as PyTorch's is. Height and width
 * go first so that a maximum's gradient goes to the first of tied maxima in (depth, height, width) order, as
 * PyTorch's: the first depth slice that holds the window's maximum, and its first maximum in row-major order.
 */
abstract class Pool3d extends Module {
    final int[] kernel;
    final int[] stride;
    final int[] padding;
    final boolean ceilMode;

    /**
     * Each array one value for all three axes or three (depth, height, width); a null stride is the kernel.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, a negative padding or one
     *     above half the kernel
     */
    Pool3d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        String layer = getClass().getSimpleName();
        this.kernel = Conv3d.triple(layer, "kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : Conv3d.triple(layer, "stride", stride, 1);
        this.padding = Conv3d.triple(layer, "padding", padding, 0);
        for (int a = 0; a < 3; a++) {
            if (2 * this.padding[a] > this.kernel[a]) {
                throw new IllegalArgumentException(layer + ": padding " + Conv3d.dims(this.padding)
                        + " must be at most half the kernel " + Conv3d.dims(this.kernel) + " on each axis");
            }
        }
        this.ceilMode = ceilMode;
    }

    /** (depth, height, width). */
    public int[] kernel() {
        return kernel.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    /** The 2-D pooling: [batch, channels, height, width] to [batch, channels, outH, outW], arrays (height, width). */
    abstract Tensor pool2d(Tensor x, int[] kernel, int[] stride, int[] padding);

    /**
     * [batch, channels, depth, height, width] to [batch, channels, outD, outH, outW], or unbatched [channels, depth,
     * height, width] to [channels, outD, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or 5-D or is
     *     smaller than the window on some axis
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == 4;
        if (!unbatched && x.rank() != 5) {
            throw new IllegalArgumentException(this + ": input " + x.shape()
                    + " must be [batch, channels, depth, height, width] or unbatched [channels, depth, height, width]");
        }
        String[] axes = {"depth", "height", "width"};
        for (int a = 0; a < 3; a++) {
            int size = x.dim(a - 3);
            if (kernel[a] > size + 2 * padding[a]) {
                throw new IllegalArgumentException(this + ": input " + x.shape() + ": the kernel " + kernel[a]
                        + " is larger than the " + axes[a] + " " + size + " padded by " + padding[a] + " on each side");
            }
        }
        Tensor batch = unbatched ? x.unsqueeze(0) : x;
        Tensor planes = windowOfOne(1) && windowOfOne(2) ? batch : poolPlanes(batch);
        Tensor y = windowOfOne(0) ? planes : poolDepth(planes);
        releaseConsumed(planes, y, batch);
        return unbatched ? consume(y, t -> t.squeeze(0)) : y;
    }

    /** Each depth slice of x [batch, channels, depth, height, width] pooled over height and width. */
    private Tensor poolPlanes(Tensor x) {
        int[] dims = x.shape().dims();
        Tensor pooled = consume(x.reshape(dims[0], dims[1] * dims[2], dims[3], dims[4]), planes -> pool2d(planes,
                new int[] {kernel[1], kernel[2]}, new int[] {stride[1], stride[2]}, new int[] {padding[1], padding[2]}));
        return consume(pooled, p -> p.reshape(dims[0], dims[1], dims[2], p.dim(2), p.dim(3)));
    }

    /** x [batch, channels, depth, height, width] pooled over depth windows, one element wide. */
    private Tensor poolDepth(Tensor x) {
        int[] dims = x.shape().dims();
        Tensor pooled = consume(x.reshape(dims[0], dims[1], dims[2], dims[3] * dims[4]), slices -> pool2d(slices,
                new int[] {kernel[0], 1}, new int[] {stride[0], 1}, new int[] {padding[0], 0}));
        return consume(pooled, p -> p.reshape(dims[0], dims[1], p.dim(2), dims[3], dims[4]));
    }

    /** Whether the window along {@code axis} (0 depth, 1 height, 2 width) is one element wide and moves by one. */
    private boolean windowOfOne(int axis) {
        return kernel[axis] == 1 && stride[axis] == 1 && padding[axis] == 0;
    }

    /** The options beyond kernel, stride and padding that differ from PyTorch's defaults, as PyTorch names them. */
    String extraOptions() {
        return ceilMode ? ", ceil_mode=True" : "";
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "(kernel=" + Conv3d.dims(kernel) + ", stride=" + Conv3d.dims(stride)
                + ", padding=" + Conv3d.dims(padding) + extraOptions() + ")";
    }
}
