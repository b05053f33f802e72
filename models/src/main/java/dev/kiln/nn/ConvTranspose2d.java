package dev.kiln.nn;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

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
public class ConvTranspose2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] outputPadding;
    private final int[] dilation;

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
        String name = "ConvTranspose2d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel) + ")";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(name + ": channels must be positive");
        }
        this.kernel = Conv2d.pair(name, "kernel", kernel, 1);
        this.stride = Conv2d.pair(name, "stride", stride, 1);
        this.padding = Conv2d.pair(name, "padding", padding, 0);
        this.outputPadding = Conv2d.pair(name, "output padding", outputPadding, 0);
        this.dilation = Conv2d.pair(name, "dilation", dilation, 1);
        Conv2dGeometry.checkOutputPadding(name, this.outputPadding, this.stride, this.dilation);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        int kh = this.kernel[0];
        int kw = this.kernel[1];
        double bound = 1 / Math.sqrt((double) outChannels * kh * kw);
        registerParameter("weight", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, inChannels, outChannels, kh, kw)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
    }

    /** A builder for a square {@code kernel x kernel} transposed convolution; defaults as {@link #ConvTranspose2d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, new int[] {kernel, kernel});
    }

    /** Stride, padding, output padding, dilation and bias of a {@link ConvTranspose2d}. */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private int[] outputPadding = {0, 0};
        private int[] dilation = {1, 1};
        private boolean bias = true;

        private Builder(int inChannels, int outChannels, int[] kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel;
        }

        public Builder stride(int s) {
            stride = new int[] {s, s};
            return this;
        }

        /** Zero padding removed from each side of the full output, on both axes. */
        public Builder padding(int p) {
            padding = new int[] {p, p};
            return this;
        }

        /** Rows and columns added to the bottom and right of the output; below the stride or the dilation. */
        public Builder outputPadding(int p) {
            outputPadding = new int[] {p, p};
            return this;
        }

        public Builder dilation(int d) {
            dilation = new int[] {d, d};
            return this;
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
     * [batch, inChannels, height, width] to [batch, outChannels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 4-D or its
     *     channels are not {@code inChannels}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, " + inChannels
                    + ", height, width]");
        }
        try {
            return F.convTranspose2d(x, weight(), bias(), stride, padding, outputPadding, dilation);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ", weight " + weight().shape() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ConvTranspose2d(" + inChannels + ", " + outChannels + ", kernel=" + Conv2d.dims(kernel) + ", stride="
                + Conv2d.dims(stride) + ", padding=" + Conv2d.dims(padding) + ", output_padding="
                + Conv2d.dims(outputPadding) + ", dilation=" + Conv2d.dims(dilation) + ", bias=" + (bias() != null) + ")";
    }
}
