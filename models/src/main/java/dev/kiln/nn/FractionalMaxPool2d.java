package dev.kiln.nn;

/**
 * Fractional max pooling, like PyTorch's {@code torch.nn.FractionalMaxPool2d(kernel_size, output_size | output_ratio)}:
 * input [batch, channels, height, width] (or unbatched [channels, height, width]) to [batch, channels, outH, outW],
 * each output the maximum of a {@code kernelH x kernelW} window whose place is pseudo-random: each channel of each
 * example draws two samples u in [0, 1) ({@code [batch, channels, 2]}, PyTorch's {@code _random_samples}: the first
 * moves the windows along the width, the second along the height), and window i along an axis starts at
 * {@code floor((i + u) alpha) - floor(u alpha)}, {@code alpha = (in - kernel) / (out - 1)}, the last one ending at the
 * input's edge. Given the same samples, outputs and indices equal PyTorch's. The output size is given, or is
 * {@code floor(input size * ratio)}; {@code out + kernel - 1} must not exceed the input. {@code forward(x)} draws the
 * samples from the engine's seeded stream in every mode, as PyTorch does; {@code forward(x, samples)} takes them.
 * {@link #forwardWithIndices(dev.kiln.engine.Tensor)} also returns where each maximum came from ({@code h * width + w}
 * in its channel's plane), as {@code return_indices=True}. No parameters.
 */
public class FractionalMaxPool2d extends FractionalMaxPool {
    /** PyTorch's kernel reads a plane's sample 1 for its rows and sample 0 for its columns. */
    private static final int[] SAMPLE_ORDER = {1, 0};

    private FractionalMaxPool2d(int[] kernel, int[] outputSize, double[] outputRatio) {
        super(SAMPLE_ORDER, kernel, outputSize, outputRatio);
    }

    /** Square {@code kernel x kernel} windows pooling to a square {@code outputSize x outputSize} output. */
    public static FractionalMaxPool2d withOutputSize(int kernel, int outputSize) {
        return withOutputSize(new int[] {kernel, kernel}, new int[] {outputSize, outputSize});
    }

    /**
     * {@code kernel} and {@code outputSize} as (height, width).
     *
     * @throws IllegalArgumentException naming the layer for sizes below 1 or not two of each
     */
    public static FractionalMaxPool2d withOutputSize(int[] kernel, int[] outputSize) {
        return new FractionalMaxPool2d(kernel, outputSize, null);
    }

    /** Square {@code kernel x kernel} windows; the output's height and width are the input's times {@code ratio}. */
    public static FractionalMaxPool2d withOutputRatio(int kernel, double ratio) {
        return withOutputRatio(new int[] {kernel, kernel}, new double[] {ratio, ratio});
    }

    /**
     * {@code kernel} and {@code ratio} as (height, width); output size {@code floor(input size * ratio)}.
     *
     * @throws IllegalArgumentException naming the layer for a kernel below 1, a ratio outside (0, 1), or not two of
     *     each
     */
    public static FractionalMaxPool2d withOutputRatio(int[] kernel, double[] ratio) {
        return new FractionalMaxPool2d(kernel, null, ratio);
    }
}
