package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Decoding of the outputs of a model trained with {@link CTCLoss}. Greedy (best-path) decoding takes the most
 * probable class at each step, merges runs of one class and drops the blanks: {@code a a - a b b -} reads
 * {@code a a b}.
 */
public final class CtcDecoding {
    private CtcDecoding() {
    }

    /** {@link #greedy(Tensor, int[], int)} with every sample reading all T steps. */
    public static List<int[]> greedy(Tensor logProbs, int blank) {
        checkRank(logProbs);
        int[] lengths = new int[logProbs.dim(1)];
        Arrays.fill(lengths, logProbs.dim(0));
        return greedy(logProbs, lengths, blank);
    }

    /**
     * The best-path labels of each sample of {@code logProbs} [T, batch, C] (scores of any kind whose maximum is the
     * most probable class: log-probabilities, logits), reading its first {@code inputLengths[n]} steps (in [0, T]),
     * with class {@code blank} (in [0, C)) as the blank.
     */
    public static List<int[]> greedy(Tensor logProbs, int[] inputLengths, int blank) {
        check(logProbs, inputLengths, blank);
        int batch = logProbs.dim(1);
        long[] best = logProbs.argmax(2, false).toLongArray();
        List<int[]> labels = new ArrayList<>(batch);
        for (int n = 0; n < batch; n++) {
            long[] path = new long[inputLengths[n]];
            for (int t = 0; t < path.length; t++) {
                path[t] = best[t * batch + n];
            }
            labels.add(collapse(path, blank));
        }
        return labels;
    }

    /** A path of one class per step read as labels: runs merged, blanks dropped. */
    static int[] collapse(long[] path, int blank) {
        List<Integer> labels = new ArrayList<>();
        long previous = blank;
        for (long c : path) {
            if (c != blank && c != previous) {
                labels.add((int) c);
            }
            previous = c;
        }
        return labels.stream().mapToInt(Integer::intValue).toArray();
    }

    private static void checkRank(Tensor logProbs) {
        if (logProbs.rank() != 3) {
            throw new IllegalArgumentException("CtcDecoding.greedy: scores " + logProbs.shape()
                    + ": expected [T, batch, classes]");
        }
    }

    private static void check(Tensor logProbs, int[] inputLengths, int blank) {
        checkRank(logProbs);
        if (blank < 0 || blank >= logProbs.dim(2)) {
            throw new IllegalArgumentException("CtcDecoding.greedy: blank " + blank + " is not one of the "
                    + logProbs.dim(2) + " classes: expected 0 <= blank < " + logProbs.dim(2));
        }
        if (inputLengths.length != logProbs.dim(1)) {
            throw new IllegalArgumentException("CtcDecoding.greedy: input lengths has " + inputLengths.length
                    + " entries, expected one per sample: " + logProbs.dim(1));
        }
        for (int n = 0; n < inputLengths.length; n++) {
            if (inputLengths[n] < 0 || inputLengths[n] > logProbs.dim(0)) {
                throw new IllegalArgumentException("CtcDecoding.greedy: input length " + inputLengths[n] + " of sample "
                        + n + " must be in [0, " + logProbs.dim(0) + "]");
            }
        }
    }
}
