package dev.kiln.train;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
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
        checkScoresAndLabels(scores, labels);
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

    /**
     * Adds to {@code hits} (an F64 tensor of one element, on the scores' device) the rows of scores [batch, classes]
     * whose label's score is among the {@code k} highest, ties counted in the label's favour (fewer than {@code k}
     * scores strictly above it), computed on the device: nothing is read back. A row holding a NaN score is no hit,
     * as in TensorFlow's {@code in_top_k} (no score compares above a NaN, which would count a diverged model's every
     * row).
     *
     * @throws IllegalArgumentException naming the shapes and dtypes when they do not fit, or k below 1
     */
    public static void accumulateTopK(Tensor scores, Tensor labels, int k, Tensor hits) {
        checkScoresAndLabels(scores, labels);
        if (k < 1) {
            throw new IllegalArgumentException("accuracy: k must be at least 1, got " + k);
        }
        if (hits.dtype() != DType.F64 || hits.size() != 1) {
            throw new IllegalArgumentException("accuracy: top-k hits " + hits.dtype() + " " + hits.shape()
                    + ": expected one F64 element");
        }
        try (Autograd.Guard g = Autograd.noGrad(); Scope s = Scope.open()) {
            Tensor index = labels.to(DType.I64).reshape(labels.dim(0), 1);
            Tensor higher = scores.gt(scores.gather(1, index)).sum(1, false);
            Tensor barred = scores.ne(scores).sum(1, false).mul(k);
            hits.addInPlace(higher.add(barred).lt(k).sum().to(DType.F64).reshape(hits.shape().dims()), 1);
        }
    }

    /** Rows whose label's score is among the {@code k} highest: {@link #accumulateTopK}, read back once. */
    public static long inTopK(Tensor scores, Tensor labels, int k) {
        try (Tensor hits = Tensor.zeros(DType.F64)) {
            accumulateTopK(scores, labels, k, hits);
            return (long) hits.item();
        }
    }

    private static void checkScoresAndLabels(Tensor scores, Tensor labels) {
        if (scores.rank() != 2 || !scores.dtype().isFloating() || scores.dim(1) == 0 || labels.rank() != 1
                || labels.dim(0) != scores.dim(0) || labels.dtype().isFloating()) {
            throw new IllegalArgumentException("accuracy: scores " + scores.dtype() + " " + scores.shape() + " and labels "
                    + labels.dtype() + " " + labels.shape() + ": expected floating scores [batch, classes >= 1] and"
                    + " integer labels [batch]");
        }
    }
}
