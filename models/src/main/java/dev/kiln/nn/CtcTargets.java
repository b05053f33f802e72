package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The targets of a {@link CTCLoss} batch laid out for its alpha recursion: sample n's labels l_1 .. l_L extended with
 * blanks, {@code b l_1 b l_2 ... b l_L b} (2L + 1 positions), padded with blanks to the batch's widest, 2 max(L) + 1
 * positions, and to at least 3 so that a step can look two positions back. Built on the host, where the labels are
 * checked, and uploaded as index and mask tensors on the log-probabilities' backend.
 */
final class CtcTargets {
    private final int[] lengths;
    private final int width;
    private final int[] extended;

    private CtcTargets(int[] lengths, int width, int[] extended) {
        this.lengths = lengths;
        this.width = width;
        this.extended = extended;
    }

    /**
     * Targets [batch, S] padded (values past each length are ignored) or [sum(targetLengths)] concatenated, I64 or
     * I32, each label in [0, classes) and not {@code blank}; refused otherwise, naming the sample and position.
     */
    static CtcTargets of(Tensor targets, int[] targetLengths, int batch, int classes, int blank) {
        checkShape(targets, targetLengths, batch);
        long[] values = targets.toLongArray();
        long[][] labels = new long[batch][];
        int start = 0;
        for (int n = 0; n < batch; n++) {
            if (targets.rank() == 2) {
                start = n * targets.dim(1);
            }
            labels[n] = Arrays.copyOfRange(values, start, start + targetLengths[n]);
            if (targets.rank() == 1) {
                start += targetLengths[n];
            }
        }
        return of(labels, batch, classes, blank);
    }

    /**
     * Targets given on the host, one array of labels per sample (its length the target length), each label in
     * [0, classes) and not {@code blank}; refused otherwise, naming the sample and position.
     */
    static CtcTargets of(long[][] labels, int batch, int classes, int blank) {
        if (labels.length != batch) {
            throw new IllegalArgumentException("CTCLoss: " + labels.length + " targets for a batch of " + batch
                    + ": expected one per sample");
        }
        int[] lengths = new int[batch];
        for (int n = 0; n < batch; n++) {
            lengths[n] = labels[n].length;
        }
        int width = 2 * Math.max(1, Arrays.stream(lengths).max().orElse(0)) + 1;
        int[] extended = new int[batch * width];
        Arrays.fill(extended, blank);
        for (int n = 0; n < batch; n++) {
            for (int i = 0; i < lengths[n]; i++) {
                long label = labels[n][i];
                if (label < 0 || label >= classes || label == blank) {
                    throw new IllegalArgumentException("CTCLoss: target " + label + " of sample " + n + " at position "
                            + i + " must be a class in [0, " + classes + ") other than the blank " + blank);
                }
                extended[n * width + 2 * i + 1] = (int) label;
            }
        }
        return new CtcTargets(lengths, width, extended);
    }

    private static void checkShape(Tensor targets, int[] targetLengths, int batch) {
        if (targets.dtype().isFloating()) {
            throw new IllegalArgumentException("CTCLoss: targets must hold class indices (I64 or I32), got "
                    + targets.dtype());
        }
        if (targetLengths.length != batch) {
            throw new IllegalArgumentException("CTCLoss: target lengths has " + targetLengths.length
                    + " entries, expected one per sample: " + batch);
        }
        if (targets.rank() == 2) {
            checkPadded(targets, targetLengths, batch);
        } else if (targets.rank() == 1) {
            checkConcatenated(targets, targetLengths);
        } else {
            throw new IllegalArgumentException("CTCLoss: targets " + targets.shape()
                    + ": expected [batch, S] padded or [sum(target lengths)] concatenated");
        }
    }

