package dev.kiln.engine;

/**
 * The depth axis of a 3-D convolution, which {@link Convolution3d} and {@link TransposedConvolution3d} run as 2-D
 * convolutions of depth slices. A volume [batch, channels, depth, height, width] is, without a copy, the rows
 * [batch * channels * depth, height * width], each row one channel's slice at one depth. Tap t of the kernel
 * (depth {@code kernel}) at position o of the other side (depth {@code positions}) meets the slice at depth
 * {@code o * stride + t * dilation - padding} of this side (depth {@code depth}), or the padding.
 * {@link #rows} lists those rows in the order (sample, position, channel, tap), so that the rows it selects are the
 * 2-D images [batch * positions, channels * kernel, height, width] whose channel c * kernel + t holds tap t of
 * channel c: what a weight [.., channels, kernel, kernelH, kernelW] read as [.., channels * kernel, kernelH,
 * kernelW] (a free view) convolves. A tap in the padding lists the row one past the last, which the caller makes
 * zero (a convolution's input) or discards (a transposed convolution's output).
 */
record DepthTaps(int depth, int kernel, int stride, int padding, int dilation, int positions) {

    /** The depth that tap t meets at position o; outside [0, depth) in the padding. */
    int source(int o, int t) {
        return o * stride + t * dilation - padding;
    }

    /** Whether some tap meets the padding, so that {@link #rows} lists the row past the last. */
    boolean reachesPadding() {
        return source(0, 0) < 0 || source(positions - 1, kernel - 1) >= depth;
    }

    /** The rows, (sample, position, channel, tap) in row-major order, of a volume with these batch and channels. */
    long[] rows(String op, int batch, int channels) {
        long volume = (long) batch * channels * depth;
        long[] rows = new long[Checks.dimension(op, "the selected depth slices",
                (long) batch * positions * channels * kernel)];
        int k = 0;
        for (int n = 0; n < batch; n++) {
            for (int o = 0; o < positions; o++) {
                for (int c = 0; c < channels; c++) {
                    long first = ((long) n * channels + c) * depth;
                    for (int t = 0; t < kernel; t++) {
                        int z = source(o, t);
                        rows[k++] = z >= 0 && z < depth ? first + z : volume;
                    }
                }
            }
        }
        return rows;
    }
}
