package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch's {@code repeat}, {@code tile} and {@code repeat_interleave}. Repeat copies the whole tensor along each axis:
 * x [d0, ...] reshaped to [1, d0, 1, d1, ...], expanded to [r0, d0, r1, d1, ...] and flattened pairwise to
 * [r0 d0, r1 d1, ...], recorded as one op whose gradient sums the copies. Repeat-interleave repeats each slice in
 * place: one {@code indexSelect} with an index made on the host, whose gradient adds the copies back. Any dtype.
 */
final class RepeatOps {
    private RepeatOps() {
    }

    /** {@code repeats} (one per axis, more to add leading axes) copies along each axis. */
    static Tensor repeat(Tensor x, int... repeats) {
        String op = "repeat";
        Checks.open(op, x);
        if (repeats.length < x.rank()) {
            throw new IllegalArgumentException(op + ": " + Arrays.toString(repeats) + " gives " + repeats.length
                    + " repeats for a tensor of shape " + x.shape() + "; give at least one per axis (" + x.rank() + ")");
        }
        return repeated(op, x, repeats);
    }

    /** As {@link #repeat}, with fewer {@code repeats} than axes taken as repeats of the last axes (1 for the rest). */
    static Tensor tile(Tensor x, int... repeats) {
        Checks.open("tile", x);
        int[] all = repeats;
        if (repeats.length < x.rank()) {
            all = new int[x.rank()];
            Arrays.fill(all, 1);
            System.arraycopy(repeats, 0, all, x.rank() - repeats.length, repeats.length);
        }
        return repeated("tile", x, all);
    }

    private static Tensor repeated(String op, Tensor x, int[] repeats) {
        int rank = repeats.length;
        int[] dims = new int[rank];
        Arrays.fill(dims, 1);
        System.arraycopy(x.shape().dims(), 0, dims, rank - x.rank(), x.rank());
        int[] single = new int[2 * rank];
        int[] copies = new int[2 * rank];
        int[] out = new int[rank];
        int[] copyAxes = new int[rank];
        for (int k = 0; k < rank; k++) {
            if (repeats[k] < 0) {
                throw new IllegalArgumentException(op + ": repeats " + Arrays.toString(repeats)
                        + " must not be negative, got " + repeats[k] + " for axis " + k);
            }
            single[2 * k] = 1;
            single[2 * k + 1] = dims[k];
            copies[2 * k] = repeats[k];
            copies[2 * k + 1] = dims[k];
            out[k] = Checks.dimension(op, "axis " + k, (long) repeats[k] * dims[k]);
            copyAxes[k] = 2 * k;
        }
        Shape source = x.shape();
        return Composite.op(op, x, () -> x.reshape(single).expand(copies).reshape(out),
                (y, g) -> Axes.sum(g.reshape(copies), copyAxes).reshape(source.dims()));
    }

    /** Each slice along {@code axis} repeated {@code repeats} times in place. */
    static Tensor repeatInterleave(Tensor x, int repeats, int axis) {
        String op = "repeatInterleave";
        Checks.open(op, x);
        int a = Axes.axis(op, x.shape(), axis);
        if (repeats < 0) {
            throw new IllegalArgumentException(op + ": repeats must not be negative, got " + repeats);
        }
        long[] counts = new long[x.dim(a)];
        Arrays.fill(counts, repeats);
        return interleaved(op, x, a, counts);
    }

    /** Slice i along {@code axis} repeated {@code repeats[i]} times (repeats: [n] or one value for all, integers). */
    static Tensor repeatInterleave(Tensor x, Tensor repeats, int axis) {
        String op = "repeatInterleave";
        Checks.open(op, x, repeats);
        int a = Axes.axis(op, x.shape(), axis);
        if (repeats.dtype().isFloating() || repeats.rank() > 1) {
            throw new IllegalArgumentException(op + ": repeats must be a vector or scalar of I32 or I64, got "
                    + repeats.shape() + " " + repeats.dtype());
        }
        int n = x.dim(a);
        long[] given = repeats.toLongArray();
        if (given.length != n && given.length != 1) {
            throw new IllegalArgumentException(op + ": repeats " + repeats.shape() + " must hold one count per slice ("
                    + n + ", axis " + axis + " of " + x.shape() + ") or one for all, got " + given.length);
        }
        long[] counts = new long[n];
        for (int i = 0; i < n; i++) {
            counts[i] = given[given.length == 1 ? 0 : i];
            if (counts[i] < 0) {
                throw new IllegalArgumentException(op + ": repeats must not be negative, got " + counts[i]
                        + " for slice " + i);
            }
        }
        return interleaved(op, x, a, counts);
    }

    private static Tensor interleaved(String op, Tensor x, int axis, long[] counts) {
        long total = Arrays.stream(counts).sum();
        long[] index = new long[Checks.dimension(op, "the repeated axis", total)];
        int k = 0;
        for (int i = 0; i < counts.length; i++) {
            for (long r = 0; r < counts[i]; r++) {
                index[k++] = i;
            }
        }
        return Tensor.consume(HostValues.longs(x, index, index.length), x, i -> x.indexSelect(axis, i));
    }
}
