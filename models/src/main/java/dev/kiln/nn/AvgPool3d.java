package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Average pooling of volumes, like PyTorch's {@code torch.nn.AvgPool3d} without {@code divisor_override}: input
 * [batch, channels, depth, height, width] (or unbatched [channels, depth, height, width]) to
 * [batch, channels, outD, outH, outW] with {@code outD = (depth + 2 padD - kernelD) / strideD + 1} (likewise outH,
 * outW), rounded up in ceil mode. The stride defaults to the kernel; padding counts as zeros, and by default
 * ({@code count_include_pad=True}) in the divisor too. Runs as two 2-D average poolings ({@link Pool3d}). No
 * parameters.
 */
public class AvgPool3d extends Pool3d {
    private final boolean countIncludePad;

    /** Non-overlapping cubic windows: stride {@code kernel}, no padding. */
    public AvgPool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    public AvgPool3d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public AvgPool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false, true);
    }

    /**
     * Each array one value for all three axes or three (depth, height, width); a null stride is the kernel. With
     * {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output size rounds up: the last window may hang over
     * the far end of an axis, and what hangs over the padded input never counts. With {@code countIncludePad} false
     * ({@code count_include_pad=False}) each window is the mean of the input elements it covers, padding excluded.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, a negative padding or one
     *     above half the kernel
     */
    public AvgPool3d(int[] kernel, int[] stride, int[] padding, boolean ceilMode, boolean countIncludePad) {
        super(kernel, stride, padding, ceilMode);
        this.countIncludePad = countIncludePad;
    }

    @Override
    Tensor pool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return F.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    @Override
    String extraOptions() {
        return super.extraOptions() + (countIncludePad ? "" : ", count_include_pad=False");
    }
}
