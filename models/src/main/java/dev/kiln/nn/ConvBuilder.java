package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import java.util.Arrays;

/**
 * What the convolution layers' builders share: the settings with PyTorch's defaults (stride 1, no padding or output
 * padding, dilation 1, one group, a bias, zero padding), one value for every axis or one per axis, and padding
 * {@code "same"} or {@code "valid"}. Each layer's builder declares its own public setters (so that they return that
 * builder, also in compiled code) on these and builds the layer.
 *
 * @param <B> the layer's builder, which every setter returns
 */
abstract class ConvBuilder<B extends ConvBuilder<B>> {
    final int inChannels;
    final int outChannels;
    /** Per axis. */
    final int[] kernel;
    int[] stride;
    int[] padding;
    int[] outputPadding;
    int[] dilation;
    int groups = 1;
    boolean bias = true;
    PaddingMode paddingMode = PaddingMode.ZEROS;
    private final String type;
    private final SpatialAxes axes;
    /** Whether {@link #build} works out the padding that keeps the input's size. */
    private boolean same;
    /** {@code "same"} or {@code "valid"} as given, which the layer's repr prints as PyTorch's does; else null. */
    private String paddingWord;

    /** {@code kernel} per axis. */
    ConvBuilder(String type, SpatialAxes axes, int inChannels, int outChannels, int[] kernel) {
        this.type = type;
        this.axes = axes;
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        stride = axes.filled(1);
        padding = axes.filled(0);
        outputPadding = axes.filled(0);
        dilation = axes.filled(1);
    }

    /** One value for every axis or one per axis. */
    B strides(int... s) {
        stride = perAxis(s);
        return self();
    }

    /** One value for every axis or one per axis; cancels {@code "same"}. */
    B paddings(int... p) {
        padding = perAxis(p);
        same = false;
        paddingWord = null;
        return self();
    }

    /** One value for every axis or one per axis. */
    B outputPaddings(int... p) {
        outputPadding = perAxis(p);
        return self();
    }

    /** One value for every axis or one per axis. */
    B dilations(int... d) {
        dilation = perAxis(d);
        return self();
    }

    private int[] perAxis(int[] v) {
        return v.length == 1 ? axes.filled(v[0]) : v;
    }

    /** {@code "same"}: the padding {@link #build} works out; {@code "valid"}: none; any other word is refused. */
    B paddingNamed(String mode) {
        switch (mode) {
            case "same" -> same = true;
            case "valid" -> paddings(0);
            default -> throw new IllegalArgumentException(type + ": padding must be an int, \"same\" or \"valid\","
                    + " got \"" + mode + "\"");
        }
        paddingWord = mode;
        return self();
    }

    /**
     * The padding per axis: as set, or for {@code "same"} the one that keeps each axis' size ({@link F#samePadding}).
     *
     * @throws IllegalArgumentException naming the layer when {@code "same"} meets a stride other than 1 or an even
     *     effective kernel
     */
    int[] resolvedPadding() {
        if (!same) {
            return padding;
        }
        String name = ConvNd.name(type, axes, inChannels, outChannels, kernel);
        if (Arrays.stream(stride).anyMatch(s -> s != 1)) {
            throw new IllegalArgumentException(name + ": padding \"same\" needs stride 1, got stride "
                    + axes.given(stride));
        }
        int[] p = new int[kernel.length];
        try {
            for (int a = 0; a < p.length; a++) {
                p[a] = F.samePadding(kernel[a], dilation[a])[0];
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": padding \"same\": " + e.getMessage(), e);
        }
        return p;
    }

    /** {@code layer}, built by this builder, printing the padding word it was given ({@code padding=same}). */
    <L extends ConvNd> L withPaddingWord(L layer) {
        layer.paddingWord(paddingWord);
        return layer;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }
}
