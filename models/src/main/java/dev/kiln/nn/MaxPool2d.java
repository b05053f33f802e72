package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling, like PyTorch's {@code torch.nn.MaxPool2d}: input [batch, channels, height, width] to
 * [batch, channels, outH, outW] with {@code outH = (height + 2 padding - kernel) / stride + 1}
 * (likewise outW). The stride defaults to the kernel; padding never wins a maximum. No parameters.
 */
public class MaxPool2d extends Module {
    private final int kernel;
    private final int stride;
    private final int padding;

    /** Non-overlapping {@code kernel x kernel} windows: stride {@code kernel}, no padding. */
    public MaxPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    /** @throws IllegalArgumentException naming the layer for a kernel or stride below 1 or a negative padding */
    public MaxPool2d(int kernel, int stride, int padding) {
        Pool2dArgs.check("MaxPool2d", kernel, stride, padding);
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
            return F.maxPool2d(x, kernel, stride, padding);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "MaxPool2d(kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ")";
    }
}
