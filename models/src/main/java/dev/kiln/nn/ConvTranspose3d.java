package dev.kiln.nn;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

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
public class ConvTranspose3d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;

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
        String name = "ConvTranspose3d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel)
                + ")";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(name + ": channels must be positive");
        }
        this.kernel = Conv3d.triple(name, "kernel", kernel, 1);
        this.stride = Conv3d.triple(name, "stride", stride, 1);
        this.padding = Conv3d.triple(name, "padding", padding, 0);
        this.outputPadding = Conv3d.triple(name, "output padding", outputPadding, 0);
        this.dilation = Conv3d.triple(name, "dilation", dilation, 1);
        Conv2dGeometry.checkOutputPadding(name, this.outputPadding, this.stride, this.dilation);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        int[] k = this.kernel;
        double bound = 1 / Math.sqrt((double) outChannels * k[0] * k[1] * k[2]);
        registerParameter("weight",
                unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, inChannels, outChannels, k[0], k[1], k[2])));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
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
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1, 1};
        private int[] padding = {0, 0, 0};
        private int[] outputPadding = {0, 0, 0};
        private int[] dilation = {1, 1, 1};
        private boolean bias = true;

        private Builder(int inChannels, int outChannels, int[] kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel;
        }

        public Builder stride(int s) {
            return stride(s, s, s);
        }

        public Builder stride(int sd, int sh, int sw) {
            stride = new int[] {sd, sh, sw};
            return this;
        }

        /** Zero padding removed from each side of the full output, on all three axes. */
        public Builder padding(int p) {
            return padding(p, p, p);
        }

        public Builder padding(int pd, int ph, int pw) {
            padding = new int[] {pd, ph, pw};
            return this;
        }

        /** Slices added at the far end of each axis of the output; below the stride or the dilation. */
        public Builder outputPadding(int p) {
            return outputPadding(p, p, p);
        }

        public Builder outputPadding(int pd, int ph, int pw) {
            outputPadding = new int[] {pd, ph, pw};
            return this;
        }

        public Builder dilation(int d) {
            return dilation(d, d, d);
        }

        public Builder dilation(int dd, int dh, int dw) {
            dilation = new int[] {dd, dh, dw};
            return this;
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

    /** [outChannels], or null for a layer without bias. */
    public Tensor bias() {
        return param("bias");
    }

    public int inChannels() {
        return inChannels;
    }

    public int outChannels() {
        return outChannels;
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
        if (!unbatched && x.rank() != 5 || x.dim(unbatched ? 0 : 1) != inChannels) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, " + inChannels
                    + ", depth, height, width] or unbatched [" + inChannels + ", depth, height, width]");
        }
        try {
            return F.convTranspose3d(x, weight(), bias(), stride, padding, outputPadding, dilation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ", weight " + weight().shape() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ConvTranspose3d(" + inChannels + ", " + outChannels + ", kernel=" + Conv3d.dims(kernel) + ", stride="
                + Conv3d.dims(stride) + ", padding=" + Conv3d.dims(padding) + ", output_padding="
                + Conv3d.dims(outputPadding) + ", dilation=" + Conv3d.dims(dilation) + ", bias=" + (bias() != null)
                + ")";
    }
}
