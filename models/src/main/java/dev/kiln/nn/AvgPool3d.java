package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Average pooling of volumes, like PyTorch's {@code torch.nn.AvgPool3d} without {@code divisor_override}: input
 * [batch, channels, depth, height, width] (or unbatched [channels, depth, height, width]) to
 * [batch, channels, outD, outH, outW] with {@code outD = (depth + 2 padD - kernelD) / strideD + 1} (likewise outH,
 * outW), rounded up in ceil mode. The stride defaults to the kernel; padding counts as zeros, and by default
 * ({@code count_include_pad=True}) in the divisor too. No parameters.
 *
 * <p>The mean is separable: it runs as the 2-D average pooling of every depth slice over height and width (input
 * [batch, channels * depth, height, width], a free view), then the same pooling over depth windows of what that left
 * (as [batch, channels, depth, outH * outW] with windows one wide), two 2-D pooling ops that every backend has (one
 * where the window is one element wide along depth, or along height and width, as in video networks'
 * {@code AvgPool3d((1, 2, 2))}). Per-axis sizes, padding and ceil mode compose as PyTorch's 3-D windows clip them,
 * and the divisor is the product of the two passes' divisors, as PyTorch's is.
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

    /**
     * Also refuses an input that some axis of the kernel exceeds, padding aside, as PyTorch's {@code avg_pool3d} does
     * (its input-size check, which its 2-D and max poolings lack): so no window reaches past the padded input but for
     * a ceil-mode last one that the stride leaves hanging over.
     */
    @Override
    void checkInput(Tensor x) {
        super.checkInput(x);
        int[] size = {x.dim(-3), x.dim(-2), x.dim(-1)};
        for (int a = 0; a < 3; a++) {
            if (size[a] < kernel[a]) {
                throw new IllegalArgumentException(describe() + ": input " + x.shape() + ": its depth x height x width "
                        + size[0] + "x" + size[1] + "x" + size[2] + " is smaller than the kernel " + kernel[0] + "x"
                        + kernel[1] + "x" + kernel[2] + " along the " + Pool3d.AXES[a] + ", padding aside");
            }
        }
    }

    @Override
    Tensor pool(Tensor x) {
        Tensor planes = windowOfOne(1) && windowOfOne(2) ? x : poolPlanes(x);
        Tensor y = windowOfOne(0) ? planes : poolDepth(planes);
        releaseConsumed(planes, y, x);
        return y;
    }

    /** Each depth slice of x [batch, channels, depth, height, width] pooled over height and width. */
    private Tensor poolPlanes(Tensor x) {
        int[] dims = x.shape().dims();
        Tensor pooled = consume(x.reshape(dims[0], dims[1] * dims[2], dims[3], dims[4]), planes -> pool2d(planes,
                new int[] {kernel[1], kernel[2]}, new int[] {stride[1], stride[2]},
                new int[] {padding[1], padding[2]}));
        return consume(pooled, p -> p.reshape(dims[0], dims[1], dims[2], p.dim(2), p.dim(3)));
    }

    /** x [batch, channels, depth, height, width] pooled over depth windows, one element wide. */
    private Tensor poolDepth(Tensor x) {
        int[] dims = x.shape().dims();
        Tensor pooled = consume(x.reshape(dims[0], dims[1], dims[2], dims[3] * dims[4]), slices -> pool2d(slices,
                new int[] {kernel[0], 1}, new int[] {stride[0], 1}, new int[] {padding[0], 0}));
        return consume(pooled, p -> p.reshape(dims[0], dims[1], p.dim(2), dims[3], dims[4]));
    }

    /** [batch, channels, height, width] to [batch, channels, outH, outW]: arrays (height, width). */
    private Tensor pool2d(Tensor x, int[] kernel, int[] stride, int[] padding) {
        return F.avgPool2d(x, kernel, stride, padding, ceilMode, countIncludePad);
    }

    /** Whether the window along {@code axis} (0 depth, 1 height, 2 width) is one element wide and moves by one. */
    private boolean windowOfOne(int axis) {
        return kernel[axis] == 1 && stride[axis] == 1 && padding[axis] == 0;
    }

    /** Whether the padding counts in each window's divisor (PyTorch's {@code count_include_pad}). */
    public boolean countIncludePad() {
        return countIncludePad;
    }
}
