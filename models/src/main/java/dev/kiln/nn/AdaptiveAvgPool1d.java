package dev.kiln.nn;

/**
 * Adaptive average pooling over one axis, like PyTorch's {@code torch.nn.AdaptiveAvgPool1d(output_size)}: input
 * [batch, channels, length] (or unbatched [channels, length]) to [batch, channels, outputSize] whatever the length,
 * output i the mean of input positions {@code floor(i * length / outputSize)} to
 * {@code ceil((i + 1) * length / outputSize)}, windows that may differ in size and overlap by one. No parameters.
 */
public class AdaptiveAvgPool1d extends AdaptivePool1d {
    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveAvgPool1d(int outputSize) {
        super("AdaptiveAvgPool1d", outputSize);
    }

    @Override
    AdaptivePool2d row(int outputSize) {
        return new AdaptiveAvgPool2d(1, outputSize);
    }
}
