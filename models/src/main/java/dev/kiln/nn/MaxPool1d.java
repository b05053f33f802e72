package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling over one axis, like PyTorch's {@code torch.nn.MaxPool1d} without dilation: input
 * [batch, channels, length] to [batch, channels, outLength] with
 * {@code outLength = (length + 2 padding - kernel) / stride + 1}, rounded up in ceil mode. The stride defaults to the
 * kernel; padding never wins a maximum. {@link #forwardWithIndices} also returns where each maximum came from. No
 * parameters.
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

    /**
     * The output and where each maximum came from, as PyTorch's {@code return_indices=True} returns them: indices (I64,
     * the output's shape [batch, channels, outLength]) hold the maximum's position in its channel's input, the first
     * maximum in the window where several tie. {@link MaxUnpool1d} takes them.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x) {
        return naming(x, () -> {
            checkRow(x);
            F.MaxPoolOutput rows = F.maxPool2dWithIndices(x.unsqueeze(2), new int[] {1, kernel}, new int[] {1, stride},
                    new int[] {0, padding}, ceilMode);
            return new F.MaxPoolOutput(rows.output().squeeze(2), rows.indices().squeeze(2));
        });
    }

    @Override
    Tensor poolRow(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return F.maxPool2d(x, kernel, stride, padding, ceilMode);
    }
}
