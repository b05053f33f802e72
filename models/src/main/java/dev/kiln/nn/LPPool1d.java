package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Power-average pooling over one axis, like PyTorch's {@code torch.nn.LPPool1d(norm_type, kernel_size, stride,
 * ceil_mode)}: input [batch, channels, length] to [batch, channels, outLength] with
 * {@code outLength = (length - kernel) / stride + 1} (rounded up in ceil mode), each window's
 * {@code (sum x^p)^(1/p)}, computed as PyTorch does as {@code (avg_pool(x^p) * kernel)^(1/p)}; a window whose power
 * sum is 0 gets no gradient, as in PyTorch. See {@link LPPool2d}. No parameters.
 */
public class LPPool1d extends Pool1d {
    private final double normType;
    /** False where the stride defaulted to the kernel: PyTorch's {@code stride=None}, which its repr prints. */
    private final boolean strideGiven;

    /** Non-overlapping windows: stride {@code kernel}. */
    public LPPool1d(double normType, int kernel) {
        this(normType, kernel, kernel, false, false);
    }

    public LPPool1d(double normType, int kernel, int stride) {
        this(normType, kernel, stride, false);
    }

    /**
     * With {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output length rounds up: the last window may hang
     * over the end.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, or a norm type that is not
     *     positive and finite
     */
    public LPPool1d(double normType, int kernel, int stride, boolean ceilMode) {
        this(normType, kernel, stride, ceilMode, true);
    }

    private LPPool1d(double normType, int kernel, int stride, boolean ceilMode, boolean strideGiven) {
        super(kernel, stride, 0, ceilMode);
        this.normType = LPPool2d.checkedNormType(getClass().getSimpleName(), normType);
        this.strideGiven = strideGiven;
    }

    public double normType() {
        return normType;
    }

    @Override
    Tensor poolLength(Tensor x) {
        // The 2-D power-average pooling of a height-1 view [batch, channels, 1, length].
        return LPPool2d.pool(x.unsqueeze(2), normType, new int[] {1, kernel}, new int[] {1, stride}, ceilMode)
                .squeeze(2);
    }

    /** PyTorch's {@code extra_repr}: {@code norm_type=2, kernel_size=3, stride=None, ceil_mode=False}. */
    @Override
    protected String extraRepr() {
        return "norm_type=" + PythonRepr.asWritten(normType) + ", kernel_size=" + kernel + ", stride="
                + (strideGiven ? Integer.toString(stride) : "None") + ", ceil_mode=" + PythonRepr.bool(ceilMode);
    }
}
