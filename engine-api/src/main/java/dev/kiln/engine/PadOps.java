package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Constant padding, as PyTorch's {@code F.pad(x, pads, mode='constant', value)}: {@code pads} holds (before, after)
 * pairs for the last axis first, then the one before it, and so on; a negative amount crops. Composed of
 * {@code narrow} and {@code cat}; the gradient of a padding is the opposite padding (crop what was added, add 0 where
 * it was cropped).
 */
final class PadOps {
    private PadOps() {
    }

    static Tensor pad(Tensor x, int[] pads, double value) {
        Checks.open("pad", x);
        check(x, pads);
        int[] opposite = Arrays.stream(pads).map(p -> -p).toArray();
        return Composite.op("pad", x, () -> padded(x, pads, value), (out, g) -> padded(g, opposite, 0));
    }

    /** Refuses an odd number of amounts: pads holds (before, after) pairs. */
    static void checkPairs(int[] pads) {
        if (pads.length % 2 != 0) {
            throw new IllegalArgumentException("pad: " + Arrays.toString(pads) + " has odd length " + pads.length
                    + "; it holds (before, after) pairs, the last axis first");
        }
    }

    private static void check(Tensor x, int[] pads) {
        checkPairs(pads);
        if (pads.length / 2 > x.rank()) {
            throw new IllegalArgumentException("pad: " + Arrays.toString(pads) + " pads " + pads.length / 2
                    + " axes, but the tensor " + x.shape() + " has " + x.rank());
        }
        for (int i = 0; i < pads.length / 2; i++) {
            int axis = x.rank() - 1 - i;
            long size = (long) x.dim(axis) + pads[2 * i] + pads[2 * i + 1];
            if (size < 0) {
                throw new IllegalArgumentException("pad: axis " + axis + " of " + x.shape() + " padded by ("
                        + pads[2 * i] + ", " + pads[2 * i + 1] + ") would have size " + size);
            }
            long cropped = Math.max(0, -(long) pads[2 * i]) + Math.max(0, -(long) pads[2 * i + 1]);
            if (cropped > x.dim(axis)) {
                throw new IllegalArgumentException("pad: axis " + axis + " of " + x.shape() + " padded by ("
                        + pads[2 * i] + ", " + pads[2 * i + 1] + ") crops " + cropped + " of its " + x.dim(axis)
                        + " elements");
            }
            Checks.dimension("pad", "axis " + axis + " of " + x.shape() + " padded", size);
        }
    }

    /** {@link #pad} without its checks or its node: {@code x} itself where every amount is 0. */
    static Tensor padded(Tensor x, int[] pads, double value) {
        Tensor y = x;
        for (int i = 0; i < pads.length / 2; i++) {
            y = padAxis(y, x.rank() - 1 - i, pads[2 * i], pads[2 * i + 1], value);
        }
        return y;
    }

    /** {@code x} with {@code before} elements of {@code value} ahead along {@code axis} and {@code after} behind. */
    static Tensor padAxis(Tensor x, int axis, int before, int after, double value) {
        int start = Math.max(0, -before);
        int length = x.dim(axis) - start - Math.max(0, -after);
        Tensor kept = length == x.dim(axis) ? x : x.narrow(axis, start, length);
        List<Tensor> pieces = new ArrayList<>();
        if (before > 0) {
            pieces.add(filled(x, axis, before, value));
        }
        pieces.add(kept);
        if (after > 0) {
            pieces.add(filled(x, axis, after, value));
        }
        return pieces.size() == 1 ? kept : Tensor.cat(pieces, axis);
    }

    private static Tensor filled(Tensor x, int axis, int length, double value) {
        Tensor t = x.emptyLike(x.shape().with(axis, length), x.dtype());
        x.backend().fill(t, value);
        return t;
    }
}
