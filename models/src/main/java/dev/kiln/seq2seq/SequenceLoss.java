package dev.kiln.seq2seq;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;

/** Losses over padded target sequences. */
public final class SequenceLoss {
    private SequenceLoss() {
    }

    /**
     * Mean cross-entropy over the real (non-PAD) positions of {@code targets} [batch, T] (I64) for
     * {@code logits} [batch, T, vocabulary]: every target token counts once, however long its sequence.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets) {
        return crossEntropy(logits, targets, 0);
    }

    /**
     * As {@link #crossEntropy(Tensor, Tensor)} against targets smoothed by {@code labelSmoothing} in [0, 1]
     * ({@link CrossEntropyLoss}): each real position's target puts {@code 1 - labelSmoothing} on the gold token
     * and spreads {@code labelSmoothing} evenly over the whole vocabulary.
     */
    public static Tensor crossEntropy(Tensor logits, Tensor targets, double labelSmoothing) {
        if (logits.rank() != 3 || targets.rank() != 2 || logits.dim(0) != targets.dim(0) || logits.dim(1) != targets.dim(1)) {
            throw new IllegalArgumentException("SequenceLoss.crossEntropy: logits " + logits.shape() + " and targets "
                    + targets.shape() + " must be [batch, T, vocabulary] and [batch, T]");
        }
        return crossEntropy(logits, targets.toLongArray(), labelSmoothing);
    }

    /**
     * As {@link #crossEntropy(Tensor, Tensor, double)} with the targets [batch, T] given row-major from the host,
     * as a batch is made: the padding positions are found without reading the targets back from a device.
     */
    public static Tensor crossEntropy(Tensor logits, long[] targets, double labelSmoothing) {
        if (logits.rank() != 3 || targets.length != (long) logits.dim(0) * logits.dim(1)) {
            throw new IllegalArgumentException("SequenceLoss.crossEntropy: logits " + logits.shape() + " and "
                    + targets.length + " targets must be [batch, T, vocabulary] and batch * T");
        }
        int real = 0;
        for (long v : targets) {
            real += v == Seq2SeqModel.PAD ? 0 : 1;
        }
        if (real == 0) {
            throw new IllegalArgumentException("SequenceLoss.crossEntropy: every target position is padding");
        }
        long[] rows = new long[real];
        long[] kept = new long[real];
        for (int i = 0, k = 0; i < targets.length; i++) {
            if (targets[i] != Seq2SeqModel.PAD) {
                rows[k] = i;
                kept[k++] = targets[i];
            }
        }
        Tensor flat = logits.reshape(-1, logits.dim(2));
        return new CrossEntropyLoss(labelSmoothing).compute(flat.indexSelect(0, Tensor.fromArray(rows, real)),
                Tensor.fromArray(kept, real));
    }
}
