package dev.kiln.engine;

import java.util.Arrays;

/**
 * Where the product of two sparse matrices a [n, m] and b [m, k] has entries, found on the host from their positions
 * alone (their number depends on them, as in PyTorch): output entry {@code out} is at ({@code rows[out]},
 * {@code cols[out]}), sorted by row, then column, without repeats, and each pair p of an a entry and a b entry that
 * meet ({@code a.col == b.row}) adds {@code aValues[pairA[p]] * bValues[pairB[p]]} into {@code pairOut[p]}. Structural:
 * an entry whose terms cancel stays, holding 0, as PyTorch's.
 */
final class SparseProductPattern {
    final long[] rows;
    final long[] cols;
    final long[] pairA;
    final long[] pairB;
    final long[] pairOut;

    private SparseProductPattern(long[] rows, long[] cols, long[] pairA, long[] pairB, long[] pairOut) {
        this.rows = rows;
        this.cols = cols;
        this.pairA = pairA;
        this.pairB = pairB;
        this.pairOut = pairOut;
    }

    /**
     * The pattern of a (entries at aRows, aCols; n rows) times b (entries at bRows, bCols; m rows, k columns),
     * entries in any order and positions repeated. The pairs are counted first, so that every array has its size;
     * then output row by row: the pairs of its a entries with b's rows, their columns numbered as first met, sorted,
     * and each pair given its entry's place.
     */
    static SparseProductPattern of(long[] aRows, long[] aCols, int n, long[] bRows, long[] bCols, int m, int k) {
        int[] aStart = new int[n + 1];
        int[] aOrder = byRow(aRows, aStart);
        int[] bStart = new int[m + 1];
        int[] bOrder = byRow(bRows, bStart);
        long pairCount = 0;
        for (long mid : aCols) {
            pairCount += bStart[(int) mid + 1] - bStart[(int) mid];
        }
        int pairs = Math.toIntExact(pairCount);
        long[] pairA = new long[pairs];
        long[] pairB = new long[pairs];
        long[] pairOut = new long[pairs];
        long[] rows = new long[Math.min(pairs, 1024)];
        long[] cols = new long[rows.length];
        int[] slot = new int[k];
        Arrays.fill(slot, -1);
        int[] rowCols = new int[k];
        int pair = 0;
        int out = 0;
        for (int i = 0; i < n; i++) {
            int firstPair = pair;
            int width = 0;
            for (int p = aStart[i]; p < aStart[i + 1]; p++) {
                int ja = aOrder[p];
                int mid = (int) aCols[ja];
                for (int q = bStart[mid]; q < bStart[mid + 1]; q++) {
                    int jb = bOrder[q];
                    int c = (int) bCols[jb];
                    if (slot[c] < 0) {
                        slot[c] = 0;
                        rowCols[width++] = c;
                    }
                    pairA[pair] = ja;
                    pairB[pair] = jb;
                    // The column for now: its entry's place once the row's columns are sorted.
                    pairOut[pair++] = c;
                }
            }
            Arrays.sort(rowCols, 0, width);
            if (out + width > rows.length) {
                rows = Arrays.copyOf(rows, Math.max(out + width, 2 * rows.length));
                cols = Arrays.copyOf(cols, rows.length);
            }
            for (int s = 0; s < width; s++) {
                slot[rowCols[s]] = out + s;
                rows[out + s] = i;
                cols[out + s] = rowCols[s];
            }
            for (int p = firstPair; p < pair; p++) {
                pairOut[p] = slot[(int) pairOut[p]];
            }
            for (int s = 0; s < width; s++) {
                slot[rowCols[s]] = -1;
            }
            out += width;
        }
        return new SparseProductPattern(Arrays.copyOf(rows, out), Arrays.copyOf(cols, out), pairA, pairB, pairOut);
    }

    /** The entries ordered by row, each row's in their own order; {@code start[i]} is where row i's begin. */
    private static int[] byRow(long[] row, int[] start) {
        for (long r : row) {
            start[(int) r + 1]++;
        }
        for (int i = 0; i + 1 < start.length; i++) {
            start[i + 1] += start[i];
        }
        int[] next = start.clone();
        int[] order = new int[row.length];
        for (int j = 0; j < row.length; j++) {
            order[next[(int) row[j]]++] = j;
        }
        return order;
    }
}
