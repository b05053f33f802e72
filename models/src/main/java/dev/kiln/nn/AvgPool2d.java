package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Average pooling, like PyTorch's {@code torch.nn.AvgPool2d} with {@code count_include_pad = true}: input
 * [batch, channels, height, width] to [batch, channels, outH, outW] with
 * {@code outH = (height + 2 padding - kernel) / stride + 1} (likewise outW). The stride defaults to the
 * kernel; padding counts as zeros. No parameters.
 */
public class AvgPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** Non-overlapping {@code kernel x kernel} windows: stride {@code kernel}, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    /** @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a negative padding */
    public AvgPool2d(int kernel, int stride, int padding) {
        Pool2dArgs.check("AvgPool2d", kernel, stride, padding);
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
    }

    /**
     * [batch, channels, height, width] to [batch, channels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or is
     *     smaller than the window
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return F.avgPool2d(x, kernel, stride, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "AvgPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ")";
    }
}
