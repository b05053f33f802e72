package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

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
public class Conv2d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int[] kernel;
    private final int[] stride;
    private final int[] padding;
    private final int[] dilation;
    private final int groups;
    private final PaddingMode paddingMode;

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
        String name = "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel) + ")";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(name + ": channels must be positive");
        }
        checkGroups(name, inChannels, outChannels, groups);
        this.paddingMode = checkMode(name, paddingMode);
        this.kernel = pair(name, "kernel", kernel, 1);
        this.stride = pair(name, "stride", stride, 1);
        this.padding = pair(name, "padding", padding, 0);
        this.dilation = pair(name, "dilation", dilation, 1);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int kh = this.kernel[0];
        int kw = this.kernel[1];
        int perGroup = inChannels / groups;
        double bound = 1 / Math.sqrt((double) perGroup * kh * kw);
        registerParameter("weight",
                unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels, perGroup, kh, kw)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
    }

    /**
     * Refuses groups below 1 and channels not divisible by the groups, as PyTorch does ("in_channels must be
     * divisible by groups"); {@code layer} names the layer and both channel counts.
     */
    static void checkGroups(String layer, int inChannels, int outChannels, int groups) {
        if (groups < 1) {
            throw new IllegalArgumentException(layer + ": groups must be at least 1, got " + groups);
        }
        if (inChannels % groups != 0) {
            throw new IllegalArgumentException(layer + ": in_channels " + inChannels + " must be divisible by groups "
                    + groups);
        }
        if (outChannels % groups != 0) {
            throw new IllegalArgumentException(layer + ": out_channels " + outChannels + " must be divisible by groups "
                    + groups);
        }
    }

    /** Refuses a null padding mode; {@code layer} names the layer. */
    static PaddingMode checkMode(String layer, PaddingMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException(layer + ": padding mode must be one of "
                    + Arrays.toString(PaddingMode.values()) + ", got null");
        }
        return mode;
    }

    static int[] pair(String layer, String what, int[] v, int min) {
        if (v == null || v.length < 1 || v.length > 2) {
            throw new IllegalArgumentException(layer + ": " + what + " must hold one value or two (height, width), got "
                    + Arrays.toString(v));
        }
        int[] p = v.length == 1 ? new int[] {v[0], v[0]} : v.clone();
        for (int x : p) {
            if (x < min) {
                throw new IllegalArgumentException(layer + ": " + what + " must be at least " + min + ", got " + Arrays.toString(v));
            }
        }
        return p;
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
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int[] kernel;
        private int[] stride = {1, 1};
        private int[] padding = {0, 0};
        private boolean same;
        private int[] dilation = {1, 1};
        private int groups = 1;
        private boolean bias = true;
        private PaddingMode paddingMode = PaddingMode.ZEROS;

        private Builder(int inChannels, int outChannels, int[] kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel;
        }

        public Builder stride(int s) {
            return stride(s, s);
        }

        public Builder stride(int sh, int sw) {
            stride = new int[] {sh, sw};
            return this;
        }

        /** Zero padding on each side of both axes. */
        public Builder padding(int p) {
            return padding(p, p);
        }

        public Builder padding(int ph, int pw) {
            padding = new int[] {ph, pw};
            same = false;
            return this;
        }

        /**
         * {@code "same"}: the padding that keeps height and width ({@link F#samePadding}); needs stride 1 and
         * an odd effective kernel. {@code "valid"}: no padding.
         */
        public Builder padding(String mode) {
            switch (mode) {
                case "same" -> same = true;
                case "valid" -> padding(0);
                default -> throw new IllegalArgumentException("Conv2d: padding must be an int, \"same\" or \"valid\", got \"" + mode + "\"");
            }
            return this;
        }

        public Builder dilation(int d) {
            return dilation(d, d);
        }

        public Builder dilation(int dh, int dw) {
            dilation = new int[] {dh, dw};
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

        public Conv2d build() {
            int[] p = padding;
            if (same) {
                String name = "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + Arrays.toString(kernel) + ")";
                if (stride[0] != 1 || stride[1] != 1) {
                    throw new IllegalArgumentException(name + ": padding \"same\" needs stride 1, got stride " + Arrays.toString(stride));
                }
                try {
                    p = new int[] {F.samePadding(kernel[0], dilation[0])[0], F.samePadding(kernel[1], dilation[1])[0]};
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": padding \"same\": " + e.getMessage(), e);
                }
            }
            return new Conv2d(inChannels, outChannels, kernel, stride, p, dilation, groups, bias, paddingMode);
        }
    }

    /** [outChannels, inChannels / groups, kernelH, kernelW]. */
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
        if (x.rank() != 4 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, " + inChannels
                    + ", height, width]");
        }
        try {
            if (paddingMode == PaddingMode.ZEROS || padding[0] == 0 && padding[1] == 0) {
                return convolved(x, padding, activation);
            }
            int[] pads = {padding[1], padding[1], padding[0], padding[0]};
            return Temporaries.freedWithoutGradients(
                    () -> convolved(F.pad(x, pads, paddingMode), new int[] {0, 0}, activation));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ", weight " + weight().shape() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The convolution of {@code x} padded with {@code zeroPadding} zeros, then {@code activation} (null: none). */
    private Tensor convolved(Tensor x, int[] zeroPadding, FusableActivation activation) {
        return activation == null ? F.conv2d(x, weight(), bias(), stride, zeroPadding, dilation, groups)
                : F.conv2d(x, weight(), bias(), stride, zeroPadding, dilation, activation.op(), activation.param());
    }

    @Override
    public String toString() {
        return "Conv2d(" + inChannels + ", " + outChannels + ", kernel=" + dims(kernel) + ", stride=" + dims(stride)
                + ", padding=" + dims(padding) + ", dilation=" + dims(dilation) + groupsText(groups) + ", bias="
                + (bias() != null) + modeText(paddingMode) + ")";
    }

    /** {@code ", padding_mode=reflect"} and the like, nothing for zeros, as PyTorch's repr shows the mode. */
    static String modeText(PaddingMode mode) {
        return mode == PaddingMode.ZEROS ? "" : ", padding_mode=" + mode.pytorchName();
    }

    /** {@code ", groups=g"} where g is not 1, else nothing, as PyTorch's repr shows groups. */
    static String groupsText(int groups) {
        return groups == 1 ? "" : ", groups=" + groups;
    }

    static String dims(int[] p) {
        return p[0] == p[1] ? Integer.toString(p[0]) : p[0] + "x" + p[1];
    }
}
