package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

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
public class Conv3d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final PaddingMode paddingMode;

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
        String name = "Conv3d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel) + ")";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(name + ": channels must be positive");
        }
        Conv2d.checkGroups(name, inChannels, outChannels, groups);
        this.paddingMode = Conv2d.checkMode(name, paddingMode);
        this.kernel = triple(name, "kernel", kernel, 1);
        this.stride = triple(name, "stride", stride, 1);
        this.padding = triple(name, "padding", padding, 0);
        this.dilation = triple(name, "dilation", dilation, 1);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int[] k = this.kernel;
        int perGroup = inChannels / groups;
        double bound = 1 / Math.sqrt((double) perGroup * k[0] * k[1] * k[2]);
        registerParameter("weight",
                unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels, perGroup, k[0], k[1], k[2])));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
    }

    /** One value for the three axes or three (depth, height, width), each at least {@code min}. */
    static int[] triple(String layer, String what, int[] v, int min) {
        if (v == null || v.length != 1 && v.length != 3) {
            throw new IllegalArgumentException(layer + ": " + what
                    + " must hold one value or three (depth, height, width), got " + Arrays.toString(v));
        }
        int[] t = v.length == 1 ? new int[] {v[0], v[0], v[0]} : v.clone();
        for (int x : t) {
            if (x < min) {
                throw new IllegalArgumentException(layer + ": " + what + " must be at least " + min + ", got "
                        + Arrays.toString(v));
            }
        }
        return t;
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
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1, 1};
        private int[] padding = {0, 0, 0};
        private boolean same;
        private int[] dilation = {1, 1, 1};
        private int groups = 1;
        private boolean bias = true;
        private PaddingMode paddingMode = PaddingMode.ZEROS;

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

        /** The same padding on each side of all three axes. */
        public Builder padding(int p) {
            return padding(p, p, p);
        }

        public Builder padding(int pd, int ph, int pw) {
            padding = new int[] {pd, ph, pw};
            same = false;
            return this;
        }

        /**
         * {@code "same"}: the padding that keeps depth, height and width ({@link F#samePadding}); needs stride 1 and
         * an odd effective kernel on each axis. {@code "valid"}: no padding.
         */
        public Builder padding(String mode) {
            switch (mode) {
                case "same" -> same = true;
                case "valid" -> padding(0);
                default -> throw new IllegalArgumentException(
                        "Conv3d: padding must be an int, \"same\" or \"valid\", got \"" + mode + "\"");
            }
            return this;
        }

        public Builder dilation(int d) {
            return dilation(d, d, d);
        }

        public Builder dilation(int dd, int dh, int dw) {
            dilation = new int[] {dd, dh, dw};
            return this;
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
            int[] p = padding;
            if (same) {
                String name = "Conv3d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel) + ")";
                if (stride[0] != 1 || stride[1] != 1 || stride[2] != 1) {
                    throw new IllegalArgumentException(name + ": padding \"same\" needs stride 1, got stride "
                            + Arrays.toString(stride));
                }
                p = new int[3];
                try {
                    for (int a = 0; a < 3; a++) {
                        p[a] = F.samePadding(kernel[a], dilation[a])[0];
                    }
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": padding \"same\": " + e.getMessage(), e);
                }
            }
            return new Conv3d(inChannels, outChannels, kernel, stride, p, dilation, groups, bias, paddingMode);
        }
    }

    /** [outChannels, inChannels / groups, kernelD, kernelH, kernelW]. */
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
        if (!unbatched && x.rank() != 5 || x.dim(unbatched ? 0 : 1) != inChannels) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, " + inChannels
                    + ", depth, height, width] or unbatched [" + inChannels + ", depth, height, width]");
        }
        try {
            if (paddingMode == PaddingMode.ZEROS || Arrays.stream(padding).allMatch(p -> p == 0)) {
                return F.conv3d(x, weight(), bias(), stride, padding, dilation, groups);
            }
            int[] pads = {padding[2], padding[2], padding[1], padding[1], padding[0], padding[0]};
            return Temporaries.freedWithoutGradients(() -> F.conv3d(F.pad(x, pads, paddingMode), weight(), bias(),
                    stride, new int[] {0}, dilation, groups));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ", weight " + weight().shape() + ": "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "Conv3d(" + inChannels + ", " + outChannels + ", kernel=" + dims(kernel) + ", stride=" + dims(stride)
                + ", padding=" + dims(padding) + ", dilation=" + dims(dilation) + Conv2d.groupsText(groups) + ", bias="
                + (bias() != null) + Conv2d.modeText(paddingMode) + ")";
    }

    /** {@code 3} for (3, 3, 3), else {@code 1x3x3}. */
    static String dims(int[] p) {
        return p[0] == p[1] && p[1] == p[2] ? Integer.toString(p[0]) : p[0] + "x" + p[1] + "x" + p[2];
    }
}