    private static void checkPadded(Tensor targets, int[] targetLengths, int batch) {
        if (targets.dim(0) != batch) {
            throw new IllegalArgumentException("CTCLoss: targets " + targets.shape() + " for a batch of " + batch
                    + ": expected [" + batch + ", S]");
        }
        int width = targets.dim(1);
        for (int n = 0; n < batch; n++) {
            if (targetLengths[n] < 0 || targetLengths[n] > width) {
                throw new IllegalArgumentException("CTCLoss: target length " + targetLengths[n] + " of sample " + n
                        + " must be in [0, " + width + "], the width S of targets " + targets.shape());
            }
        }
    }

    private static void checkConcatenated(Tensor targets, int[] targetLengths) {
        long total = 0;
        for (int n = 0; n < targetLengths.length; n++) {
            if (targetLengths[n] < 0) {
                throw new IllegalArgumentException("CTCLoss: target length " + targetLengths[n] + " of sample " + n
                        + " must be 0 or more");
            }
            total += targetLengths[n];
        }
        if (targets.dim(0) != total) {
            throw new IllegalArgumentException("CTCLoss: concatenated targets " + targets.shape()
                    + " must hold the sum of the target lengths, " + total + " labels");
        }
    }

    /** 2 max(L, 1) + 1: the positions of the widest extended sequence. */
    int width() {
        return width;
    }

    /** Each sample's extended labels as columns of log-probabilities [T, batch * classes]: n * classes + label. */
    Tensor columns(Tensor logProbs) {
        int classes = logProbs.dim(2);
        long[] columns = new long[extended.length];
        for (int k = 0; k < extended.length; k++) {
            columns[k] = (long) (k / width) * classes + extended[k];
        }
        return Tensor.fromArray(columns, columns.length).to(logProbs.backend());
    }

    /** [1, width]: 1 at positions 2 and on, which no alignment reaches at the first step. */
    Tensor unreachableAtStart(Tensor like) {
        double[] mask = new double[width];
        Arrays.fill(mask, Math.min(2, width), width, 1);
        return constant(like, mask, 1, width);
    }

    /**
     * [batch, width]: 1 where alpha(s) may not come from alpha(s - 2): at blanks, and at a label equal to the one
     * two positions back (a repeat needs the blank between).
     */
    Tensor noSkip(Tensor like) {
        double[] mask = new double[extended.length];
        for (int k = 0; k < extended.length; k++) {
            int s = k % width;
            boolean skips = s % 2 == 1 && s >= 2 && extended[k] != extended[k - 2];
            mask[k] = skips ? 0 : 1;
        }
        return constant(like, mask, lengths.length, width);
    }

    /** [batch, 2]: the positions where a complete alignment ends, 2L (the last blank) and 2L - 1 (the last label). */
    Tensor ends(Tensor like) {
        long[] ends = new long[2 * lengths.length];
        for (int n = 0; n < lengths.length; n++) {
            ends[2 * n] = 2L * lengths[n];
            ends[2 * n + 1] = Math.max(0, 2L * lengths[n] - 1);
        }
        return Tensor.fromArray(ends, lengths.length, 2).to(like.backend());
    }

    /** [batch, 2]: 1 at the second end of an empty target, which has only its one blank. */
    Tensor missingEnds(Tensor like) {
        double[] mask = new double[2 * lengths.length];
        for (int n = 0; n < lengths.length; n++) {
            mask[2 * n + 1] = lengths[n] == 0 ? 1 : 0;
        }
        return constant(like, mask, lengths.length, 2);
    }

    /** [batch]: each target length, at least 1, what PyTorch's mean divides each loss by. */
    Tensor meanDivisors(Tensor like) {
        return constant(like, Arrays.stream(lengths).mapToDouble(l -> Math.max(l, 1)).toArray(), lengths.length);
    }

    /** {@code values} in the dtype and on the backend of {@code like}. */
    static Tensor constant(Tensor like, double[] values, int... dims) {
        return Tensor.fromArray(values, dims).to(like.dtype()).to(like.backend());
    }
}
