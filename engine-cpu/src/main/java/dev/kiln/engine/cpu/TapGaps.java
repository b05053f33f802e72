package dev.kiln.engine.cpu;

import java.util.Arrays;

/**
 * The stretches of each kernel tap's row segment that a set of copied stretches (a {@link ColumnPlan}'s runs or
 * spans) leaves out: the entries that read only the padding and so must be zeroed where nothing else writes them.
 * Gaps of tap t are [perTap[t], perTap[t + 1]), each {@code length[k]} entries from {@code block[k]}, in the same
 * block coordinates as the stretches (tap t's segment is [t * outPlane, (t + 1) * outPlane)).
 */
record TapGaps(int[] perTap, int[] block, int[] length) {

    /**
     * The complement of the stretches: tap t's are [tapFirst[t], tapFirst[t + 1]) of {@code from} and
     * {@code lengths}, in increasing order within the tap.
     */
    static TapGaps between(int taps, int outPlane, int[] tapFirst, int[] from, int[] lengths) {
        int[] perTap = new int[taps + 1];
        int[] block = new int[taps * (outPlane + 1)];
        int[] length = new int[block.length];
        int gaps = 0;
        for (int t = 0; t < taps; t++) {
            perTap[t] = gaps;
            int start = t * outPlane;
            for (int k = tapFirst[t]; k <= tapFirst[t + 1]; k++) {
                int end = k < tapFirst[t + 1] ? from[k] : (t + 1) * outPlane;
                if (end > start) {
                    block[gaps] = start;
                    length[gaps] = end - start;
                    gaps++;
                }
                if (k < tapFirst[t + 1]) {
                    start = from[k] + lengths[k];
                }
            }
        }
        perTap[taps] = gaps;
        return new TapGaps(perTap, Arrays.copyOf(block, gaps), Arrays.copyOf(length, gaps));
    }
}
