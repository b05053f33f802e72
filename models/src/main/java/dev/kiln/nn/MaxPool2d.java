package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling, like PyTorch's {@code torch.nn.MaxPool2d}: input [batch, channels, height, width] to
 * [batch, channels, outH, outW] with {@code outH = (height + 2 padding - dilation (kernel - 1) - 1) / stride + 1}
 * (likewise outW), rounded up in ceil mode. The stride defaults to the kernel, the dilation to 1; padding never wins a
 * maximum. {@link #forwardWithIndices} also returns where each maximum came from. No parameters.
 */
public class MaxPool2d extends Pool2d {
    private final int dilation;

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
        this(kernel, stride, padding, 1, ceilMode);
    }

    /**
     * As {@link #MaxPool2d(int, int, int, boolean)} with PyTorch's {@code dilation}: window (oh, ow) takes the pixels
     * {@code (oh stride - padding + i dilation, ow stride - padding + j dilation)}, i and j below the kernel. See
     * {@link F#maxPool2d(Tensor, int[], int[], int[], int[], boolean)}.
     *
     * @throws IllegalArgumentException naming the layer for a kernel, stride or dilation below 1, a negative padding
     *     or one above half the kernel
     */
    public MaxPool2d(int kernel, int stride, int padding, int dilation, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
        this.dilation = checkDilation(dilation);
    }

    /** The spacing of a window's elements along each pooled axis: 1 for adjacent elements. */
    public int dilation() {
        return dilation;
    }

    /**
     * The output and where each maximum came from, as PyTorch's {@code return_indices=True} returns them: indices (I64,
     * the output's shape) hold the maximum's flat position {@code h * width + w} in its channel's input plane, the
     * first maximum in row-major window order where several tie. {@link MaxUnpool2d} takes them; after a dilated
     * pooling, with the pooling's input size as its output size (see {@link F#maxPool2dWithIndices(Tensor, int[],
     * int[], int[], int[], boolean)}).
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x) {
        return naming(x, () -> F.maxPool2dWithIndices(x, new int[] {kernel}, new int[] {stride}, new int[] {padding},
                new int[] {dilation}, ceilMode));
    }

    @Override
    Tensor pool(Tensor x) {
        return F.maxPool2d(x, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {dilation},
                ceilMode);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", dilation=" + dilation + ", ceil_mode=" + PythonRepr.bool(ceilMode);
    }
}
