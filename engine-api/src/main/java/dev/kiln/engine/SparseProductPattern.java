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
     * entries in any order and positions repeated. Output row by row: the pairs of its a entries with b's rows, their
     * columns numbered as first met, then sorted.
     */
    static SparseProductPattern of(long[] aRows, long[] aCols, int n, long[] bRows, long[] bCols, int m, int k) {
        int[] aStart = new int[n + 1];
        int[] aOrder = byRow(aRows, aStart);
        int[] bStart = new int[m + 1];
        int[] bOrder = byRow(bRows, bStart);
        LongList pairA = new LongList();
        LongList pairB = new LongList();
        LongList pairCol = new LongList();
        LongList rows = new LongList();
        LongList cols = new LongList();
        int[] slot = new int[k];
        Arrays.fill(slot, -1);
        LongList rowCols = new LongList();
        int outBase = 0;
        for (int i = 0; i < n; i++) {
            int firstPair = pairA.size;
            rowCols.size = 0;
            for (int p = aStart[i]; p < aStart[i + 1]; p++) {
                int ja = aOrder[p];
                int mid = (int) aCols[ja];
                for (int q = bStart[mid]; q < bStart[mid + 1]; q++) {
                    int jb = bOrder[q];
                    int c = (int) bCols[jb];
                    if (slot[c] < 0) {
                        slot[c] = rowCols.size;
                        rowCols.add(c);
                    }
                    pairA.add(ja);
                    pairB.add(jb);
                    pairCol.add(c);
                }
            }
            long[] sorted = Arrays.copyOf(rowCols.data, rowCols.size);
            Arrays.sort(sorted);
            for (int s = 0; s < sorted.length; s++) {
                slot[(int) sorted[s]] = outBase + s;
                rows.add(i);
                cols.add(sorted[s]);
            }
            // This row's pairs now name their output entry instead of their column.
            for (int p = firstPair; p < pairA.size; p++) {
                pairCol.data[p] = slot[(int) pairCol.data[p]];
            }
            for (long c : sorted) {
                slot[(int) c] = -1;
            }
            outBase += sorted.length;
        }
        return new SparseProductPattern(rows.toArray(), cols.toArray(), pairA.toArray(), pairB.toArray(),
                pairCol.toArray());
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

    /** A growing long[]: the pattern's sizes are known only at the end. */
    private static final class LongList {
        long[] data = new long[16];
        int size;

        void add(long value) {
            if (size == data.length) {
                data = Arrays.copyOf(data, 2 * size);
            }
            data[size++] = value;
        }

        long[] toArray() {
            return Arrays.copyOf(data, size);
        }
    }
}
