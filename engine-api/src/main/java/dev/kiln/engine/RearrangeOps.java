package dev.kiln.engine;

import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's {@code flip} and {@code roll}: the elements reordered along axes, any dtype. Flip selects each axis's
 * slices in reverse ({@code indexSelect} with an index uploaded from the host, n longs per axis); roll cuts each axis
 * in two and swaps the pieces ({@code narrow} and {@code cat}). Each op's gradient is the opposite reordering.
 */
final class RearrangeOps {
    private RearrangeOps() {
    }

    static Tensor flip(Tensor x, int... axes) {
        Checks.open("flip", x);
        int[] a = Axes.distinct("flip", x.shape(), axes);
        return Composite.op("flip", x, () -> flipped(x, a), (out, g) -> flipped(g, a));
    }

    private static Tensor flipped(Tensor x, int[] axes) {
        Tensor y = x;
        for (int a : axes) {
            int n = y.dim(a);
            if (n > 1) {
                long[] reversed = new long[n];
                Arrays.setAll(reversed, i -> n - 1 - i);
                y = y.indexSelect(a, HostValues.longs(x, reversed, n));
            }
        }
        return y;
    }

    /** PyTorch's {@code roll} without dims: the elements in row-major order moved {@code shift} places on. */
    static Tensor rollFlat(Tensor x, int shift) {
        Checks.open("roll", x);
        int n = Math.toIntExact(x.size());
        int forward = n == 0 ? 0 : Math.floorMod(shift, n);
        return Composite.op("roll", x, () -> rolledFlat(x, forward), (out, g) -> rolledFlat(g, backward(forward, n)));
    }

    /** The shift in [0, n) that undoes {@code shift} in [0, n) on an axis of n. */
    private static int backward(int shift, int n) {
        return shift == 0 ? 0 : n - shift;
    }

    private static Tensor rolledFlat(Tensor t, int shift) {
        return rolled(t.reshape(-1), new int[] {shift}, new int[] {0}).reshape(t.shape().dims());
    }

    static Tensor roll(Tensor x, int[] shifts, int[] axes) {
        Checks.open("roll", x);
        if (shifts.length != axes.length || shifts.length == 0) {
            throw new IllegalArgumentException("roll: " + shifts.length + " shifts " + Arrays.toString(shifts) + " for "
                    + axes.length + " axes " + Arrays.toString(axes) + " of " + x.shape()
                    + "; give one shift per axis, or one shift alone to roll the flattened tensor");
        }
        int[] a = new int[axes.length];
        int[] forward = new int[axes.length];
        int[] back = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            a[i] = Axes.axis("roll", x.shape(), axes[i]);
            int n = x.dim(a[i]);
            forward[i] = n == 0 ? 0 : Math.floorMod(shifts[i], n);
            back[i] = backward(forward[i], n);
        }
        return Composite.op("roll", x, () -> rolled(x, forward, a), (out, g) -> rolled(g, back, a));
    }

    /**
     * {@code x} with element i of each {@code axes[k]} moved to {@code (i + shifts[k]) mod n}, each shift in [0, n);
     * an axis may repeat.
     */
    private static Tensor rolled(Tensor x, int[] shifts, int[] axes) {
        Tensor y = x;
        for (int k = 0; k < axes.length; k++) {
            int n = y.dim(axes[k]);
            int shift = shifts[k];
            if (shift != 0) {
                y = Tensor.cat(List.of(y.narrow(axes[k], n - shift, shift), y.narrow(axes[k], 0, n - shift)), axes[k]);
            }
        }
        return y;
    }
}
