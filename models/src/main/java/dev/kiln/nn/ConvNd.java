package dev.kiln.nn;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * What every convolution layer shares, PyTorch's {@code _ConvNd}: channels and, per spatial axis, kernel, stride,
 * padding, dilation and (transposed) output padding, with groups and a padding mode for a plain convolution; their
 * checks; the weight and bias with PyTorch's default initialisation; padding in a mode other than zeros; errors that
 * name the layer; the description. Each layer keeps its forward pass, the inputs it takes and its accessors' types.
 *
 * <p>The weight is [outChannels, inChannels / groups, *kernel], transposed [inChannels, outChannels / groups,
 * *kernel], and the bias [outChannels]; both are drawn uniform in +-1/sqrt(fanIn), weight first, where fanIn is the
 * weight's second axis times the kernel's size, as PyTorch computes it.
 */
abstract class ConvNd extends Module {
    final int[] kernel;
    final int[] stride;
    final int[] padding;
    /** Zeros for a plain convolution. */
    final int[] outputPadding;
    final int[] dilation;
    /** 1 for a transposed convolution. */
    final int groups;
    /** Zeros for a transposed convolution. */
    final PaddingMode paddingMode;
    private final String type;
    private final SpatialAxes axes;
    private final boolean transposed;
    private final int inChannels;
    private final int outChannels;
    /** {@code "same"} or {@code "valid"} where the builder was given that word (PyTorch's repr prints it), or null. */
    private String paddingWord;

    /**
     * A plain convolution; each array one value for every axis or one per axis.
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride, dilation or
     *     groups, a negative padding, channels not divisible by the groups, or a null padding mode
     */
    ConvNd(String type, SpatialAxes axes, int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding,
           int[] dilation, int groups, boolean bias, PaddingMode paddingMode) {
        this(type, axes, false, inChannels, outChannels, kernel, stride, padding, new int[] {0}, dilation, groups,
                bias, paddingMode);
    }

    /**
     * A transposed convolution of one group, padded with zeros; each array one value for every axis or one per axis.
     *
     * @throws IllegalArgumentException naming the layer for non-positive channels, kernel, stride or dilation, a
     *     negative padding, or an output padding that is negative or below neither the stride nor the dilation
     */
    ConvNd(String type, SpatialAxes axes, int inChannels, int outChannels, int[] kernel, int[] stride, int[] padding,
           int[] outputPadding, int[] dilation, boolean bias) {
        this(type, axes, true, inChannels, outChannels, kernel, stride, padding, outputPadding, dilation, 1, bias,
                PaddingMode.ZEROS);
    }

    private ConvNd(String type, SpatialAxes axes, boolean transposed, int inChannels, int outChannels, int[] kernel,
                   int[] stride, int[] padding, int[] outputPadding, int[] dilation, int groups, boolean bias,
                   PaddingMode paddingMode) {
        String name = name(type, axes, inChannels, outChannels, kernel);
        if (inChannels <= 0 || outChannels <= 0) {
            // The 1-d layers' message names the counts, as it always has.
            throw new IllegalArgumentException(name + ": channels must be positive"
                    + (axes == SpatialAxes.ONE ? ", got " + inChannels + " and " + outChannels : ""));
        }
        checkGroups(name, inChannels, outChannels, groups);
        this.paddingMode = checkMode(name, paddingMode);
        this.kernel = axes.expand(name, "kernel", kernel, 1);
        this.stride = axes.expand(name, "stride", stride, 1);
        this.padding = axes.expand(name, "padding", padding, 0);
        this.outputPadding = axes.expand(name, "output padding", outputPadding, 0);
        this.dilation = axes.expand(name, "dilation", dilation, 1);
        if (transposed) {
            Conv2dGeometry.checkOutputPadding(name, this.outputPadding, this.stride, this.dilation);
        }
        this.type = type;
        this.axes = axes;
        this.transposed = transposed;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.groups = groups;
        registerWeightAndBias(bias);
    }

    /** The layer's name in argument errors, e.g. {@code Conv2d(3, 16, kernel=[3, 3])}: the kernel as given. */
    static String name(String type, SpatialAxes axes, int inChannels, int outChannels, int[] kernel) {
        return type + "(" + inChannels + ", " + outChannels + ", kernel=" + axes.given(kernel) + ")";
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
    private static PaddingMode checkMode(String layer, PaddingMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException(layer + ": padding mode must be one of "
                    + Arrays.toString(PaddingMode.values()) + ", got null");
        }
        return mode;
    }

