package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;

/**
 * 2-D convolution, like PyTorch's {@code torch.nn.Conv2d}: input [batch, inChannels, height, width], output
 * [batch, outChannels, outH, outW] with {@code outH = (height + 2 padH - dilationH (kernelH - 1) - 1) / strideH + 1}
 * (likewise outW). With {@code groups} the channels fall into that many groups, each output group convolving its
 * input group alone: {@code groups == inChannels} is a depthwise convolution (MobileNet, EfficientNet), a few groups
 * ResNeXt's grouped one. Weight [outChannels, inChannels / groups, kernelH, kernelW] and bias [outChannels] with
 * PyTorch's default initialisation: kaiming-uniform with {@code a = sqrt(5)}, i.e. uniform in +-1/sqrt(fanIn) with
 * {@code fanIn = inChannels / groups * kernelH * kernelW}, for both weight and bias (weight drawn first). The padding
 * mode (PyTorch's {@code padding_mode}) says what the padding holds: zeros by default; otherwise the input is first
 * padded in that mode ({@link F#pad(Tensor, int[], PaddingMode)}) and convolved without padding, as PyTorch does.
 *
 * <p>{@code new Conv2d(1, 20, 5)} is a valid 5x5 convolution with stride 1; other settings through
 * {@link #builder(int, int, int)}: {@code Conv2d.builder(3, 16, 3).padding("same").bias(false).build()}, a
 * depthwise one {@code Conv2d.builder(32, 32, 3).padding(1).groups(32).build()}, one that pads with reflections
 * {@code Conv2d.builder(3, 16, 3).padding(1).paddingMode(PaddingMode.REFLECT).build()}.
 */
public class Conv2d extends ConvNd {
    /** A square {@code kernel x kernel} convolution with bias, stride 1, no padding, no dilation. */
    public Conv2d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, new int[] {kernel, kernel}, new int[] {1, 1}, new int[] {0, 0}, new int[] {1, 1}, true);
    }

    /** A square convolution with the given stride, padding (zeros), dilation and bias flag. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, boolean bias) {
        this(inChannels, outChannels, new int[] {kernel, kernel}, new int[] {stride, stride}, new int[] {padding, padding},
                new int[] {dilation, dilation}, bias);
    }

    /** The general form without groups; each array holds (height, width). */
    public Conv2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, boolean bias) {
        this(inChannels, outChannels, kernel, stride, padding, dilation, 1, bias);
    }

    /**
     * PyTorch's {@code Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation, groups, bias)}, padded
     * with zeros; each array holds (height, width).
     */
    public Conv2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias) {
        this(inChannels, outChannels, kernel, stride, padding, dilation, groups, bias, PaddingMode.ZEROS);
    }

    /**
     * The general form, PyTorch's {@code Conv2d(in_channels, out_channels, kernel_size, stride, padding, dilation,
     * groups, bias, padding_mode)}; each array holds (height, width).
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride, dilation or
     *     groups, a negative padding, channels not divisible by the groups, or a null padding mode
     */
    public Conv2d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, PaddingMode paddingMode) {
        super("Conv2d", SpatialAxes.TWO, inChannels, outChannels, kernel, stride, padding, dilation, groups, bias,
                paddingMode);
    }

    /** A builder for a square {@code kernel x kernel} convolution; defaults as {@link #Conv2d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, new int[] {kernel, kernel});
    }

    /** A builder for a {@code kernelH x kernelW} convolution. */
    public static Builder builder(int inChannels, int outChannels, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, new int[] {kernelH, kernelW});
    }

    /** Stride, padding ({@code int} or {@code "same"}), dilation, groups and bias of a {@link Conv2d}. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int inChannels, int outChannels, int[] kernel) {
            super("Conv2d", SpatialAxes.TWO, inChannels, outChannels, kernel);
        }

        public Builder stride(int s) {
            return strides(s);
        }

        public Builder stride(int sh, int sw) {
            return strides(sh, sw);
        }

        /** Zero padding on each side of both axes. */
        public Builder padding(int p) {
            return paddings(p);
        }

        public Builder padding(int ph, int pw) {
            return paddings(ph, pw);
        }

        /**
         * {@code "same"}: the padding that keeps height and width ({@link F#samePadding}); needs stride 1 and
         * an odd effective kernel. {@code "valid"}: no padding.
         */
        public Builder padding(String mode) {
            return paddingNamed(mode);
        }

        public Builder dilation(int d) {
            return dilations(d);
        }

        public Builder dilation(int dh, int dw) {
            return dilations(dh, dw);
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

        public Conv2d build() {
            return withPaddingWord(new Conv2d(inChannels, outChannels, kernel, stride, resolvedPadding(), dilation,
                    groups, bias, paddingMode));
        }
    }

    /** [outChannels, inChannels / groups, kernelH, kernelW]. */
    public Tensor weight() {
        return param("weight");
    }

    /** (height, width). */
    public int[] kernelSize() {
        return kernel.clone();
    }

    public int[] stride() {
        return stride.clone();
    }

    public int[] padding() {
        return padding.clone();
    }

    public int[] dilation() {
        return dilation.clone();
    }

    /** What the padding holds: zeros, or the input's reflections, edge copies or wrapped-around elements. */
    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /** Channel groups: 1 for a plain convolution, {@code inChannels} for a depthwise one. */
    public int groups() {
        return groups;
    }

    /**
     * [batch, inChannels, height, width] to [batch, outChannels, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 4-D, its
     *     channels are not {@code inChannels} or it is smaller than the (dilated) kernel after padding
     */
    @Override
    public Tensor forward(Tensor x) {
        return forward(x, null);
    }

    /**
     * This layer followed by {@code activation} (null: none) as one op, the activation applied to the
     * convolution's output in place: what {@link Sequential} runs for a plain Conv2d of groups 1 followed by a
     * {@link FusableActivation}. Input as for {@link #forward(Tensor)}.
     */
    Tensor forward(Tensor x, FusableActivation activation) {
        if (x.rank() != 4 || x.dim(1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", height, width]");
        }
        return naming(x, () -> paddedInMode(x, (input, zeroPadding) -> convolved(input, zeroPadding, activation)));
    }

    /** The convolution of {@code x} padded with {@code zeroPadding} zeros, then {@code activation} (null: none). */
    private Tensor convolved(Tensor x, int[] zeroPadding, FusableActivation activation) {
        return activation == null ? F.conv2d(x, weight(), bias(), stride, zeroPadding, dilation, groups)
                : F.conv2d(x, weight(), bias(), stride, zeroPadding, dilation, activation.op(), activation.param());
    }
}
