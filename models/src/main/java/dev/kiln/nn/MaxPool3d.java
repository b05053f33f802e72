package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Max pooling of volumes, like PyTorch's {@code torch.nn.MaxPool3d}: input [batch, channels, depth, height, width] (or
 * unbatched [channels, depth, height, width]) to [batch, channels, outD, outH, outW] with
 * {@code outD = (depth + 2 padD - dilationD (kernelD - 1) - 1) / strideD + 1} (likewise outH, outW), rounded up in
 * ceil mode. The stride defaults to the kernel, the dilation to 1; padding never wins a maximum. The gradient goes to
 * the first of tied maxima in (depth, height, width) order, as in PyTorch. {@link #forwardWithIndices} also returns
 * where each maximum came from. See {@link F#maxPool3d}. No parameters.
 */
public class MaxPool3d extends Pool3d {
    private final int[] dilation;

    /** Non-overlapping cubic windows: stride {@code kernel}, no padding. */
    public MaxPool3d(int kernel) {
        this(kernel, kernel, 0);
    }

    public MaxPool3d(int kernel, int stride) {
        this(kernel, stride, 0);
    }

    public MaxPool3d(int kernel, int stride, int padding) {
        this(new int[] {kernel}, new int[] {stride}, new int[] {padding}, false);
    }

    /**
     * Each array one value for all three axes or three (depth, height, width); a null stride is the kernel. With
     * {@code ceilMode} (PyTorch's {@code ceil_mode=True}) the output size rounds up: the last window may hang over
     * the far end of an axis, and takes the maximum of what it covers.
     *
     * @throws IllegalArgumentException naming the layer for a kernel or stride below 1, a negative padding or one
     *     above half the kernel
     */
    public MaxPool3d(int[] kernel, int[] stride, int[] padding, boolean ceilMode) {
        this(kernel, stride, padding, new int[] {1}, ceilMode);
    }

    /**
     * As {@link #MaxPool3d(int[], int[], int[], boolean)} with PyTorch's {@code dilation}, one value or three (depth,
     * height, width): window o of an axis takes the elements {@code o * stride - padding + t * dilation}, t below the
     * kernel.
     *
     * @throws IllegalArgumentException naming the layer for a kernel, stride or dilation below 1, a negative padding
     *     or one above half the kernel
     */
    public MaxPool3d(int[] kernel, int[] stride, int[] padding, int[] dilation, boolean ceilMode) {
        super(kernel, stride, padding, ceilMode);
        this.dilation = SpatialAxes.THREE.expand(getClass().getSimpleName(), "dilation", dilation, 1);
    }

    /** (depth, height, width). */
    public int[] dilation() {
        return dilation.clone();
    }

    @Override
    int axisDilation(int axis) {
        return dilation[axis];
    }

    /**
     * The output and where each maximum came from, as PyTorch's {@code return_indices=True} returns them: indices (I64,
     * the output's shape) hold the maximum's flat position {@code (d * height + h) * width + w} in its channel's input
     * volume, the first maximum in (depth, height, width) order where several tie. {@link MaxUnpool3d} takes them.
     *
     * @throws IllegalArgumentException as {@link #forward}
     */
    public F.MaxPoolOutput forwardWithIndices(Tensor x) {
        checkInput(x);
        if (x.rank() == 5) {
            return naming(x, () -> F.maxPool3dWithIndices(x, kernel, stride, padding, dilation, ceilMode));
        }
        F.MaxPoolOutput batch = naming(x, () -> F.maxPool3dWithIndices(x.unsqueeze(0), kernel, stride, padding,
                dilation, ceilMode));
        return new F.MaxPoolOutput(batch.output().squeeze(0), batch.indices().squeeze(0));
    }

    @Override
    Tensor pool(Tensor x) {
        return F.maxPool3d(x, kernel, stride, padding, dilation, ceilMode);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return super.extraRepr() + ", dilation=" + PythonRepr.intOrTuple(dilation) + ", ceil_mode="
                + PythonRepr.bool(ceilMode);
    }
}
