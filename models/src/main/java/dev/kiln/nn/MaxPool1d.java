package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling over one axis, like PyTorch's {@code torch.nn.MaxPool1d} without dilation: input
 * [batch, channels, length] to [batch, channels, outLength] with
 * {@code outLength = (length + 2 padding - kernel) / stride + 1}, rounded up in ceil mode. The stride defaults to the
 * kernel; padding never wins a maximum. No parameters.
 */
public class MaxPool1d extends Pool1d {
    /** Non-overlapping windows: stride {@code kernel}, no padding. */
    public MaxPool1d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool1d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public MaxPool1d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false);
    }

    /**
     * With {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output length rounds up: the last window may hang
     * over the end, and takes the maximum of what it covers.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, a negative padding or one
     *     above half the kernel
     */
    public MaxPool1d(int kernel, int stride, int padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    @Override
    Tensor poolRow(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return F.maxPool2d(x, kernel, stride, padding, ceilMode);
    }
}
