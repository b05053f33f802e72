package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Global average pooling, like PyTorch's {@code torch.nn.AdaptiveAvgPool2d(1)}: input
 * [batch, channels, height, width] to [batch, channels, 1, 1], the mean of each channel over height and
 * width. Follow it with {@link Flatten} for a {@link Linear} layer. No parameters.
 */
public class GlobalAvgPool2d extends Module {
    /**
     * [batch, channels, height, width] to [batch, channels, 1, 1].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return F.globalAvgPool2d(x);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("GlobalAvgPool2d: input " + x.shape() + ": " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "GlobalAvgPool2d()";
    }
}
