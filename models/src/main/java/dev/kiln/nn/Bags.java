package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The bags of an {@link EmbeddingBag} call: the indices that take part, flat, and where each bag starts and how long
 * it is, read from PyTorch's two input forms: a 2-D input [bags, length] of bags of one length, or a 1-D input with
 * offsets, each the start of a bag, checked on the host (the bag sizes decide shapes).
 *
 * <p>The bags tile the entries in order: each starts where the one before ends.
 *
 * @param entries the indices that belong to a bag, [entries] (a view of the input)
 * @param starts the first entry of each bag
 * @param lengths the entries of each bag
 */
record Bags(Tensor entries, int[] starts, int[] lengths) {

    /**
     * The bags of {@code input} (I64 or I32): 2-D [bags, length] with null offsets, or 1-D [n] with offsets (1-D, I64
     * or I32) starting at 0 and never decreasing, bag b spanning {@code [offsets[b], offsets[b + 1])}, the last one to
     * the input's end, or with {@code includeLastOffset} to the last offset, which then closes the bags rather than
     * opening one (PyTorch's {@code include_last_offset}).
     *
     * @throws IllegalArgumentException naming what is wrong, prefixed by {@code layer}
     */
    static Bags of(String layer, Tensor input, Tensor offsets, boolean includeLastOffset) {
        if (input.rank() == 2) {
            if (offsets != null) {
                throw new IllegalArgumentException(layer + ": a 2-D input " + input.shape() + " holds a bag per row;"
                        + " offsets must be null, got offsets " + offsets.shape());
            }
            int bags = input.dim(0);
            int length = input.dim(1);
            int[] starts = new int[bags];
            Arrays.setAll(starts, b -> b * length);
            int[] lengths = new int[bags];
            Arrays.fill(lengths, length);
            return new Bags(input.reshape(bags * length), starts, lengths);
        }
        if (input.rank() != 1) {
            throw new IllegalArgumentException(layer + ": input " + input.shape()
                    + " must be 2-D [bags, length], or 1-D [n] with offsets");
        }
        if (offsets == null) {
            throw new IllegalArgumentException(layer + ": a 1-D input " + input.shape()
                    + " needs offsets, the first index of each bag");
        }
        long[] at = checkedOffsets(layer, input, offsets, includeLastOffset);
        int bags = includeLastOffset ? at.length - 1 : at.length;
        int end = includeLastOffset ? (int) at[bags] : input.dim(0);
        int[] starts = new int[bags];
        int[] lengths = new int[bags];
        for (int b = 0; b < bags; b++) {
            starts[b] = (int) at[b];
            lengths[b] = (int) ((b + 1 < at.length ? at[b + 1] : end) - at[b]);
        }
        return new Bags(input.narrow(0, 0, end), starts, lengths);
    }

    /** The offsets, read to the host: at least one bag, starting at 0, never decreasing, none past the input. */
    private static long[] checkedOffsets(String layer, Tensor input, Tensor offsets, boolean includeLastOffset) {
        if (offsets.rank() != 1 || offsets.dtype() != DType.I64 && offsets.dtype() != DType.I32) {
            throw new IllegalArgumentException(layer + ": offsets " + offsets.shape() + " " + offsets.dtype()
                    + " must be 1-D I64 or I32");
        }
        int least = includeLastOffset ? 2 : 1;
        if (offsets.dim(0) < least) {
            throw new IllegalArgumentException(layer + ": offsets " + offsets.shape() + " must hold at least " + least
                    + (includeLastOffset ? " values with include_last_offset, the bags' starts and the last one's end"
                    : " value"));
        }
        long[] at = offsets.toLongArray();
        if (at[0] != 0) {
            throw new IllegalArgumentException(layer + ": offsets[0] must be 0, the start of the first bag, got "
                    + at[0]);
        }
        for (int b = 1; b < at.length; b++) {
            if (at[b] < at[b - 1]) {
                throw new IllegalArgumentException(layer + ": offsets must not decrease, got offsets[" + b + "] = "
                        + at[b] + " after offsets[" + (b - 1) + "] = " + at[b - 1]);
            }
        }
        int last = at.length - 1;
        if (at[last] > input.dim(0)) {
            throw new IllegalArgumentException(layer + ": offsets[" + last + "] = " + at[last]
                    + " is past the end of the input " + input.shape());
        }
        return at;
    }

    int count() {
        return starts.length;
    }

    int longest() {
        return Arrays.stream(lengths).max().orElse(0);
    }

    /** The bag of each entry, [entries] (I64), on {@code like}'s backend. */
    Tensor bagOfEachEntry(Tensor like) {
        long[] bagOf = new long[Math.toIntExact(entries.size())];
        for (int b = 0; b < starts.length; b++) {
            Arrays.fill(bagOf, starts[b], starts[b] + lengths[b], b);
        }
        return Tensor.fromArray(bagOf, bagOf.length).to(like.backend());
    }

    /** Whether every bag has the longest bag's length, so that the entries viewed as [bags, longest] are the bags. */
    boolean even() {
        int longest = longest();
        return Arrays.stream(lengths).allMatch(n -> n == longest);
    }

    /**
     * The entries laid out as [bags, longest], each bag's row filled up after its end from the first entry, with
     * {@link #beyondEnd} saying where. Needs a bag of at least one entry.
     */
    Tensor padded() {
        int longest = longest();
        if (even()) {
            return entries.reshape(count(), longest);
        }
        long[] slots = new long[count() * longest];
        for (int b = 0; b < count(); b++) {
            for (int k = 0; k < lengths[b]; k++) {
                slots[b * longest + k] = starts[b] + k;
            }
        }
        Tensor index = Tensor.fromArray(slots, slots.length).to(entries.backend());
        return entries.indexSelect(0, index).reshape(count(), longest);
    }

    /** 1 where {@link #padded} holds filler past a bag's end, else 0: [bags, longest] (I64), or null for none. */
    Tensor beyondEnd() {
        if (even()) {
            return null;
        }
        int longest = longest();
        long[] beyond = new long[count() * longest];
        for (int b = 0; b < count(); b++) {
            Arrays.fill(beyond, b * longest + lengths[b], (b + 1) * longest, 1);
        }
        return Tensor.fromArray(beyond, count(), longest).to(entries.backend());
    }
}
