package dev.kiln.seq2seq;

import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * Source sequences of one batch, padded: {@code ids} [batch, S] (I64; id {@link Seq2SeqModel#PAD} past each
 * sequence's end) and the real {@code lengths}, each in [1, S].
 */
public record SourceBatch(Tensor ids, int[] lengths) {
    public SourceBatch {
        if (ids.rank() != 2 || ids.dim(0) != lengths.length) {
            throw new IllegalArgumentException("SourceBatch: ids " + ids.shape() + " must be [batch, steps] with batch = "
                    + lengths.length + " lengths");
        }
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > ids.dim(1)) {
                throw new IllegalArgumentException("SourceBatch: length " + lengths[b] + " of sequence " + b
                        + " is outside [1, " + ids.dim(1) + "], the steps of ids " + ids.shape());
            }
        }
    }

    /** Pads {@code sequences} (token ids, at least one each) into one batch. */
    public static SourceBatch of(List<int[]> sequences) {
        int batch = sequences.size();
        int[] lengths = new int[batch];
        int steps = 0;
        for (int b = 0; b < batch; b++) {
            lengths[b] = sequences.get(b).length;
            if (lengths[b] == 0) {
                throw new IllegalArgumentException("SourceBatch: sequence " + b + " is empty");
            }
            steps = Math.max(steps, lengths[b]);
        }
        long[] ids = new long[batch * steps];
        for (int b = 0; b < batch; b++) {
            int[] s = sequences.get(b);
            for (int t = 0; t < s.length; t++) {
                ids[b * steps + t] = s[t];
            }
        }
        return new SourceBatch(Tensor.fromArray(ids, batch, steps), lengths);
    }

    public int batch() {
        return lengths.length;
    }

    public int steps() {
        return ids.dim(1);
    }
}