    private void registerWeightAndBias(boolean bias) {
        int[] weightShape = new int[2 + axes.count()];
        weightShape[0] = transposed ? inChannels : outChannels;
        weightShape[1] = (transposed ? outChannels : inChannels) / groups;
        System.arraycopy(kernel, 0, weightShape, 2, kernel.length);
        double fanIn = weightShape[1];
        for (int k : kernel) {
            fanIn *= k;
        }
        double bound = 1 / Math.sqrt(fanIn);
        registerParameter("weight", unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, weightShape)));
        registerParameter("bias", bias ? unscoped(() -> Tensor.uniform(-bound, bound, DType.F32, outChannels)) : null);
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

    /** Whether this is a transposed convolution, whose weight is [inChannels, outChannels / groups, *kernel]. */
    boolean transposed() {
        return transposed;
    }

    /**
     * {@code convolution(x, zeroPadding)} with this layer's padding: zeros padded by the convolution itself, any other
     * mode by {@link F#pad(Tensor, int[], PaddingMode)} first and then convolved without padding, as PyTorch does.
     */
    final Tensor paddedInMode(Tensor x, BiFunction<Tensor, int[], Tensor> convolution) {
        if (paddingMode == PaddingMode.ZEROS || Arrays.stream(padding).allMatch(p -> p == 0)) {
            return convolution.apply(x, padding);
        }
        // F.pad takes both ends of the last axis first.
        int[] pads = new int[2 * padding.length];
        for (int a = 0; a < padding.length; a++) {
            pads[2 * a] = pads[2 * a + 1] = padding[padding.length - 1 - a];
        }
        return Temporaries.freedWithoutGradients(
                () -> convolution.apply(F.pad(x, pads, paddingMode), new int[padding.length]));
    }

    /**
     * {@code convolution}'s result, an argument error in it prefixed with this layer and the input's and weight's
     * shapes.
     */
    final Tensor naming(Tensor x, Supplier<Tensor> convolution) {
        try {
            return convolution.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + ", weight " + param("weight").shape()
                    + ": " + e.getMessage(), e);
        }
    }

    /**
     * PyTorch's {@code extra_repr}: channels, kernel size and stride as tuples, then padding, dilation, output padding,
     * groups, bias and padding mode where not their defaults.
     */
    @Override
    protected String extraRepr() {
        String paddingRepr = paddingWord == null ? unlessAll(", padding=", padding, 0) : ", padding=" + paddingWord;
        return settings(inChannels, outChannels, kernel, stride, paddingRepr, dilation,
                transposed ? outputPadding : null, groups, bias() != null)
                + (paddingMode == PaddingMode.ZEROS ? "" : ", padding_mode=" + paddingMode.pytorchName());
    }

    /** Records the padding word the builder was given ({@code "same"}, {@code "valid"} or null) for the repr. */
    final void paddingWord(String word) {
        paddingWord = word;
    }

    /**
     * PyTorch's {@code extra_repr} of a convolution up to its padding mode: channels, kernel and stride as tuples,
     * then padding, dilation, output padding (null: none, not transposed), groups and bias where they differ from the
     * defaults. The lazy layer prints its own through it.
     */
    static String settings(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation,
            int[] outputPadding, int groups, boolean bias) {
        return settings(in, out, kernel, stride, unlessAll(", padding=", padding, 0), dilation, outputPadding, groups,
                bias);
    }

    /** As {@link #settings(int, int, int[], int[], int[], int[], int[], int, boolean)}, the padding printed already. */
    private static String settings(int in, int out, int[] kernel, int[] stride, String paddingRepr, int[] dilation,
            int[] outputPadding, int groups, boolean bias) {
        return in + ", " + out + ", kernel_size=" + PythonRepr.tuple(kernel) + ", stride=" + PythonRepr.tuple(stride)
                + paddingRepr + unlessAll(", dilation=", dilation, 1)
                + (outputPadding == null ? "" : unlessAll(", output_padding=", outputPadding, 0))
                + (groups == 1 ? "" : ", groups=" + groups) + (bias ? "" : ", bias=False");
    }

    private static String unlessAll(String name, int[] values, int fallback) {
        return Arrays.stream(values).allMatch(v -> v == fallback) ? "" : name + PythonRepr.tuple(values);
    }

    @Override
    protected String typeName() {
        return type;
    }
}
