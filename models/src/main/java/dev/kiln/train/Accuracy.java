package dev.kiln.train;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/** Classification hits from scores [batch, classes] and labels [batch] (I64). */
public final class Accuracy {
    private Accuracy() {
    }

    /**
     * Adds to {@code hits} (an I64 tensor of one element, on the scores' device) the rows of scores
     * [batch, classes] whose highest score (the first, if tied) is at their label in labels [batch]: a training
     * loop adds these up over an epoch and reads the total once, instead of waiting for the device at every step.
     * One kernel on the GPU ({@code Backend.accumulateHits}).
     *
     * @throws IllegalArgumentException naming the shapes and dtypes when they do not fit
     */
    public static void accumulate(Tensor scores, Tensor labels, Tensor hits) {
        if (scores.rank() != 2 || !scores.dtype().isFloating() || scores.dim(1) == 0 || labels.rank() != 1
                || labels.dim(0) != scores.dim(0) || labels.dtype().isFloating()) {
            throw new IllegalArgumentException("accuracy: scores " + scores.dtype() + " " + scores.shape() + " and labels "
                    + labels.dtype() + " " + labels.shape() + ": expected floating scores [batch, classes >= 1] and"
                    + " integer labels [batch]");
        }
        if (hits.dtype() != DType.I64 || hits.size() != 1) {
            throw new IllegalArgumentException("accuracy: hits " + hits.dtype() + " " + hits.shape()
                    + ": expected one I64 element");
        }
        Tensor index = labels.dtype() == DType.I64 ? labels : labels.to(DType.I64);
        scores.backend().accumulateHits(scores, index, hits);
        if (index != labels) {
            index.close();
        }
    }

    /** Rows whose highest score is at their label: {@link #accumulate}, read back once. */
    public static long correct(Tensor scores, Tensor labels) {
        try (Tensor hits = Tensor.zeros(DType.I64)) {
            accumulate(scores, labels, hits);
            return hits.toLongArray()[0];
        }
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
