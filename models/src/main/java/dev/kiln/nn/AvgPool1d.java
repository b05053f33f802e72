package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Average pooling over one axis, like PyTorch's {@code torch.nn.AvgPool1d}: input [batch, channels, length] to
 * [batch, channels, outLength] with {@code outLength = (length + 2 padding - kernel) / stride + 1}, rounded up in
 * ceil mode. The stride defaults to the kernel; padding counts as zeros, and by default
 * ({@code count_include_pad=True}) in the divisor too. No parameters.
 */
public class AvgPool1d extends Pool1d {
    private final boolean countIncludePad;

    /** Non-overlapping windows: stride {@code kernel}, no padding. */
    public AvgPool1d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool1d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public AvgPool1d(int kernel, int stride, int padding) {
        this(kernel, stride, padding, false, true);
    }

    /**
     * With {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output length rounds up: the last window may hang
     * over the end, and what hangs over the padded input never counts. With {@code countIncludePad} false
     * ({@code count_include_pad=False}) each window is the mean of the input elements it covers, padding excluded.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, a negative padding or one
     *     above half the kernel
     */
    public AvgPool1d(int kernel, int stride, int padding, boolean ceilMode, boolean countIncludePad) {
        super(kernel, stride, padding, ceilMode);
        this.countIncludePad = countIncludePad;
    }

    @Override
    Tensor poolLength(Tensor x) {
        return F.avgPool1d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Whether the padding counts in each window's divisor (PyTorch's {@code count_include_pad}). */
    public boolean countIncludePad() {
        return countIncludePad;
    }

    /** PyTorch's {@code extra_repr}: AvgPool1d keeps its sizes as 1-tuples. */
    @Override
    protected String extraRepr() {
        return "kernel_size=" + PythonRepr.tuple(kernel) + ", stride=" + PythonRepr.tuple(stride) + ", padding="
                + PythonRepr.tuple(padding);
    }
}
