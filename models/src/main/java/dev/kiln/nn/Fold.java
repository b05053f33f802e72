package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Columns of sliding local blocks summed back into an image (col2im), like PyTorch's {@code torch.nn.Fold(output_size,
 * kernel_size, dilation, padding, stride)}: input [batch, channels * kernelH * kernelW, L] to [batch, channels,
 * outputH, outputW], overlapping blocks added up and the padding cropped; the adjoint of {@link Unfold} with the same
 * parameters (see {@link F#fold(Tensor, int[], int[], int[], int[], int[])}). {@code fold(unfold(x))} is x times the
 * number of blocks that cover each pixel. No parameters.
 */
public class Fold extends Module {
    private final int[] outputSize;
    private final int[] kernel;
    private final int[] dilation;
    private final int[] padding;
    private final int[] stride;

    /** A square image of square {@code kernel x kernel} blocks, without dilation, padding or stride. */
    public Fold(int outputSize, int kernel) {
        this(outputSize, kernel, 1, 0, 1);
    }

    /** A square image and window with one dilation, padding and stride for both axes. */
    public Fold(int outputSize, int kernel, int dilation, int padding, int stride) {
        this(new int[] {outputSize}, new int[] {kernel}, new int[] {dilation}, new int[] {padding}, new int[] {stride});
    }

    /**
     * The general form; each array holds one value for both axes or two (height, width).
     *
     * @throws IllegalArgumentException naming the layer for an output size, kernel, dilation or stride below 1, a
     *     negative padding, or an array of another length
     */
    public Fold(int[] outputSize, int[] kernel, int[] dilation, int[] padding, int[] stride) {
        this.outputSize = SpatialAxes.TWO.expand("Fold", "output size", outputSize, 1);
        this.kernel = SpatialAxes.TWO.expand("Fold", "kernel", kernel, 1);
        this.dilation = SpatialAxes.TWO.expand("Fold", "dilation", dilation, 1);
        this.padding = SpatialAxes.TWO.expand("Fold", "padding", padding, 0);
        this.stride = SpatialAxes.TWO.expand("Fold", "stride", stride, 1);
    }

    /** (height, width) of the output. */
    public int[] outputSize() {
        return outputSize.clone();
    }

    /** (height, width). */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** (height, width). */
    public int[] dilation() {
        return dilation.clone();
    }

    /** (height, width). */
    public int[] padding() {
        return padding.clone();
    }

    /** (height, width). */
    public int[] stride() {
        return stride.clone();
    }

    /**
     * [batch, channels * kernelH * kernelW, L] to [batch, channels, outputH, outputW].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 3-D, its rows are not a
     *     multiple of {@code kernelH * kernelW}, or L is not the number of blocks in the output
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return F.fold(x, outputSize, kernel, dilation, padding, stride);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr}: {@code output_size=(4, 5), kernel_size=2, dilation=1, padding=0, stride=1}. */
    @Override
    protected String extraRepr() {
        return "output_size=" + PythonRepr.intOrTuple(outputSize) + ", kernel_size=" + PythonRepr.intOrTuple(kernel)
                + ", dilation=" + PythonRepr.intOrTuple(dilation) + ", padding=" + PythonRepr.intOrTuple(padding)
                + ", stride=" + PythonRepr.intOrTuple(stride);
    }
}
