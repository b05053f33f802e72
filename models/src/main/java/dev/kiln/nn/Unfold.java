package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * The sliding local blocks of an image as columns (im2col), like PyTorch's {@code torch.nn.Unfold(kernel_size,
 * dilation, padding, stride)}: input [batch, channels, height, width] to [batch, channels * kernelH * kernelW, L],
 * where L counts the positions of the window ({@link F#unfold(Tensor, int[], int[], int[], int[])} gives the sizes
 * and the order of the rows). A convolution's weight reshaped to [outChannels, channels * kernelH * kernelW] times
 * these columns is the convolution. No parameters.
 */
public class Unfold extends Module {
    private final int[] kernel;
    private final int[] dilation;
    private final int[] padding;
    private final int[] stride;

    /** A square {@code kernel x kernel} window, dilation 1, no padding, stride 1. */
    public Unfold(int kernel) {
        this(kernel, 1, 0, 1);
    }

    /** A square window with one dilation, padding (zeros) and stride for both axes. */
    public Unfold(int kernel, int dilation, int padding, int stride) {
        this(new int[] {kernel}, new int[] {dilation}, new int[] {padding}, new int[] {stride});
    }

    /**
     * The general form; each array holds one value for both axes or two (height, width).
     *
     * @throws IllegalArgumentException naming the layer for a kernel, dilation or stride below 1, a negative padding,
     *     or an array of another length
     */
    public Unfold(int[] kernel, int[] dilation, int[] padding, int[] stride) {
        this.kernel = SpatialAxes.TWO.expand("Unfold", "kernel", kernel, 1);
        this.dilation = SpatialAxes.TWO.expand("Unfold", "dilation", dilation, 1);
        this.padding = SpatialAxes.TWO.expand("Unfold", "padding", padding, 0);
        this.stride = SpatialAxes.TWO.expand("Unfold", "stride", stride, 1);
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
     * [batch, channels, height, width] to [batch, channels * kernelH * kernelW, L].
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it is not 4-D or the window is larger
     *     than the padded input
     */
    @Override
    public Tensor forward(Tensor x) {
        try {
            return F.unfold(x, kernel, dilation, padding, stride);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": " + e.getMessage(), e);
        }
    }

    /** PyTorch's {@code extra_repr}: {@code kernel_size=2, dilation=1, padding=1, stride=2}. */
    @Override
    protected String extraRepr() {
        return "kernel_size=" + PythonRepr.intOrTuple(kernel) + ", dilation=" + PythonRepr.intOrTuple(dilation)
                + ", padding=" + PythonRepr.intOrTuple(padding) + ", stride=" + PythonRepr.intOrTuple(stride);
    }
}
