package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * 2-D transposed convolution, like PyTorch's {@code torch.nn.ConvTranspose2d} without groups: the layer that
 * grows images back in decoders. Input [batch, inChannels, height, width], output
 * [batch, outChannels, outH, outW] with
 * {@code outH = (height - 1) strideH - 2 padH + dilationH (kernelH - 1) + outputPaddingH + 1} (likewise outW): a
 * 3x3 kernel with stride 2, padding 1 and output padding 1 doubles height and width. Weight
 * [inChannels, outChannels, kernelH, kernelW] (PyTorch's layout, so state dicts load from PyTorch) and bias
 * [outChannels], initialised as PyTorch does: uniform in +-1/sqrt(fanIn) with
 * {@code fanIn = outChannels * kernelH * kernelW} (PyTorch computes the fan from the weight's second axis), for
 * both weight and bias (weight drawn first).
 *
 * <p>Output padding must be below the stride or the dilation on each axis, as in PyTorch.
 *
 * <p>{@code ConvTranspose2d.builder(32, 16, 3).stride(2).padding(1).outputPadding(1).build()}.
 */
public class ConvTranspose2d extends ConvNd {
    /** A square {@code kernel x kernel} transposed convolution with bias, stride 1, no padding, no dilation. */
    public ConvTranspose2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, new int[] {kernel, kernel}, new int[] {1, 1}, new int[] {0, 0}, new int[] {0, 0},
                new int[] {1, 1}, true);
    }

    /**
     * The general form; each array holds (height, width).
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride or dilation, a
     *     negative padding, or an output padding that is negative or below neither the stride nor the dilation
     */
    public ConvTranspose2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding,
                           int[] outputPadding, int[] dilation, boolean bias) {
        super("ConvTranspose2d", SpatialAxes.TWO, inChannels, outChannels, kernel, stride, padding, outputPadding,
                dilation, bias);
    }

    /** A builder for a square {@code kernel x kernel} transposed convolution; defaults as {@link #ConvTranspose2d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, new int[] {kernel, kernel});
    }

    /** Stride, padding, output padding, dilation and bias of a {@link ConvTranspose2d}. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int inChannels, int outChannels, int[] kernel) {
            super("ConvTranspose2d", SpatialAxes.TWO, inChannels, outChannels, kernel);
        }

        public Builder stride(int s) {
            return strides(s);
        }

        /** Zero padding removed from each side of the full output, on both axes. */
        public Builder padding(int p) {
            return paddings(p);
        }

        /** Rows and columns added to the bottom and right of the output; below the stride or the dilation. */
        public Builder outputPadding(int p) {
            return outputPaddings(p);
        }

        public Builder dilation(int d) {
            return dilations(d);
        }

        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        public ConvTranspose2d build() {
            return new ConvTranspose2d(inChannels, outChannels, kernel, stride, padding, outputPadding, dilation, bias);
        }
    }

    /** [inChannels, outChannels, kernelH, kernelW]. */
    public Tensor weight() {
        return param("weight");
    }

    /**
     * [batch, inChannels, height, width] to [batch, outChannels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 4-D or its
     *     channels are not {@code inChannels}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", height, width]");
        }
        return naming(x, () -> F.convTranspose2d(x, weight(), bias(), stride, padding, outputPadding, dilation));
    }

    /** (height, width) of the kernel. */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** (height, width). */
    public int[] stride() {
        return stride.clone();
    }

    /** (height, width): the input-side padding removed from each edge of the output. */
    public int[] padding() {
        return padding.clone();
    }

    /** (height, width): the extra rows and columns added to one side of the output. */
    public int[] outputPadding() {
        return outputPadding.clone();
    }

    /** (height, width). */
    public int[] dilation() {
        return dilation.clone();
    }
}
