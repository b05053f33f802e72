package dev.kiln.nn;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
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
public class ConvTranspose1d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int outputPadding;
    private final int dilation;

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
        String name = "ConvTranspose1d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ")";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(name + ": channels must be positive, got " + inChannels + " and "
                    + outChannels);
        }
        this.kernel = Conv1d.atLeast(name, "kernel", kernel, 1);
        this.stride = Conv1d.atLeast(name, "stride", stride, 1);
        this.padding = Conv1d.atLeast(name, "padding", padding, 0);
        this.outputPadding = Conv1d.atLeast(name, "output padding", outputPadding, 0);
        this.dilation = Conv1d.atLeast(name, "dilation", dilation, 1);
        Conv2dGeometry.checkOutputPadding(name, new int[] {outputPadding}, new int[] {stride}, new int[] {dilation});
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        double bound = 1 / Math.sqrt((double) outChannels * kernel);
        registerParameter("weight", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, inChannels, outChannels, kernel)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
    }

    /** A builder; defaults as {@link #ConvTranspose1d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /** Stride, padding, output padding, dilation and bias of a {@link ConvTranspose1d}. */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int kernel;
        private int stride = 1;
        private int padding;
        private int outputPadding;
        private int dilation = 1;
        private boolean bias = true;

        private Builder(int inChannels, int outChannels, int kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel;
        }

        public Builder stride(int s) {
            stride = s;
            return this;
        }

        /** Elements removed from each end of the full output. */
        public Builder padding(int p) {
            padding = p;
            return this;
        }

        /** Elements added to the end of the output; below the stride or the dilation. */
        public Builder outputPadding(int p) {
            outputPadding = p;
            return this;
        }

        public Builder dilation(int d) {
            dilation = d;
            return this;
        }

        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        public ConvTranspose1d build() {
            return new ConvTranspose1d(inChannels, outChannels, kernel, stride, padding, outputPadding, dilation, bias);
        }
    }

    /** [inChannels, outChannels, kernel]. */
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
     * [batch, inChannels, length] to [batch, outChannels, outLength].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 3-D or its channels are
     *     not {@code inChannels}
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, " + inChannels
                    + ", length]");
        }
        Tensor weight = weight();
        try {
            Tensor y = F.convTranspose2d(x.unsqueeze(2), weight.unsqueeze(2), bias(), new int[] {1, stride},
                    new int[] {0, padding}, new int[] {0, outputPadding}, new int[] {1, dilation});
            return y.squeeze(2);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ", weight " + weight.shape() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "ConvTranspose1d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ", stride=" + stride
                + ", padding=" + padding + ", output_padding=" + outputPadding + ", dilation=" + dilation + ", bias="
                + (bias() != null) + ")";
    }
}
