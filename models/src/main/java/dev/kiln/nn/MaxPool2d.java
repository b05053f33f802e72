package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling, like PyTorch's {@code torch.nn.MaxPool2d}: input [batch, channels, height, width] to
 * [batch, channels, outH, outW] with {@code outH = (height + 2 padding - kernel) / stride + 1}
 * (likewise outW). The stride defaults to the kernel; padding never wins a maximum. No parameters.
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
        super(kernel, stride, padding);
    }

    @Override
    Tensor pool(Tensor x) {
        return F.maxPool2d(x, kernel, stride, padding);
    }
}
