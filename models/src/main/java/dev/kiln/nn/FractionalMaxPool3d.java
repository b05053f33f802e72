package dev.kiln.nn;

/**
 * Fractional max pooling of volumes, like PyTorch's
 * {@code torch.nn.FractionalMaxPool3d(kernel_size, output_size | output_ratio)}: input
 * [batch, channels, depth, height, width] (or unbatched [channels, depth, height, width]) to
 * [batch, channels, outD, outH, outW], each output the maximum of a {@code kernelD x kernelH x kernelW} window placed
 * as in {@link FractionalMaxPool2d}, from three samples per channel of each example ({@code [batch, channels, 3]},
 * PyTorch's {@code _random_samples}, in the order depth, height, width). Given the same samples, outputs and indices
 * ({@code (d * height + h) * width + w} in the channel's volume) equal PyTorch's. No parameters.
 */
public class FractionalMaxPool3d extends FractionalMaxPool {
    /** PyTorch's 3-D kernel reads a volume's samples in the axes' order. */
    private static final int[] SAMPLE_ORDER = {0, 1, 2};

    private FractionalMaxPool3d(int[] kernel, int[] outputSize, double[] outputRatio) {
        super(SAMPLE_ORDER, kernel, outputSize, outputRatio);
    }

    /** Cubic {@code kernel^3} windows pooling to a cubic {@code outputSize^3} output. */
    public static FractionalMaxPool3d withOutputSize(int kernel, int outputSize) {
        return withOutputSize(new int[] {kernel, kernel, kernel}, new int[] {outputSize, outputSize, outputSize});
    }

    /**
     * {@code kernel} and {@code outputSize} as (depth, height, width).
     *
     * @throws IllegalArgumentException naming the layer for sizes below 1 or not three of each
     */
    public static FractionalMaxPool3d withOutputSize(int[] kernel, int[] outputSize) {
        return new FractionalMaxPool3d(kernel, outputSize, null);
    }

    /** Cubic {@code kernel^3} windows; each output size is the input's times {@code ratio}, rounded down. */
    public static FractionalMaxPool3d withOutputRatio(int kernel, double ratio) {
        return withOutputRatio(new int[] {kernel, kernel, kernel}, new double[] {ratio, ratio, ratio});
    }

    /**
     * {@code kernel} and {@code ratio} as (depth, height, width).
     *
     * @throws IllegalArgumentException naming the layer for a kernel below 1, a ratio outside (0, 1), or not three of
     *     each
     */
    public static FractionalMaxPool3d withOutputRatio(int[] kernel, double[] ratio) {
        return new FractionalMaxPool3d(kernel, null, ratio);
    }
}
