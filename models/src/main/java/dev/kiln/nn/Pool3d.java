package dev.kiln.nn;

import dev.kiln.engine.PoolOutputSize;
import dev.kiln.engine.Tensor;
import java.util.function.Supplier;

/**
 * What the window-pooling layers of volumes share: kernel, stride and padding per axis (depth, height, width), ceil
 * mode, their checks, errors that name the layer and the input shape, and unbatched inputs. Subclasses say which
 * pooling {@link #pool} applies to a batch.
 */
abstract class Pool3d extends Module {
    static final String[] AXES = {"depth", "height", "width"};

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
        this.kernel = SpatialAxes.THREE.expand(layer, "kernel", kernel, 1);
        this.stride = stride == null ? this.kernel.clone() : SpatialAxes.THREE.expand(layer, "stride", stride, 1);
        this.padding = SpatialAxes.THREE.expand(layer, "padding", padding, 0);
        for (int a = 0; a < 3; a++) {
            if (2 * this.padding[a] > this.kernel[a]) {
                throw new IllegalArgumentException(layer + ": padding " + SpatialAxes.THREE.dims(this.padding)
                        + " must be at most half the kernel " + SpatialAxes.THREE.dims(this.kernel) + " on each axis");
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

    /** The pooling of a batch: [batch, channels, depth, height, width] to [batch, channels, outD, outH, outW]. */
    abstract Tensor pool(Tensor x);

    /** The dilation along {@code axis} (0 depth, 1 height, 2 width): 1 but for a dilated max pooling. */
    int axisDilation(int axis) {
        return 1;
    }

    /**
     * [batch, channels, depth, height, width] to [batch, channels, outD, outH, outW], or unbatched [channels, depth,
     * height, width] to [channels, outD, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or 5-D or is
     *     smaller than the window on some axis
     */
    @Override
    public Tensor forward(Tensor x) {
        checkInput(x);
        boolean unbatched = x.rank() == 4;
        Tensor y = naming(x, () -> pool(unbatched ? x.unsqueeze(0) : x));
        return unbatched ? consume(y, t -> t.squeeze(0)) : y;
    }

    /**
     * Refuses an input that is not 4-D or 5-D or that some window's span exceeds along an axis, padding included (in
     * ceil mode by the stride or more: PyTorch's rule, {@link PoolOutputSize}).
     */
    void checkInput(Tensor x) {
        if (x.rank() != 4 && x.rank() != 5) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape()
                    + " must be [batch, channels, depth, height, width] or unbatched [channels, depth, height, width]");
        }
        for (int a = 0; a < 3; a++) {
            int size = x.dim(a - 3);
            long span = (long) axisDilation(a) * (kernel[a] - 1) + 1;
            if (PoolOutputSize.of(size, kernel[a], stride[a], padding[a], axisDilation(a), ceilMode) < 1) {
                String window = axisDilation(a) == 1 ? "the kernel " + kernel[a] + " is larger than"
                        : "the kernel " + kernel[a] + " with dilation " + axisDilation(a) + " spans " + span
                                + ", more than";
                throw new IllegalArgumentException(describe() + ": input " + x.shape() + ": " + window + " the " + AXES[a]
                        + " " + size + " padded by " + padding[a] + " on each side"
                        + (ceilMode ? " by the stride " + stride[a] + " or more" : ""));
            }
        }
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
        return "kernel_size=" + PythonRepr.intOrTuple(kernel) + ", stride=" + PythonRepr.intOrTuple(stride)
                + ", padding=" + PythonRepr.intOrTuple(padding);
    }
}
