package dev.kiln.train;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/** Classification hits from scores [batch, classes] and labels [batch] (I64). */
public final class Accuracy {
    private Accuracy() {
    }

    /**
     * Rows whose highest score is at their label, as an F64 scalar on the scores' device (exact up to 2^53): a
     * training loop can add these up over an epoch and read the total once, instead of waiting for the device
     * at every step.
     */
    public static Tensor correctOnDevice(Tensor scores, Tensor labels) {
        return scores.argmax(1, false).eq(labels).to(DType.F64).sum();
    }

    /** Rows whose highest score is at their label: {@link #correctOnDevice}, read back once. */
    public static long correct(Tensor scores, Tensor labels) {
        return Math.round(correctOnDevice(scores, labels).item());
    }

    /** Rows whose label's score is among the {@code k} highest (ties counted in the label's favour). */
    public static long inTopK(Tensor scores, Tensor labels, int k) {
        int classes = scores.dim(1);
        float[] s = scores.toFloatArray();
        long[] truth = labels.toLongArray();
        long hits = 0;
        for (int r = 0; r < truth.length; r++) {
            float target = s[r * classes + (int) truth[r]];
            int higher = 0;
            for (int c = 0; c < classes; c++) {
                if (s[r * classes + c] > target) {
                    higher++;
                }
            }
            hits += higher < k ? 1 : 0;
        }
        return hits;
    }
}
