package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling of volumes, like PyTorch's {@code torch.nn.MaxPool3d} without dilation and indices: input
 * [batch, channels, depth, height, width] (or unbatched [channels, depth, height, width]) to
 * [batch, channels, outD, outH, outW] with {@code outD = (depth + 2 padD - kernelD) / strideD + 1} (likewise outH,
 * outW), rounded up in ceil mode. The stride defaults to the kernel; padding never wins a maximum. The gradient goes
 * to the first of tied maxima in (depth, height, width) order, as in PyTorch. Runs as two 2-D max poolings
 * ({@link Pool3d}). No parameters.
 */
public class MaxPool3d extends Pool3d {
    /** Non-overlapping cubic windows: stride {@code kernel}, no padding. */
    public MaxPool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool3d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public MaxPool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false);
    }

    /**
     * Each array one value for all three axes or three (depth, height, width); a null stride is the kernel. With
     * {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output size rounds up: the last window may hang over
     * the far end of an axis, and takes the maximum of what it covers.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, a negative padding or one
     *     above half the kernel
     */
    public MaxPool3d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    @Override
    Tensor pool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return F.maxPool2d(x, kernel, stride, padding, ceilMode);
    }
}
