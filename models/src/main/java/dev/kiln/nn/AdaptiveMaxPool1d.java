package dev.kiln.nn;

/**
 * Adaptive max pooling over one axis, like PyTorch's {@code torch.nn.AdaptiveMaxPool1d(output_size)} without
 * {@code return_indices}: input [batch, channels, length] (or unbatched [channels, length]) to
 * [batch, channels, outputSize] whatever the length, output i the maximum of input positions
 * {@code floor(i * length / outputSize)} to {@code ceil((i + 1) * length / outputSize)}; its gradient goes to the
 * window's first maximum, as in PyTorch. No parameters.
 */
public class AdaptiveMaxPool1d extends AdaptivePool1d {
    /** @throws IllegalArgumentException for an output size below 1 */
    public AdaptiveMaxPool1d(int outputSize) {
        super("AdaptiveMaxPool1d", outputSize);
    }

    @Override
    AdaptivePool2d row(int outputSize) {
        return new AdaptiveMaxPool2d(1, outputSize);
    }
}
