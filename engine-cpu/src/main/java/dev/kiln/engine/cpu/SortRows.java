package dev.kiln.engine.cpu;

import java.util.Arrays;

/**
 * Orders the positions of one row by unsigned 64-bit keys, equal keys in the order of their positions (stable), in
 * arrays reused from row to row: an LSD radix sort a byte at a time over the bytes in which the row's keys differ
 * (four passes at most for 32-bit elements, no comparisons, stable by construction), insertion for short rows, and a
 * bounded heap where only the first few of a long row are wanted (a top-k: one comparison for most elements).
 */
final class SortRows {
    /** Rows up to this long are sorted by insertion: a radix pass costs 256 counters whatever the row's length. */
    static final int INSERTION_MAX = 32;
    /** The first k of n are selected through a heap of k when {@code k * SELECTION_RATIO <= n}, else sorted in full. */
    static final int SELECTION_RATIO = 16;
    private static final int RADIX = 256;

    private final long[] keys;
    private final long[] keysOut;
    private final int[] order;
    private final int[] orderOut;
    private final int[] counts = new int[RADIX];

    SortRows(int n) {
        keys = new long[n];
        keysOut = new long[n];
        order = new int[n];
        orderOut = new int[n];
    }

    /** The keys the caller fills for the next row, key j for position j; the sort may overwrite them. */
    long[] keys() {
        return keys;
    }

    /** The positions of the first {@code k} (at least 1) of the {@code n} keys in order, at indices [0, k). */
    int[] first(int n, int k) {
        if (n <= INSERTION_MAX) {
            return insertion(n);
        }
        return (long) k * SELECTION_RATIO <= n ? select(n, k) : radix(n);
    }

    private int[] insertion(int n) {
        for (int j = 0; j < n; j++) {
            long key = keys[j];
            int i = j - 1;
            while (i >= 0 && Long.compareUnsigned(keys[order[i]], key) > 0) {
                order[i + 1] = order[i];
                i--;
            }
            order[i + 1] = j;
        }
        return order;
    }

    private int[] radix(int n) {
        long[] from = keys;
        long[] to = keysOut;
        int[] at = order;
        int[] atOut = orderOut;
        long differ = 0;
        for (int j = 0; j < n; j++) {
            at[j] = j;
            differ |= from[j] ^ from[0];
        }
        for (int shift = 0; shift < Long.SIZE; shift += Byte.SIZE) {
            if ((differ >>> shift & (RADIX - 1)) == 0) {
                continue;
            }
            countPlaces(from, n, shift);
            for (int j = 0; j < n; j++) {
                int place = counts[(int) (from[j] >>> shift) & (RADIX - 1)]++;
                to[place] = from[j];
                atOut[place] = at[j];
            }
            long[] keysSwap = from;
            from = to;
            to = keysSwap;
            int[] orderSwap = at;
            at = atOut;
            atOut = orderSwap;
        }
        return at;
    }

    /** counts[d] = the first place of the keys whose byte at {@code shift} is d. */
    private void countPlaces(long[] from, int n, int shift) {
        Arrays.fill(counts, 0);
        for (int j = 0; j < n; j++) {
            counts[(int) (from[j] >>> shift) & (RADIX - 1)]++;
        }
        int place = 0;
        for (int d = 0; d < RADIX; d++) {
            int count = counts[d];
            counts[d] = place;
            place += count;
        }
    }

    /**
     * A heap of the k first positions so far, the last in order at its root: a later position enters only with a key
     * below the root's (an equal key comes after it). Sorted in place at the end.
     */
    private int[] select(int n, int k) {
        int[] heap = order;
        for (int j = 0; j < k; j++) {
            heap[j] = j;
            siftUp(heap, j);
        }
        long worst = keys[heap[0]];
        int j = k;
        while (true) {
            // A tight loop past the keys that do not enter, most of a long row's.
            while (j < n && Long.compareUnsigned(keys[j], worst) >= 0) {
                j++;
            }
            if (j == n) {
                break;
            }
            heap[0] = j++;
            siftDown(heap, 0, k);
            worst = keys[heap[0]];
        }
        for (int end = k - 1; end > 0; end--) {
            int last = heap[0];
            heap[0] = heap[end];
            heap[end] = last;
            siftDown(heap, 0, end);
        }
        return heap;
    }

    /** Position a comes after position b: a larger key, or an equal key at a later position. */
    private boolean after(int a, int b) {
        int c = Long.compareUnsigned(keys[a], keys[b]);
        return c > 0 || (c == 0 && a > b);
    }

    private void siftUp(int[] heap, int i) {
        while (i > 0 && after(heap[i], heap[(i - 1) / 2])) {
            int parent = (i - 1) / 2;
            int p = heap[i];
            heap[i] = heap[parent];
            heap[parent] = p;
            i = parent;
        }
    }

    private void siftDown(int[] heap, int i, int size) {
        while (true) {
            int child = 2 * i + 1;
            if (child >= size) {
                return;
            }
            if (child + 1 < size && after(heap[child + 1], heap[child])) {
                child++;
            }
            if (!after(heap[child], heap[i])) {
                return;
            }
            int p = heap[i];
            heap[i] = heap[child];
            heap[child] = p;
            i = child;
        }
    }
}
