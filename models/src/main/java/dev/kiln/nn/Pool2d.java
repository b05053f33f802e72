package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.function.Supplier;

/**
 * What the window-pooling layers share: kernel, stride, padding and ceil mode, their checks, and errors that
 * name the layer and the input shape. Subclasses say which pooling {@link #pool} applies.
 */
abstract class Pool2d extends Module {
    final int kernel;
    final int stride;
    final int padding;
    final boolean ceilMode;

    /** @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a bad padding */
    Pool2d(int kernel, int stride, int padding, boolean ceilMode) {
        String layer = getClass().getSimpleName();
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(layer + ": kernel and stride must be at least 1 and padding at least 0, got kernel "
                    + kernel + ", stride " + stride + ", padding " + padding);
        }
        if (2 * padding > kernel) {
            throw new IllegalArgumentException(layer + ": padding " + padding + " must be at most half the kernel " + kernel);
        }
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.ceilMode = ceilMode;
    }

    /**
     * A max pooling's dilation, returned when at least 1.
     *
     * @throws IllegalArgumentException naming the layer otherwise
     */
    int checkDilation(int dilation) {
        if (dilation < 1) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": dilation must be at least 1, got "
                    + dilation);
        }
        return dilation;
    }

    public int kernel() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public boolean ceilMode() {
        return ceilMode;
    }

    /** The pooling itself: [batch, channels, height, width] to [batch, channels, outH, outW]. */
    abstract Tensor pool(Tensor x);

    /**
     * [batch, channels, height, width] to [batch, channels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or is
     *     smaller than the window
     */
    @Override
    public Tensor forward(Tensor x) {
        return naming(x, () -> pool(x));
    }

    /** {@code pooling}'s result, its argument errors renamed for this layer and the input's shape. */
    <T> T naming(Tensor x, Supplier<T> pooling) {
        try {
            return pooling.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + ": " + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr} of an average pooling; max pooling adds its dilation and ceil mode. */
    @Override
    protected String extraRepr() {
        return "kernel_size=" + kernel + ", stride=" + stride + ", padding=" + padding;
    }
}
