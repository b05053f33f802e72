package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;

/**
 * 3-D convolution, like PyTorch's {@code torch.nn.Conv3d}, for volumes (video clips, medical scans): input
 * [batch, inChannels, depth, height, width] (or unbatched [inChannels, depth, height, width]), output
 * [batch, outChannels, outD, outH, outW] with {@code outD = (depth + 2 padD - dilationD (kernelD - 1) - 1) / strideD
 * + 1} (likewise outH, outW). Groups as in {@link Conv2d}. Weight [outChannels, inChannels / groups, kernelD, kernelH,
 * kernelW] and bias [outChannels] (PyTorch's layout and names, so state dicts load from PyTorch) with PyTorch's
 * default initialisation: uniform in +-1/sqrt(fanIn) with {@code fanIn = inChannels / groups * kernelD * kernelH *
 * kernelW}, for both weight and bias (weight drawn first). The padding mode (PyTorch's {@code padding_mode}) says
 * what the padding holds: zeros by default; otherwise the input is first padded in that mode
 * ({@link F#pad(Tensor, int[], PaddingMode)}) and convolved without padding, as PyTorch does. It runs as one 2-D
 * convolution of the input's depth slices ({@link F#conv3d}), so every backend with {@link F#conv2d} runs it.
 *
 * <p>{@code new Conv3d(3, 16, 3)} is a valid 3x3x3 convolution with stride 1; other settings through
 * {@link #builder(int, int, int)}: {@code Conv3d.builder(3, 16, 3).padding(1).stride(1, 2, 2).build()},
 * {@code Conv3d.builder(16, 16, 3).padding("same").groups(4).bias(false).build()}.
 */
public class Conv3d extends ConvNd {
    /** A cubic {@code kernel x kernel x kernel} convolution with bias, stride 1, no padding, no dilation. */
    public Conv3d(int inChannels, int outChannels, int kernel) {
        this(inChannels, outChannels, new int[] {kernel}, new int[] {1}, new int[] {0}, new int[] {1}, 1, true,
                PaddingMode.ZEROS);
    }

    /**
     * The general form, PyTorch's {@code Conv3d(in_channels, out_channels, kernel_size, stride, padding, dilation,
     * groups, bias, padding_mode)}; each array holds one value for all three axes or three (depth, height, width).
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride, dilation or
     *     groups, a negative padding, channels not divisible by the groups, or a null padding mode
     */
    public Conv3d(int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups,
                  boolean bias, PaddingMode paddingMode) {
        super("Conv3d", SpatialAxes.THREE, inChannels, outChannels, kernel, stride, padding, dilation, groups, bias,
                paddingMode);
    }

    /** A builder for a cubic convolution of side {@code kernel}; defaults as {@link #Conv3d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, new int[] {kernel, kernel, kernel});
    }

    /** A builder for a {@code kernelD x kernelH x kernelW} convolution. */
    public static Builder builder(int inChannels, int outChannels, int kernelD, int kernelH, int kernelW) {
        return new Builder(inChannels, outChannels, new int[] {kernelD, kernelH, kernelW});
    }

    /** Stride, padding ({@code int} or {@code "same"}), dilation, groups, bias and padding mode of a {@link Conv3d}. */
    public static final class Builder extends ConvBuilder<Builder> {
        private Builder(int inChannels, int outChannels, int[] kernel) {
            super("Conv3d", SpatialAxes.THREE, inChannels, outChannels, kernel);
        }

        public Builder stride(int s) {
            return strides(s);
        }

        public Builder stride(int sd, int sh, int sw) {
            return strides(sd, sh, sw);
        }

        /** The same padding on each side of all three axes. */
        public Builder padding(int p) {
            return paddings(p);
        }

        public Builder padding(int pd, int ph, int pw) {
            return paddings(pd, ph, pw);
        }

        /**
         * {@code "same"}: the padding that keeps depth, height and width ({@link F#samePadding}); needs stride 1 and
         * an odd effective kernel on each axis. {@code "valid"}: no padding.
         */
        public Builder padding(String mode) {
            return paddingNamed(mode);
        }

        public Builder dilation(int d) {
            return dilations(d);
        }

        public Builder dilation(int dd, int dh, int dw) {
            return dilations(dd, dh, dw);
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

        public Conv3d build() {
            return withPaddingWord(new Conv3d(inChannels, outChannels, kernel, stride, resolvedPadding(), dilation,
                    groups, bias, paddingMode));
        }
    }

    /** [outChannels, inChannels / groups, kernelD, kernelH, kernelW]. */
    public Tensor weight() {
        return param("weight");
    }

    /** (depth, height, width). */
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

    /** Channel groups: 1 for a plain convolution, {@code inChannels} for a depthwise one. */
    public int groups() {
        return groups;
    }

    /** What the padding holds: zeros, or the input's reflections, edge copies or wrapped-around elements. */
    public PaddingMode paddingMode() {
        return paddingMode;
    }

    /**
     * [batch, inChannels, depth, height, width] to [batch, outChannels, outD, outH, outW], or unbatched
     * [inChannels, depth, height, width] to [outChannels, outD, outH, outW].
     *
     * @throws IllegalArgumentException naming this layer and the shapes when the input is not 4-D or 5-D, its
     *     channels are not {@code inChannels} or it is smaller than the (dilated) kernel after padding
     */
    @Override
    public Tensor forward(Tensor x) {
        boolean unbatched = x.rank() == 4;
        if (!unbatched && x.rank() != 5 || x.dim(unbatched ? 0 : 1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", depth, height, width] or unbatched [" + inChannels() + ", depth, height, width]");
        }
        return naming(x, () -> paddedInMode(x,
                (input, zeroPadding) -> F.conv3d(input, weight(), bias(), stride, zeroPadding, dilation, groups)));
    }
}
