package dev.kiln.nn;

import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * The spatial axes a layer's per-axis settings (kernel, stride, padding, dilation) stand for, and how such a setting
 * is given, checked and printed: one value for every axis or one per axis, as PyTorch takes {@code kernel_size=3}
 * or {@code (3, 5)}.
 */
enum SpatialAxes {
    /** A length: a single value. */
    ONE(1, "one value"),
    /** (height, width). */
    TWO(2, "one value or two (height, width)"),
    /** (depth, height, width). */
    THREE(3, "one value or three (depth, height, width)");

    private final int count;
    /** The forms a setting may take, for messages. */
    private final String forms;

    SpatialAxes(int count, String forms) {
        this.count = count;
        this.forms = forms;
    }

    int count() {
        return count;
    }

    /** {@code value} on every axis. */
    int[] filled(int value) {
        int[] v = new int[count];
        Arrays.fill(v, value);
        return v;
    }

    /**
     * {@code v}, one value for every axis or one per axis, as one per axis, each at least {@code min}.
     *
     * @throws IllegalArgumentException naming {@code layer} and {@code what} for another number of values or a value
     *     below {@code min}
     */
    int[] expand(String layer, String what, int[] v, int min) {
        if (v == null || v.length != 1 && v.length != count) {
            throw new IllegalArgumentException(layer + ": " + what + " must hold " + forms + ", got "
                    + Arrays.toString(v));
        }
        int[] perAxis = v.length == 1 ? filled(v[0]) : v.clone();
        for (int x : perAxis) {
            if (x < min) {
                throw new IllegalArgumentException(layer + ": " + what + " must be at least " + min + ", got "
                        + given(v));
            }
        }
        return perAxis;
    }

    /** A setting as its caller gave it, for messages: a length's as a number, else as an array. */
    String given(int[] v) {
        return this == ONE ? Integer.toString(v[0]) : Arrays.toString(v);
    }

    /** {@code 3} when every axis has 3, else the axes' values joined by x, as {@code 1x3x3}. */
    String dims(int[] perAxis) {
        if (Arrays.stream(perAxis).allMatch(x -> x == perAxis[0])) {
            return Integer.toString(perAxis[0]);
        }
        return Arrays.stream(perAxis).mapToObj(Integer::toString).collect(Collectors.joining("x"));
    }
}
