package dev.kiln.nn;

import dev.kiln.engine.DType;
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
public class Conv1d extends Module {
    private final int inChannels;
    private final int outChannels;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private final int groups;
    private final PaddingMode paddingMode;

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
        String name = "Conv1d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ")";
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException(name + ": channels must be positive, got " + inChannels + " and "
                    + outChannels);
        }
        Conv2d.checkGroups(name, inChannels, outChannels, groups);
        this.paddingMode = Conv2d.checkMode(name, paddingMode);
        this.kernel = atLeast(name, "kernel", kernel, 1);
        this.stride = atLeast(name, "stride", stride, 1);
        this.padding = atLeast(name, "padding", padding, 0);
        this.dilation = atLeast(name, "dilation", dilation, 1);
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        int perGroup = inChannels / groups;
        double bound = 1 / Math.sqrt((double) perGroup * kernel);
        registerParameter("weight",
                unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels, perGroup, kernel)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
    }

    /** {@code value}, refused with the layer's name when below {@code min}. */
    static int atLeast(String layer, String what, int value, int min) {
        if (value < min) {
            throw new IllegalArgumentException(layer + ": " + what + " must be at least " + min + ", got " + value);
        }
        return value;
    }

    /** A builder; defaults as {@link #Conv1d(int, int, int)}. */
    public static Builder builder(int inChannels, int outChannels, int kernel) {
        return new Builder(inChannels, outChannels, kernel);
    }

    /** Stride, padding ({@code int} or {@code "same"}), dilation, groups and bias of a {@link Conv1d}. */
    public static final class Builder {
        private final int inChannels;
        private final int outChannels;
        private final int kernel;
        private int stride = 1;
        private int padding;
        private boolean same;
        private int dilation = 1;
        private int groups = 1;
        private boolean bias = true;
        private PaddingMode paddingMode = PaddingMode.ZEROS;

        private Builder(int inChannels, int outChannels, int kernel) {
            this.inChannels = inChannels;
            this.outChannels = outChannels;
            this.kernel = kernel;
        }

        public Builder stride(int s) {
            stride = s;
            return this;
        }

        /** Zeros on both ends. */
        public Builder padding(int p) {
            padding = p;
            same = false;
            return this;
        }

        /**
         * {@code "same"}: the padding that keeps the length ({@link F#samePadding}); needs stride 1 and an odd
         * effective kernel. {@code "valid"}: no padding.
         */
        public Builder padding(String mode) {
            switch (mode) {
                case "same" -> same = true;
                case "valid" -> padding(0);
                default -> throw new IllegalArgumentException("Conv1d: padding must be an int, \"same\" or \"valid\", got \""
                        + mode + "\"");
            }
            return this;
        }

        public Builder dilation(int d) {
            dilation = d;
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

        public Conv1d build() {
            int p = padding;
            if (same) {
                String name = "Conv1d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ")";
                if (stride != 1) {
                    throw new IllegalArgumentException(name + ": padding \"same\" needs stride 1, got stride " + stride);
                }
                try {
                    p = F.samePadding(kernel, dilation)[0];
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(name + ": padding \"same\": " + e.getMessage(), e);
                }
            }
            return new Conv1d(inChannels, outChannels, kernel, stride, p, dilation, groups, bias, paddingMode);
        }
    }

    /** [outChannels, inChannels / groups, kernel]. */
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

    public int kernelSize() {
        return kernel;
    }

    public int stride() {
        return stride;
    }

    public int padding() {
        return padding;
    }

    public int dilation() {
        return dilation;
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
        if (x.rank() != 3 || x.dim(1) != inChannels) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + " must be [batch, " + inChannels + ", length]");
        }
        long span = (long) dilation * (kernel - 1) + 1;
        if (x.dim(2) + 2L * padding < span) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ": the length " + x.dim(2) + " padded by "
                    + padding + " on each end is shorter than the kernel's span " + span);
        }
        try {
            if (paddingMode == PaddingMode.ZEROS || padding == 0) {
                return convolved(x, padding);
            }
            return Temporaries.freedWithoutGradients(
                    () -> convolved(F.pad(x, new int[] {padding, padding}, paddingMode), 0));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(this + ": input " + x.shape() + ", weight " + weight().shape() + ": "
                    + e.getMessage(), e);
        }
    }

    /** The convolution of {@code x} padded with {@code zeroPadding} zeros at both ends. */
    private Tensor convolved(Tensor x, int zeroPadding) {
        Tensor y = F.conv2d(x.unsqueeze(2), weight().unsqueeze(2), bias(), new int[] {1, stride},
                new int[] {0, zeroPadding}, new int[] {1, dilation}, groups);
        return y.squeeze(2);
    }

    @Override
    public String toString() {
        return "Conv1d(" + inChannels + ", " + outChannels + ", kernel=" + kernel + ", stride=" + stride + ", padding="
                + padding + ", dilation=" + dilation + Conv2d.groupsText(groups) + ", bias=" + (bias() != null)
                + Conv2d.modeText(paddingMode) + ")";
    }
}
