package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch's {@code F.pad} modes that fill the border from the tensor's own elements: reflect, replicate and circular,
 * on the last 1, 2 or 3 axes of an unbatched [channels, ...] or batched [batch, channels, ...] input. Every output
 * element is a copy of one input element, so the padded axes go through one {@link TrailingAxesGather} (an upload
 * that keeps a step that pads this way from being recorded as a {@link StepGraph}, as with flip and unfold).
 *
 * <p>Positions are computed per axis as PyTorch's kernels compute them, from the output position {@code i} and the
 * amounts (before, after) for an axis of n: reflect reads {@code |i - before|} mirrored back at {@code n - 1},
 * replicate {@code i - before} clamped to [0, n), both so that a negative amount crops; circular first crops the
 * negative amounts and wraps around what remains, as PyTorch's {@code _pad_circular} does.
 */
final class BorderPadOps {
    private BorderPadOps() {
    }

    static Tensor pad(Tensor x, int[] pads, PaddingMode mode) {
        Checks.open("pad", x);
        PadOps.checkPairs(pads);
        int axes = pads.length / 2;
        checkRank(x, pads, mode);
        int first = x.rank() - axes;
        int[] outDims = x.shape().dims();
        long[] index = {0};
        for (int axis = first; axis < x.rank(); axis++) {
            int pair = 2 * (x.rank() - 1 - axis);
            int[] sources = sources(x, axis, pads[pair], pads[pair + 1], mode);
            outDims[axis] = sources.length;
            index = TrailingAxesGather.extended("pad", index, x.dim(axis), sources);
        }
        return TrailingAxesGather.select("pad", x, Shape.of(outDims), first, index);
    }

    /** The input position each output position of {@code axis} reads, after checking the amounts. */
    private static int[] sources(Tensor x, int axis, int before, int after, PaddingMode mode) {
        int n = x.dim(axis);
        String padding = mode.pytorchName() + " padding (" + before + ", " + after + ") of axis " + axis + " of "
                + x.shape();
        long size = (long) n + before + after;
        if (mode == PaddingMode.CIRCULAR) {
            checkWrap(padding, n, before, after);
        } else {
            checkBorder(padding, n, before, after, mode, size);
        }
        int[] sources = new int[Checks.dimension("pad", padding, size)];
        int kept = n - Math.max(0, -before) - Math.max(0, -after);
        for (int i = 0; i < sources.length; i++) {
            sources[i] = source(mode, i, n, before, kept);
        }
        return sources;
    }

    private static int source(PaddingMode mode, int i, int n, int before, int kept) {
        if (mode == PaddingMode.CIRCULAR) {
            return Math.max(0, -before) + Math.floorMod(i - Math.max(0, before), kept);
        }
        int p = i - before;
        if (mode == PaddingMode.REPLICATE) {
            return Math.min(Math.max(p, 0), n - 1);
        }
        return p < 0 ? -p : p >= n ? 2 * (n - 1) - p : p;
    }

    /** Reflect: each amount below the axis's size (nothing mirrors twice); both: at least one element left. */
    private static void checkBorder(String padding, int n, int before, int after, PaddingMode mode, long size) {
        if (mode == PaddingMode.REFLECT && (before >= n || after >= n)) {
            throw new IllegalArgumentException("pad: " + padding + " must be less than the axis's size " + n
                    + " on each side");
        }
        if (size < 1) {
            throw new IllegalArgumentException("pad: " + padding + " would give the axis size " + size
                    + "; it must keep at least 1 element");
        }
        if (n == 0) {
            throw new IllegalArgumentException("pad: " + padding + ": the axis is empty, with no edge to replicate");
        }
    }

    /** Circular: crop no more than the axis holds, then add no more than what is left on each side. */
    private static void checkWrap(String padding, int n, int before, int after) {
        long cropped = Math.max(0, -(long) before) + Math.max(0, -(long) after);
        if (cropped > n) {
            throw new IllegalArgumentException("pad: " + padding + " crops " + cropped + " of its " + n + " elements");
        }
        long kept = n - cropped;
        if (before > kept || after > kept) {
            throw new IllegalArgumentException("pad: " + padding + " wraps around more than once: at most " + kept
                    + " elements (what cropping leaves of the axis) on each side");
        }
    }

    /** 1, 2 or 3 padded axes after a channel axis, and optionally a batch axis before it, as PyTorch. */
    private static void checkRank(Tensor x, int[] pads, PaddingMode mode) {
        int axes = pads.length / 2;
        if (axes < 1 || axes > 3) {
            throw new IllegalArgumentException("pad: " + mode.pytorchName() + " padding pads the last 1, 2 or 3 axes, but "
                    + Arrays.toString(pads) + " holds " + axes + " pairs");
        }
        if (x.rank() != axes + 1 && x.rank() != axes + 2) {
            throw new IllegalArgumentException("pad: " + mode.pytorchName() + " padding of " + axes
                    + (axes == 1 ? " axis " : " axes ") + Arrays.toString(pads) + " needs a " + (axes + 1) + "-D [channels, ...] or " + (axes + 2)
                    + "-D [batch, channels, ...] input, got " + x.shape());
        }
    }
}
