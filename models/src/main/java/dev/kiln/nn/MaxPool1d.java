package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling over one axis, like PyTorch's {@code torch.nn.MaxPool1d}: input [batch, channels, length] to
 * [batch, channels, outLength] with {@code outLength = (length + 2 padding - dilation (kernel - 1) - 1) / stride + 1},
 * rounded up in ceil mode. The stride defaults to the kernel, the dilation to 1; padding never wins a maximum.
 * {@link #forwardWithIndices} also returns where each maximum came from. No parameters.
 */
public class MaxPool1d extends Pool1d {
    private final int dilation;

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
        this(kernel, stride, padding, 1, ceilMode);
    }

    /**
     * As {@link #MaxPool1d(int, int, int, boolean)} with PyTorch's {@code dilation}: window o takes the elements
     * {@code o stride - padding + t dilation}, t below the kernel.
     *
     * @throws IllegalArgumentException naming the layer for a kernel, stride or dilation below 1, a negative padding
     *     or one above half the kernel
     */
    public MaxPool1d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
        this.dilation = checkDilation(dilation);
    }

    /** The spacing of a window's elements along each pooled axis: 1 for adjacent elements. */
    public int dilation() {
        return dilation;
    }

    /**
     * The output and where each maximum came from, as PyTorch's {@code return_indices=True} returns them: indices (I64,
     * the output's shape [batch, channels, outLength]) hold the maximum's position in its channel's input, the first
     * maximum in the window where several tie. {@link MaxUnpool1d} takes them; after a dilated pooling, with the
     * pooling's input length as its output length (see {@link F#maxPool2dWithIndices(Tensor, int[], int[], int[],
     * int[], boolean)}).
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x) {
        return naming(x, () -> {
            checkRow(x, false);
            return F.maxPool1dWithIndices(x, kernel, stride, padding, dilation, ceilMode);
        });
    }

    @Override
    int rowDilation() {
        return dilation;
    }

    /**
     * {@code F.maxPool1d} decides: as PyTorch 1.13's {@code max_pool1d}, an empty output where no window fits, unless
     * the input records a gradient.
     */
    @Override
    boolean leavesNoWindowsToThePooling() {
        return true;
    }

    @Override
    Tensor poolLength(Tensor x) {
        return F.maxPool1d(x, kernel, stride, padding, dilation, ceilMode);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", dilation=" + dilation + ", ceil_mode=" + PythonRepr.bool(ceilMode);
    }
}
