package dev.kiln.engine;

/**
 * PyTorch's {@code pooling_output_shape}, the number of windows of a pooling along one axis, shared by the poolings'
 * checks so that they accept exactly what PyTorch accepts: {@code floor((size + 2 padding - dilation (kernel - 1) - 1
 * + (ceilMode ? stride - 1 : 0)) / stride) + 1}, less one in ceil mode where the last window would start in the far
 * padding. Below 1 (PyTorch's "Output size is too small") the kernel's span exceeds the padded input, in ceil mode
 * by the stride or more: a ceil-mode window may hang over the padded input by up to {@code stride - 1}.
 */
public final class PoolOutputSize {
    private PoolOutputSize() {
    }

    /**
     * The windows along an axis of {@code size} elements, possibly below 1 (then the pooling is refused); every
     * argument as PyTorch takes it, kernel, stride and dilation at least 1, padding at least 0.
     */
    public static long of(long size, int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        long span = (long) dilation * (kernel - 1) + 1;
        // Floored, not truncated: a kernel past the padded input gives a negative numerator.
        long windows = Math.floorDiv(size + 2L * padding - span + (ceilMode ? stride - 1 : 0), stride) + 1;
        if (ceilMode && (windows - 1) * stride >= size + padding) {
            windows--;
        }
        return windows;
    }
}
