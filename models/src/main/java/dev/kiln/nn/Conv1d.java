package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;

/**
 * 1-D convolution, like PyTorch's {@code torch.nn.Conv1d}: input [batch, inChannels, length], output
 * [batch, outChannels, outLength] with
 * {@code outLength = (length + 2 padding - dilation (kernel - 1) - 1) / stride + 1}. With {@code groups} the channels
 * fall into that many groups, each output group convolving its input group alone ({@code groups == inChannels}:
 * depthwise). Weight [outChannels, inChannels / groups, kernel] and bias [outChannels] (PyTorch's layout, so state
 * dicts load from PyTorch) with PyTorch's default initialisation: uniform in +-1/sqrt(fanIn) with
 * {@code fanIn = inChannels / groups * kernel}, for both weight and bias (weight drawn first). It runs as a 2-D
 * convolution of height 1 on views of the input and weight, so every backend that has {@link F#conv2d} has it. The
 * padding mode (PyTorch's {@code padding_mode}) says what the padding holds: zeros by default; otherwise the input is
 * first padded in that mode ({@link F#pad(Tensor, int[], PaddingMode)}) and convolved without padding, as PyTorch
 * does.
 *
 * <p>{@code new Conv1d(16, 32, 3)} is a valid convolution with stride 1; other settings through
 * {@link #builder(int, int, int)}: {@code Conv1d.builder(16, 32, 3).padding("same").bias(false).build()},
 * {@code Conv1d.builder(16, 32, 3).padding(1).paddingMode(PaddingMode.CIRCULAR).build()}.
 */
public class Conv1d extends ConvNd {
    /** A convolution with bias, stride 1, no padding, no dilation. */
    public Conv1d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, kernel, 1, 0, 1, true);
    }

    /**
     * The general form without groups, PyTorch's {@code Conv1d(in_channels, out_channels, kernel_size, stride, padding,
     * dilation, bias=...)}; the padding is zeros on both ends.
     */
    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, boolean bias) {
        this(inChannels, outChannels, kernel, stride, padding, dilation, 1, bias);
    }

    /**
     * PyTorch's {@code Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)}; the
     * padding is zeros on both ends.
     */
    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias) {
        this(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, PaddingMode.ZEROS);
    }

    /**
     * The general form, PyTorch's {@code Conv1d(in_channels, out_channels, kernel_size, stride, padding, dilation,
     * groups, bias, padding_mode)}.
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride, dilation or
     *     groups, a negative padding, channels not divisible by the groups, or a null padding mode
     */
    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, int groups,
                  boolean bias, PaddingMode paddingMode) {
        super("Conv1d", SpatialAxes.ONE, inChannels, outChannels, new int[] {kernel}, new int[] {stride},
                new int[] {padding}, new int[] {dilation}, groups, bias, paddingMode);
    }

    /** A builder; defaults as {@link #Conv1d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /** Stride, padding ({@code int} or {@code "same"}), dilation, groups and bias of a {@link Conv1d}. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int inChannels, int outChannels, int kernel) {
            super("Conv1d", SpatialAxes.ONE, inChannels, outChannels, new int[] {kernel});
        }

        public Builder stride(int s) {
            return strides(s);
        }

        /** Zeros on both ends. */
        public Builder padding(int p) {
            return paddings(p);
        }

        /**
         * {@code "same"}: the padding that keeps the length ({@link F#samePadding}); needs stride 1 and an odd
         * effective kernel. {@code "valid"}: no padding.
         */
        public Builder padding(String mode) {
            return paddingNamed(mode);
        }

        public Builder dilation(int d) {
            return dilations(d);
        }

        /**
         * Channel groups (PyTorch's {@code groups}, 1 by default): both channel counts must be divisible by it;
         * {@code inChannels} makes a depthwise convolution.
         */
        public Builder groups(int g) {
            groups = g;
            return this;
        }

        public Builder bias(boolean b) {
            bias = b;
            return this;
        }

        /** What the padding holds (PyTorch's {@code padding_mode}): {@link PaddingMode#ZEROS} by default. */
        public Builder paddingMode(PaddingMode mode) {
            paddingMode = mode;
            return this;
        }

        public Conv1d build() {
            return withPaddingWord(new Conv1d(inChannels, outChannels, kernel[0], stride[0], resolvedPadding()[0],
                    dilation[0], groups, bias, paddingMode));
        }
    }

    /** [outChannels, inChannels / groups, kernel]. */
    public Tensor weight() {
        return param("weight");
    }

    public int kernelSize() {
        return kernel[0];
    }

    public int stride() {
        return stride[0];
    }

    public int padding() {
        return padding[0];
    }

    public int dilation() {
        return dilation[0];
    }

    /** What the padding holds: zeros, or the input's reflections, end copies or wrapped-around elements. */
    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /** Channel groups: 1 for a plain convolution, {@code inChannels} for a depthwise one. */
    public int groups() {
        return groups;
    }

    /**
     * [batch, inChannels, length] to [batch, outChannels, outLength].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 3-D, its channels are
     *     not {@code inChannels} or it is shorter than the (dilated) kernel after padding
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 3 || x.dim(1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", length]");
        }
        long span = (long) dilation[0] * (kernel[0] - 1) + 1;
        if (x.dim(2) + 2L * padding[0] < span) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + ": the length " + x.dim(2)
                    + " padded by " + padding[0] + " on each end is shorter than the kernel's span " + span);
        }
        return naming(x, () -> paddedInMode(x, this::convolved));
    }

    /** The convolution of {@code x} padded with {@code zeroPadding} zeros at both ends, as one of height 1. */
    private Tensor convolved(Tensor x, int[] zeroPadding) {
        Tensor y = F.conv2d(x.unsqueeze(2), weight().unsqueeze(2), bias(), new int[] {1, stride[0]},
                new int[] {0, zeroPadding[0]}, new int[] {1, dilation[0]}, groups);
        return y.squeeze(2);
    }
}
