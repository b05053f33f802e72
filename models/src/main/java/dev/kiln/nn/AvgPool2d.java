package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Average pooling, like PyTorch's {@code torch.nn.AvgPool2d} with {@code count_include_pad = true}: input
 * [batch, channels, height, width] to [batch, channels, outH, outW] with
 * {@code outH = (height + 2 padding - kernel) / stride + 1} (likewise outW). The stride defaults to the
 * kernel; padding counts as zeros. No parameters.
 */
public class AvgPool2d extends Pool2d {
    /** Non-overlapping {@code kernel x kernel} windows: stride {@code kernel}, no padding. */
    public AvgPool2d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool2d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        super(kernel, stride, padding);
    }

    @Override
    Tensor pool(Tensor x) {
        return F.avgPool2d(x, kernel, stride, padding);
    }
}
