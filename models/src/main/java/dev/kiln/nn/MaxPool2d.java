package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling, like PyTorch's {@code torch.nn.MaxPool2d}: input [batch, channels, height, width] to
 * [batch, channels, outH, outW] with {@code outH = (height + 2 padding - kernel) / stride + 1}
 * (likewise outW), rounded up in ceil mode. The stride defaults to the kernel; padding never wins a maximum.
 * {@link #forwardWithIndices} also returns where each maximum came from. No parameters.
 */
public class MaxPool2d extends Pool2d {
    /** Non-overlapping {@code kernel x kernel} windows: stride {@code kernel}, no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false);
    }

    /**
     * With {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output size rounds up: the last window may hang
     * over the bottom or right edge, and takes the maximum of what it covers.
     */
    public MaxPool2d(int kernel, int stride, int padding, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
    }

    /**
     * The output and where each maximum came from, as PyTorch's {@code return_indices=True} returns them: indices (I64,
     * the output's shape) hold the maximum's flat position {@code h * width + w} in its channel's input plane, the
     * first maximum in row-major window order where several tie. {@link MaxUnpool2d} takes them.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x) {
        return naming(x, () -> F.maxPool2dWithIndices(x, new int[] {kernel}, new int[] {stride}, new int[] {padding},
                ceilMode));
    }

    @Override
    Tensor pool(Tensor x) {
        return F.maxPool2d(x, kernel, stride, padding, ceilMode);
    }
}
