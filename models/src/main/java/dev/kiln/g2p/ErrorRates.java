package dev.kiln.g2p;

import java.util.List;

/**
 * Word error rate (the share of words whose predicted phoneme sequence is not exactly the reference) and
 * phoneme error rate (the summed edit distance, substitutions, insertions and deletions each costing 1,
 * over the summed reference length).
 */
public record ErrorRates(double wordErrorRate, double phonemeErrorRate, int words) {
    /** The rates of {@code predicted} against {@code reference}, position by position. */
    public static ErrorRates of(List<int[]> predicted, List<int[]> reference) {
        if (predicted.size() != reference.size() || reference.isEmpty()) {
            throw new IllegalArgumentException("ErrorRates: " + predicted.size() + " predictions for " + reference.size()
                    + " references; expected the same non-zero number");
        }
        long wrongWords = 0;
        long edits = 0;
        long length = 0;
        for (int i = 0; i < reference.size(); i++) {
            int d = editDistance(predicted.get(i), reference.get(i));
            wrongWords += d == 0 ? 0 : 1;
            edits += d;
            length += reference.get(i).length;
        }
        return new ErrorRates((double) wrongWords / reference.size(), (double) edits / length, reference.size());
    }

    /** Levenshtein distance between two sequences of ids. */
    public static int editDistance(int[] a, int[] b) {
        int[] previous = new int[b.length + 1];
        int[] current = new int[b.length + 1];
        for (int j = 0; j <= b.length; j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length; i++) {
            current[0] = i;
            for (int j = 1; j <= b.length; j++) {
                int substitute = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
                current[j] = Math.min(substitute, Math.min(previous[j] + 1, current[j - 1] + 1));
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length];
    }
}
