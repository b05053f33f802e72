package dev.kiln.engine;

import java.util.Arrays;

/** The axes an op works over, checked against a tensor's shape with the op's name in every error. */
final class Axes {
    private Axes() {
    }

    /** {@code axis} of {@code shape}, a negative one counted from the end. */
    static int axis(String op, Shape shape, int axis) {
        int a = axis < 0 ? axis + shape.rank() : axis;
        if (a < 0 || a >= shape.rank()) {
            throw new IllegalArgumentException(op + ": axis " + axis + " is out of range for shape " + shape
                    + " (rank " + shape.rank() + ": axes " + -shape.rank() + " to " + (shape.rank() - 1) + ")");
        }
        return a;
    }

    /** {@code axes} of {@code shape} in increasing order, each named once; none is refused. */
    static int[] of(String op, Shape shape, int[] axes) {
        if (axes.length == 0) {
            throw new IllegalArgumentException(op + ": no axes given for shape " + shape
                    + "; the overload without axes works over all elements");
        }
        return distinct(op, shape, axes);
    }

    /** {@code axes} of {@code shape} in increasing order, each named once; none is allowed. */
    static int[] distinct(String op, Shape shape, int[] axes) {
        int[] normalised = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            normalised[i] = axis(op, shape, axes[i]);
        }
        Arrays.sort(normalised);
        for (int i = 1; i < normalised.length; i++) {
            if (normalised[i] == normalised[i - 1]) {
                throw new IllegalArgumentException(op + ": axis " + normalised[i] + " appears more than once in "
                        + Arrays.toString(axes) + " for shape " + shape);
            }
        }
        return normalised;
    }

    /** {@code shape} with each of {@code axes} reduced to size 1. */
    static Shape kept(Shape shape, int[] axes) {
        Shape s = shape;
        for (int a : axes) {
            s = s.with(a, 1);
        }
        return s;
    }

    /** {@code shape} reduced over {@code axes}: kept as size 1 when {@code keepDim}, else removed. */
    static Shape reduced(Shape shape, int[] axes, boolean keepDim) {
        if (keepDim) {
            return kept(shape, axes);
        }
        Shape s = shape;
        for (int i = axes.length - 1; i >= 0; i--) {
            s = s.without(axes[i]);
        }
        return s;
    }

    /** How many elements of {@code shape} each reduction over {@code axes} takes in. */
    static long count(Shape shape, int[] axes) {
        long n = 1;
        for (int a : axes) {
            n *= shape.dim(a);
        }
        return n;
    }

    /** The sum of {@code x} over {@code axes}, each kept as size 1. */
    static Tensor sum(Tensor x, int[] axes) {
        Tensor s = x;
        for (int a : axes) {
            s = s.sum(a, true);
        }
        return s;
    }

    /** The maximum of {@code x} over {@code axes}, each kept as size 1. */
    static Tensor max(Tensor x, int[] axes) {
        Tensor m = x;
        for (int a : axes) {
            m = m.max(a, true);
        }
        return m;
    }
}
