package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Power-average pooling, like PyTorch's {@code torch.nn.LPPool2d(norm_type, kernel_size, stride, ceil_mode)}: input
 * [batch, channels, height, width] to [batch, channels, outH, outW] (sizes as {@link AvgPool2d}'s without padding),
 * each window's {@code (sum x^p)^(1/p)}: p = 1 is sum pooling, large p nears max pooling. Computed as PyTorch does, as
 * {@code (avg_pool(x^p) * kernel^2)^(1/p)}: in ceil mode a window that hangs over the edge takes its mean times the
 * whole kernel's size, and {@code x^p} of a negative x with a fractional p is NaN. A window whose power sum is 0 gets
 * no gradient, as in PyTorch (whose formula passes it through {@code sign(s) * relu(|s|)}), where
 * {@code s^(1/p)}'s would be infinite. No parameters.
 */
public class LPPool2d extends Pool2d {
    private final double normType;
    /** False where the stride defaulted to the kernel: PyTorch's {@code stride=None}, which its repr prints. */
    private final boolean strideGiven;

    /** Non-overlapping {@code kernel x kernel} windows: stride {@code kernel}. */
    public LPPool2d(double normType, int kernel) {
        this(normType, kernel, kernel, false, false);
    }

    public LPPool2d(double normType, int kernel, int stride) {
        this(normType, kernel, stride, false);
    }

    /**
     * With {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output size rounds up: the last window may hang over
     * the bottom or right edge.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, or a norm type that is not
     *     positive and finite
     */
    public LPPool2d(double normType, int kernel, int stride, boolean ceilMode) {
        this(normType, kernel, stride, ceilMode, true);
    }

    private LPPool2d(double normType, int kernel, int stride, boolean ceilMode, boolean strideGiven) {
        super(kernel, stride, 0, ceilMode);
        this.normType = checkedNormType(getClass().getSimpleName(), normType);
        this.strideGiven = strideGiven;
    }

    /** {@code p}, refused with the layer's name unless positive and finite. */
    static double checkedNormType(String layer, double p) {
        if (!(p > 0) || Double.isInfinite(p)) {
            throw new IllegalArgumentException(layer + ": norm type must be positive and finite, got " + p);
        }
        return p;
    }

    public double normType() {
        return normType;
    }

    @Override
    Tensor pool(Tensor x) {
        return pool(x, normType, new int[] {kernel, kernel}, new int[] {stride, stride}, ceilMode);
    }

    /**
     * PyTorch's {@code lp_pool2d}: {@code (avg_pool2d(x^p) * kernelH kernelW)^(1/p)}, with no gradient where the
     * average is 0.
     */
    static Tensor pool(Tensor x, double p, int[] kernel, int[] stride, boolean ceilMode) {
        Tensor powered = x.pow(p);
        Tensor mean = Module.consume(powered, t -> F.avgPool2d(t, kernel, stride, new int[] {0, 0}, ceilMode, true));
        // sign(s) * relu(|s|) in PyTorch: s itself, but its zeros pass no gradient back from s^(1/p)'s infinite one.
        Tensor zero = mean.eq(0);
        Tensor filled = Module.consume(mean, m -> m.maskedFill(zero, 0));
        Module.releaseConsumed(zero, filled);
        Tensor sum = Module.consume(filled, s -> s.mul(kernel[0] * kernel[1]));
        return Module.consume(sum, s -> s.pow(1 / p));
    }

    /** PyTorch's {@code extra_repr}: {@code norm_type=2, kernel_size=3, stride=None, ceil_mode=False}. */
    @Override
    protected String extraRepr() {
        return "norm_type=" + PythonRepr.asWritten(normType) + ", kernel_size=" + kernel + ", stride="
                + (strideGiven ? Integer.toString(stride) : "None") + ", ceil_mode=" + PythonRepr.bool(ceilMode);
    }
}
