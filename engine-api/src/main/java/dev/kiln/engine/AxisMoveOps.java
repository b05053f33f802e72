package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch's {@code movedim} and {@code rot90}: axes reordered (one {@code permute}) and matrices turned by quarter
 * turns (a {@code flip} and a {@code transpose} as PyTorch composes it, recorded as one op whose gradient is the
 * opposite turn). Any dtype.
 */
final class AxisMoveOps {
    private AxisMoveOps() {
    }

    /** Axis {@code source[i]} moved to position {@code destination[i]}; the other axes keep their order. */
    static Tensor movedim(Tensor x, int[] source, int[] destination) {
        String op = "movedim";
        Checks.open(op, x);
        if (source.length != destination.length) {
            throw new IllegalArgumentException(op + ": source " + Arrays.toString(source) + " and destination "
                    + Arrays.toString(destination) + " must have as many axes, got " + source.length + " and "
                    + destination.length);
        }
        Axes.distinct(op, x.shape(), source);
        Axes.distinct(op, x.shape(), destination);
        int rank = x.rank();
        int[] perm = new int[rank];
        Arrays.fill(perm, -1);
        boolean[] moved = new boolean[rank];
        for (int i = 0; i < source.length; i++) {
            int from = Axes.axis(op, x.shape(), source[i]);
            perm[Axes.axis(op, x.shape(), destination[i])] = from;
            moved[from] = true;
        }
        int next = 0;
        for (int i = 0; i < rank; i++) {
            if (perm[i] < 0) {
                while (moved[next]) {
                    next++;
                }
                perm[i] = next++;
            }
        }
        return x.permute(perm);
    }

    /** The matrices in axes {@code dims} turned k quarter turns from the first axis towards the second. */
    static Tensor rot90(Tensor x, int k, int[] dims) {
        String op = "rot90";
        Checks.open(op, x);
        if (dims.length != 2) {
            throw new IllegalArgumentException(op + ": dims must name 2 axes, got " + dims.length + ": "
                    + Arrays.toString(dims));
        }
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 2 dimensions, got shape " + x.shape());
        }
        int a = Axes.axis(op, x.shape(), dims[0]);
        int b = Axes.axis(op, x.shape(), dims[1]);
        if (a == b) {
            throw new IllegalArgumentException(op + ": dims " + Arrays.toString(dims) + " name axis " + a + " of shape "
                    + x.shape() + " twice; they must differ");
        }
        int turns = Math.floorMod(k, 4);
        return Composite.op(op, x, () -> turned(x, turns, a, b), (out, g) -> turned(g, (4 - turns) % 4, a, b));
    }

    /** {@code x} turned {@code turns} (0 to 3) quarter turns in axes (a, b). */
    private static Tensor turned(Tensor x, int turns, int a, int b) {
        return switch (turns) {
            case 1 -> x.flip(b).transpose(a, b);
            case 2 -> x.flip(a, b);
            case 3 -> x.flip(a).transpose(a, b);
            default -> x;
        };
    }
}
