package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;

/**
 * The index arithmetic behind {@link RnnUtils}'s packing: every conversion is one index select (or a narrow),
 * so gradients flow back through the ops' own backward rules.
 */
final class SequencePacking {
    private SequencePacking() {
    }

    /**
     * Packs {@code timeMajor} [T, B, *] whose sequence b is {@code lengths[b]} long (checked by the caller), the sorted position
     * j holding sequence {@code order[j]}; {@code sorted} and {@code unsorted} are the record's index tensors.
     */
    static PackedSequence pack(Tensor timeMajor, int[] lengths, int[] order, Tensor sorted, Tensor unsorted) {
        int steps = timeMajor.dim(0);
        int batch = timeMajor.dim(1);
        long[] batchSizes = batchSizes(lengths);
        List<Long> rows = new ArrayList<>();
        for (int t = 0; t < batchSizes.length; t++) {
            for (int j = 0; j < batchSizes[t]; j++) {
                rows.add((long) t * batch + order[j]);
            }
        }
        Tensor flat = timeMajor.reshape(withLeading(timeMajor, steps * batch, 2));
        Tensor data = flat.indexSelect(0, index(timeMajor, rows.stream().mapToLong(Long::longValue).toArray()));
        return new PackedSequence(data, batchSizes, sorted, unsorted);
    }

    /** [T, B, *] (T = {@code steps}) from {@code packed}, sequence b in column b, {@code value} past its end. */
    static Tensor padTimeMajor(PackedSequence packed, int steps, double value) {
        int[] sortedLengths = sortedLengths(packed.batchSizes());
        int[] position = positions(packed);
        long[] offsets = offsets(packed.batchSizes());
        Tensor data = packed.data();
        long paddingRow = data.dim(0);
        long[] rows = new long[steps * packed.batch()];
        for (int t = 0; t < steps; t++) {
            for (int b = 0; b < packed.batch(); b++) {
                int j = position[b];
                rows[t * packed.batch() + b] = t < sortedLengths[j] ? offsets[t] + j : paddingRow;
            }
        }
        // One extra row of padding that every step past a sequence's end reads.
        Tensor padding = data.fullLike(value, Shape.of(withLeading(data, 1, 1)));
        Tensor withPadding = Tensor.cat(List.of(data, padding), 0);
        Tensor flat = withPadding.indexSelect(0, index(data, rows));
        Module.releaseConsumed(padding, withPadding);
        Module.releaseConsumed(withPadding, flat);
        int[] dims = data.shape().dims();
        int[] out = new int[dims.length + 1];
        out[0] = steps;
        out[1] = packed.batch();
        System.arraycopy(dims, 1, out, 2, dims.length - 1);
        return flat.reshape(out);
    }

    /** Each sequence of {@code packed} [L_b, *], in the batch's original order: one index select each. */
    static List<Tensor> unpack(PackedSequence packed) {
        int[] sortedLengths = sortedLengths(packed.batchSizes());
        int[] position = positions(packed);
        long[] offsets = offsets(packed.batchSizes());
        List<Tensor> sequences = new ArrayList<>();
        for (int b = 0; b < packed.batch(); b++) {
            int j = position[b];
            long[] rows = IntStream.range(0, sortedLengths[j]).mapToLong(t -> offsets[t] + j).toArray();
            sequences.add(packed.data().indexSelect(0, index(packed.data(), rows)));
        }
        return sequences;
    }

    /** Each sequence's length in the batch's original order. */
    static int[] lengths(PackedSequence packed) {
        int[] sortedLengths = sortedLengths(packed.batchSizes());
        int[] position = positions(packed);
        return IntStream.range(0, packed.batch()).map(b -> sortedLengths[position[b]]).toArray();
    }

    /** The sorted position of each original sequence (identity when the packed batch came sorted). */
    static int[] order(PackedSequence packed) {
        return packed.sortedIndices() == null ? IntStream.range(0, packed.batch()).toArray()
                : Arrays.stream(packed.sortedIndices().toLongArray()).mapToInt(v -> (int) v).toArray();
    }

    /** An I64 index on {@code like}'s backend. */
    static Tensor index(Tensor like, long[] values) {
        return Tensor.fromArray(values, values.length).to(like.backend());
    }

    static Tensor index(Tensor like, int[] values) {
        return index(like, Arrays.stream(values).asLongStream().toArray());
    }

    private static int[] positions(PackedSequence packed) {
        return Recurrent.inverse(order(packed));
    }

    /** How many of the sequences run at each step up to the longest. */
    private static long[] batchSizes(int[] lengths) {
        long[] sizes = new long[Arrays.stream(lengths).max().orElse(0)];
        for (int length : lengths) {
            for (int t = 0; t < length; t++) {
                sizes[t]++;
            }
        }
        return sizes;
    }

    /** The length of each sorted position: how many steps have more sequences than it. */
    private static int[] sortedLengths(long[] batchSizes) {
        int[] lengths = new int[(int) batchSizes[0]];
        for (long size : batchSizes) {
            for (int j = 0; j < size; j++) {
                lengths[j]++;
            }
        }
        return lengths;
    }

    /** The first packed row of each step. */
    private static long[] offsets(long[] batchSizes) {
        long[] offsets = new long[batchSizes.length];
        for (int t = 1; t < batchSizes.length; t++) {
            offsets[t] = offsets[t - 1] + batchSizes[t - 1];
        }
        return offsets;
    }

    /** {@code t}'s dims with the first {@code drop} replaced by {@code leading}. */
    private static int[] withLeading(Tensor t, int leading, int drop) {
        int[] dims = t.shape().dims();
        int[] out = new int[dims.length - drop + 1];
        out[0] = leading;
        System.arraycopy(dims, drop, out, 1, dims.length - drop);
        return out;
    }
}
