package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * 1-D transposed convolution, like PyTorch's {@code torch.nn.ConvTranspose1d} without groups: the layer that
 * lengthens sequences back in decoders. Input [batch, inChannels, length], output [batch, outChannels, outLength]
 * with {@code outLength = (length - 1) stride - 2 padding + dilation (kernel - 1) + outputPadding + 1}: kernel 4 with
 * stride 2 and padding 1 doubles the length. Weight [inChannels, outChannels, kernel] and bias [outChannels]
 * (PyTorch's layout and names, so state dicts load from PyTorch), initialised as PyTorch does: uniform in
 * +-1/sqrt(fanIn) with {@code fanIn = outChannels * kernel} (PyTorch computes the fan from the weight's second axis),
 * for both weight and bias (weight drawn first). It runs as {@link ConvTranspose2d}'s operation of height 1 on views
 * of the input and weight, so every backend that has {@link F#convTranspose2d} has it.
 *
 * <p>Output padding must be below the stride or the dilation, as in PyTorch.
 *
 * <p>{@code ConvTranspose1d.builder(32, 16, 4).stride(2).padding(1).build()}.
 */
public class ConvTranspose1d extends ConvNd {
    /** A transposed convolution with bias, stride 1, no padding, no dilation. */
    public ConvTranspose1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0, 0, 1, true);
    }

    /**
     * The general form, PyTorch's {@code ConvTranspose1d(in_channels, out_channels, kernel_size, stride, padding,
     * output_padding, bias=..., dilation=...)}.
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride or dilation, a
     *     negative padding, or an output padding that is negative or below neither the stride nor the dilation
     */
    public ConvTranspose1d(int inChannels, int outChannels, int kernel, int stride, int padding, int outputPadding,
                           int dilation, boolean bias) {
        super("ConvTranspose1d", SpatialAxes.ONE, inChannels, outChannels, new int[] {kernel}, new int[] {stride},
                new int[] {padding}, new int[] {outputPadding}, new int[] {dilation}, bias);
    }

    /** A builder; defaults as {@link #ConvTranspose1d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /** Stride, padding, output padding, dilation and bias of a {@link ConvTranspose1d}. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int inChannels, int outChannels, int kernel) {
            super("ConvTranspose1d", SpatialAxes.ONE, inChannels, outChannels, new int[] {kernel});
        }

        public Builder stride(int s) {
            return strides(s);
        }

        /** Elements removed from each end of the full output. */
        public Builder padding(int p) {
            return paddings(p);
        }

        /** Elements added to the end of the output; below the stride or the dilation. */
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

        public ConvTranspose1d build() {
            return new ConvTranspose1d(inChannels, outChannels, kernel[0], stride[0], padding[0], outputPadding[0],
                    dilation[0], bias);
        }
    }

    /** [inChannels, outChannels, kernel]. */
    public Tensor weight() {
        return param("weight");
    }

    public int kernelSize() {
        return kernel[0];
    }

    public int stride() {
        return stride[0];
    }

    /** The input-side padding removed from each end of the output. */
    public int padding() {
        return padding[0];
    }

    /** The extra elements added to one end of the output. */
    public int outputPadding() {
        return outputPadding[0];
    }

    public int dilation() {
        return dilation[0];
    }

    /**
     * [batch, inChannels, length] to [batch, outChannels, outLength].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 3-D or its channels are
     *     not {@code inChannels}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", length]");
        }
        return naming(x, () -> transposed(x));
    }

    /** The transposed convolution of {@code x}, as one of height 1. */
    private Tensor transposed(Tensor x) {
        Tensor y = F.convTranspose2d(x.unsqueeze(2), weight().unsqueeze(2), bias(), new int[] {1, stride[0]},
                new int[] {0, padding[0]}, new int[] {0, outputPadding[0]}, new int[] {1, dilation[0]});
        return y.squeeze(2);
    }
}
