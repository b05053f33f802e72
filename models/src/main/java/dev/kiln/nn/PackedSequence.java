package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Objects;

/**
 * PyTorch's {@code PackedSequence}: a batch of sequences of different lengths stored time-major without padding,
 * as {@link RnnUtils#packPaddedSequence} and {@link RnnUtils#packSequence} make it.
 *
 * <ul>
 * <li>{@code data} [sum of lengths, *]: step 0 of every sequence, then step 1 of every sequence still running, ...,
 *     the sequences in each step ordered longest first;</li>
 * <li>{@code batchSizes}: how many sequences run at each step (non-increasing), held on the host as I64 values
 *     like PyTorch's CPU {@code batch_sizes};</li>
 * <li>{@code sortedIndices} [B] (I64): the original batch index of each sorted position, and
 *     {@code unsortedIndices} [B] its inverse; both null when the sequences came sorted
 *     ({@code enforceSorted}), as PyTorch leaves them None.</li>
 * </ul>
 */
public record PackedSequence(Tensor data, long[] batchSizes, Tensor sortedIndices, Tensor unsortedIndices) {

    /**
     * Keeps its own copy of the batch sizes, so the caller's array can change without changing this.
     *
     * @throws IllegalArgumentException when the batch sizes are empty, not positive and non-increasing, or do not
     *     add up to data's rows
     */
    public PackedSequence {
        batchSizes = batchSizes.clone();
        long rows = 0;
        for (int t = 0; t < batchSizes.length; t++) {
            if (batchSizes[t] <= 0 || t > 0 && batchSizes[t] > batchSizes[t - 1]) {
                throw new IllegalArgumentException("PackedSequence: batch sizes " + Arrays.toString(batchSizes)
                        + " must be positive and non-increasing");
            }
            rows += batchSizes[t];
        }
        if (batchSizes.length == 0 || data.rank() < 1 || data.dim(0) != rows) {
            throw new IllegalArgumentException("PackedSequence: data " + data.shape() + " must be [" + rows
                    + ", *], the sum of the batch sizes " + Arrays.toString(batchSizes));
        }
    }

    /** A copy of the batch sizes; the record's own never change. */
    @Override
    public long[] batchSizes() {
        return batchSizes.clone();
    }

    /** The number of sequences: the batch size of step 0. */
    public int batch() {
        return (int) batchSizes[0];
    }

    /** The length of the longest sequence: the number of steps. */
    public int steps() {
        return batchSizes.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PackedSequence p && data.equals(p.data) && Arrays.equals(batchSizes, p.batchSizes)
                && Objects.equals(sortedIndices, p.sortedIndices)
                && Objects.equals(unsortedIndices, p.unsortedIndices);
    }

    @Override
    public int hashCode() {
        return 31 * data.hashCode() + Arrays.hashCode(batchSizes);
    }

    @Override
    public String toString() {
        return "PackedSequence(data " + data.shape() + ", batchSizes " + Arrays.toString(batchSizes)
                + (sortedIndices == null ? ", sorted" : "") + ")";
    }
}
