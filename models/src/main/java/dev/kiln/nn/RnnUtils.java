package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/** Helpers for sequences of different lengths, after PyTorch's {@code torch.nn.utils.rnn}. */
public final class RnnUtils {
    private RnnUtils() {
    }

    /**
     * PyTorch's {@code pad_sequence(sequences, batch_first, padding_value)}: sequences [L_i, *] (the same trailing
     * axes and dtype) stacked into [maxL, batch, *], or [batch, maxL, *] with {@code batchFirst}, each filled up to
     * the longest with {@code paddingValue}. Gradients flow back to each sequence.
     *
     * @throws IllegalArgumentException when the list is empty, or naming the sequence whose rank, trailing axes or
     *     dtype differ from the first's
     */
    public static Tensor padSequence(List<Tensor> sequences, boolean batchFirst, double paddingValue) {
        check(sequences);
        int longest = 0;
        for (Tensor s : sequences) {
            longest = Math.max(longest, s.dim(0));
        }
        List<Tensor> padded = new ArrayList<>();
        for (Tensor s : sequences) {
            padded.add(s.dim(0) == longest ? s : padded(s, longest, paddingValue));
        }
        Tensor out = Tensor.stack(padded, batchFirst ? 0 : 1);
        for (int i = 0; i < padded.size(); i++) {
            Module.releaseConsumed(padded.get(i), out, sequences.get(i));
        }
        return out;
    }

    /** {@code s} [L, *] filled up to {@code longest} with {@code value}; the filling freed where nothing reads it. */
    private static Tensor padded(Tensor s, int longest, double value) {
        Tensor filling = s.fullLike(value, filling(s, longest));
        Tensor out = Tensor.cat(List.of(s, filling), 0);
        Module.releaseConsumed(filling, out);
        return out;
    }

    /** The shape of the padding that makes {@code s} [L, *] {@code longest} long. */
    private static Shape filling(Tensor s, int longest) {
        int[] dims = s.shape().dims();
        dims[0] = longest - dims[0];
        return Shape.of(dims);
    }

    private static void check(List<Tensor> sequences) {
        if (sequences == null || sequences.isEmpty()) {
            throw new IllegalArgumentException("padSequence: needs at least one sequence");
        }
        Tensor first = sequences.get(0);
        if (first.rank() < 1) {
            throw new IllegalArgumentException("padSequence: sequence 0 " + first.shape() + " must be [L, *]");
        }
        int[] trailing = Arrays.copyOfRange(first.shape().dims(), 1, first.rank());
        for (int i = 1; i < sequences.size(); i++) {
            Tensor s = sequences.get(i);
            boolean same = s.rank() == first.rank()
                    && Arrays.equals(trailing, Arrays.copyOfRange(s.shape().dims(), 1, s.rank()));
            if (!same) {
                throw new IllegalArgumentException("padSequence: sequence " + i + " " + s.shape()
                        + " must be [L" + Arrays.stream(trailing).mapToObj(d -> ", " + d).reduce("", String::concat)
                        + "] like sequence 0 " + first.shape());
            }
            if (s.dtype() != first.dtype()) {
                throw new IllegalArgumentException("padSequence: sequence " + i + " is " + s.dtype() + ", sequence 0 "
                        + first.dtype());
            }
        }
    }

    // ---- Packed sequences (see PackedSequence, SequencePacking) ------------------------------------

    /**
     * PyTorch's {@code pack_padded_sequence(input, lengths, batch_first, enforce_sorted)}: {@code input} [T, B, *]
     * (or [B, T, *] with {@code batchFirst}) whose sequence b is {@code lengths[b]} long, packed time-major with the
     * sequences longest first (see {@link PackedSequence}). With {@code enforceSorted} the lengths must already be
     * non-increasing and the indices are null; otherwise ties keep their batch order. Gradients flow back to input.
     *
     * @throws IllegalArgumentException when the lengths' count is not B, a length is not in [1, T], or they are
     *     not sorted with enforceSorted
     */
    public static PackedSequence packPaddedSequence(Tensor input, int[] lengths, boolean batchFirst,
                                                    boolean enforceSorted) {
        if (input.rank() < 2) {
            throw new IllegalArgumentException("packPaddedSequence: input " + input.shape() + " must be "
                    + (batchFirst ? "[B, T, *]" : "[T, B, *]"));
        }
        checkLengths("packPaddedSequence", lengths, input.dim(batchFirst ? 0 : 1), input.dim(batchFirst ? 1 : 0));
        int[] order;
        Tensor sorted = null;
        Tensor unsorted = null;
        if (enforceSorted) {
            checkSorted(lengths);
            order = IntStream.range(0, lengths.length).toArray();
        } else {
            order = Recurrent.longestFirst(lengths);
            sorted = SequencePacking.index(input, order);
            unsorted = SequencePacking.index(input, Recurrent.inverse(order));
        }
        Tensor timeMajor = batchFirst ? input.transpose(0, 1) : input;
        PackedSequence packed = SequencePacking.pack(timeMajor, lengths, order, sorted, unsorted);
        Module.releaseConsumed(timeMajor, packed.data(), input);
        return packed;
    }

