package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * 3-D transposed convolution, like PyTorch's {@code torch.nn.ConvTranspose3d} without groups: the layer that grows
 * volumes back in decoders (a 3-D U-Net's up-sampling path). Input [batch, inChannels, depth, height, width] (or
 * unbatched [inChannels, depth, height, width]), output [batch, outChannels, outD, outH, outW] with
 * {@code outD = (depth - 1) strideD - 2 padD + dilationD (kernelD - 1) + outputPaddingD + 1} (likewise outH, outW):
 * kernel 2 with stride 2 doubles each axis. Weight [inChannels, outChannels, kernelD, kernelH, kernelW] (PyTorch's
 * layout, so state dicts load from PyTorch) and bias [outChannels], initialised as PyTorch does: uniform in
 * +-1/sqrt(fanIn) with {@code fanIn = outChannels * kernelD * kernelH * kernelW} (PyTorch computes the fan from the
 * weight's second axis), for both weight and bias (weight drawn first). It runs as one 2-D transposed convolution of
 * the input's depth slices ({@link F#convTranspose3d}).
 *
 * <p>Output padding must be below the stride or the dilation on each axis, as in PyTorch.
 *
 * <p>{@code ConvTranspose3d.builder(32, 16, 2).stride(2).build()}.
 */
public class ConvTranspose3d extends ConvNd {
    /** A cubic transposed convolution with bias, stride 1, no padding, no dilation. */
    public ConvTranspose3d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, new int[] {kernel}, new int[] {1}, new int[] {0}, new int[] {0}, new int[] {1},
                true);
    }

    /**
     * The general form, PyTorch's {@code ConvTranspose3d(in_channels, out_channels, kernel_size, stride, padding,
     * output_padding, bias=..., dilation=...)}; each array holds one value for all three axes or three (depth,
     * height, width).
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride or dilation, a
     *     negative padding, or an output padding that is negative or below neither the stride nor the dilation
     */
    public ConvTranspose3d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding,
                           int[] outputPadding, int[] dilation, boolean bias) {
        super("ConvTranspose3d", SpatialAxes.THREE, inChannels, outChannels, kernel, stride, padding, outputPadding,
                dilation, bias);
    }

    /** A builder for a cubic transposed convolution; defaults as {@link #ConvTranspose3d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, new int[] {kernel, kernel, kernel});
    }

    /** A builder for a {@code kernelD x kernelH x kernelW} transposed convolution. */
    public static Builder builder(int inChannels, int outChannels, int kernelD, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, new int[] {kernelD, kernelH, kernelW});
    }

    /** Stride, padding, output padding, dilation and bias of a {@link ConvTranspose3d}. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int inChannels, int outChannels, int[] kernel) {
            super("ConvTranspose3d", SpatialAxes.THREE, inChannels, outChannels, kernel);
        }

        public Builder stride(int s) {
            return strides(s);
        }

        public Builder stride(int sd, int sh, int sw) {
            return strides(sd, sh, sw);
        }

        /** Zero padding removed from each side of the full output, on all three axes. */
        public Builder padding(int p) {
            return paddings(p);
        }

        public Builder padding(int pd, int ph, int pw) {
            return paddings(pd, ph, pw);
        }

        /** Slices added at the far end of each axis of the output; below the stride or the dilation. */
        public Builder outputPadding(int p) {
            return outputPaddings(p);
        }

        public Builder outputPadding(int pd, int ph, int pw) {
            return outputPaddings(pd, ph, pw);
        }

        public Builder dilation(int d) {
            return dilations(d);
        }

        public Builder dilation(int dd, int dh, int dw) {
            return dilations(dd, dh, dw);
        }

        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        public ConvTranspose3d build() {
            return new ConvTranspose3d(inChannels, outChannels, kernel, stride, padding, outputPadding, dilation, bias);
        }
    }

    /** [inChannels, outChannels, kernelD, kernelH, kernelW]. */
    public Tensor weight() {
        return param("weight");
    }

    /** (depth, height, width) of the kernel. */
    public int[] kernelSize() {
        return kernel.clone();
    }

    /** (depth, height, width). */
    public int[] stride() {
        return stride.clone();
    }

    /** (depth, height, width): the input-side padding removed from each edge of the output. */
    public int[] padding() {
        return padding.clone();
    }

    /** (depth, height, width): the extra elements added to one side of the output on each axis. */
    public int[] outputPadding() {
        return outputPadding.clone();
    }

    /** (depth, height, width). */
    public int[] dilation() {
        return dilation.clone();
    }

    /**
     * [batch, inChannels, depth, height, width] to [batch, outChannels, outD, outH, outW], or unbatched without the
     * batch axis.
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 4-D or 5-D or its
     *     channels are not {@code inChannels}
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == 4;
        if (!unbatched && x.rank() != 5 || x.dim(unbatched ? 0 : 1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", depth, height, width] or unbatched [" + inChannels() + ", depth, height, width]");
        }
        return naming(x, () -> F.convTranspose3d(x, weight(), bias(), stride, padding, outputPadding, dilation));
    }
}
