package dev.kiln.nn;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
}