    /**
     * PyTorch's {@code pad_packed_sequence(sequence, batch_first, padding_value, total_length)}: the padded batch
     * [T, B, *] (or [B, T, *]) in the original order, {@code paddingValue} past each sequence's end, T the longest
     * length or {@code totalLength} when not null, and the lengths. Gradients flow back to the packed data.
     *
     * @throws IllegalArgumentException when totalLength is shorter than the longest sequence
     */
    public static PaddedSequences padPackedSequence(PackedSequence packed, boolean batchFirst, double paddingValue,
                                                    Integer totalLength) {
        int steps = packed.steps();
        if (totalLength != null) {
            if (totalLength < steps) {
                throw new IllegalArgumentException("padPackedSequence: totalLength " + totalLength
                        + " must be at least the longest sequence's length " + steps);
            }
            steps = totalLength;
        }
        Tensor padded = SequencePacking.padTimeMajor(packed, steps, paddingValue);
        return new PaddedSequences(batchFirst ? consumeTranspose(padded) : padded, SequencePacking.lengths(packed));
    }

    /** {@link #padPackedSequence(PackedSequence, boolean, double, Integer)} with zeros up to the longest length. */
    public static PaddedSequences padPackedSequence(PackedSequence packed, boolean batchFirst) {
        return padPackedSequence(packed, batchFirst, 0, null);
    }

    /**
     * PyTorch's {@code pack_sequence(sequences, enforce_sorted)}: sequences [L_i, *] packed as
     * {@link #packPaddedSequence} packs them padded.
     *
     * @throws IllegalArgumentException as padSequence and packPaddedSequence do
     */
    public static PackedSequence packSequence(List<Tensor> sequences, boolean enforceSorted) {
        Tensor padded = padSequence(sequences, false, 0);
        int[] lengths = sequences.stream().mapToInt(s -> s.dim(0)).toArray();
        PackedSequence packed = packPaddedSequence(padded, lengths, false, enforceSorted);
        Module.releaseConsumed(padded, packed.data());
        return packed;
    }

    /**
     * PyTorch 2's {@code unpack_sequence(packed_sequences)} (1.13 has none): the sequences [L_b, *] in the original
     * order, each one index select of the packed data.
     */
    public static List<Tensor> unpackSequence(PackedSequence packed) {
        return SequencePacking.unpack(packed);
    }

    /**
     * PyTorch 2's {@code unpad_sequence(padded_sequences, lengths, batch_first)} (1.13 has none): sequence b of
     * {@code padded} [T, B, *] (or [B, T, *]) cut to its first {@code lengths[b]} steps.
     *
     * @throws IllegalArgumentException when the lengths' count is not B or a length is not in [1, T]
     */
    public static List<Tensor> unpadSequence(Tensor padded, int[] lengths, boolean batchFirst) {
        if (padded.rank() < 2) {
            throw new IllegalArgumentException("unpadSequence: padded " + padded.shape() + " must be "
                    + (batchFirst ? "[B, T, *]" : "[T, B, *]"));
        }
        Tensor batchMajor = batchFirst ? padded : padded.transpose(0, 1);
        checkLengths("unpadSequence", lengths, batchMajor.dim(0), batchMajor.dim(1));
        List<Tensor> sequences = new ArrayList<>();
        for (int b = 0; b < lengths.length; b++) {
            sequences.add(batchMajor.narrow(0, b, 1).squeeze(0).narrow(0, 0, lengths[b]));
        }
        return sequences;
    }

    private static Tensor consumeTranspose(Tensor timeMajor) {
        Tensor out = timeMajor.transpose(0, 1);
        Module.releaseConsumed(timeMajor, out);
        return out;
    }

    private static void checkLengths(String op, int[] lengths, int batch, int steps) {
        if (lengths.length != batch) {
            throw new IllegalArgumentException(op + ": " + lengths.length + " lengths for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] <= 0 || lengths[b] > steps) {
                throw new IllegalArgumentException(op + ": length " + lengths[b] + " of sequence " + b
                        + " must be in [1, " + steps + "] (the padded length)");
            }
        }
    }

    private static void checkSorted(int[] lengths) {
        for (int b = 1; b < lengths.length; b++) {
            if (lengths[b] > lengths[b - 1]) {
                throw new IllegalArgumentException("packPaddedSequence: lengths " + Arrays.toString(lengths)
                        + " must be sorted in decreasing order when enforceSorted is true (length " + lengths[b]
                        + " of sequence " + b + " > " + lengths[b - 1] + "); pass enforceSorted false to sort them");
            }
        }
    }
}
