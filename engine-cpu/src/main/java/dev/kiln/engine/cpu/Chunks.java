package dev.kiln.engine.cpu;

import java.nio.FloatBuffer;

/**
 * Hot F32 loops stream off-heap tensors through small heap arrays: element access on a direct
 * FloatBuffer is bounds- and scope-checked and never vectorised, while a loop over float[] is. Measured
 * on an Adam update of 669,706 parameters: 2.1 ms through the buffers, 0.9 ms in chunks of 2,048
 * (bulk copies are memcpy), 0.33 ms if the data already lived on the heap (which OpenBLAS cannot use
 * without a copy).
 */
final class Chunks {
    /** Elements per chunk: five chunks (an AMSGrad step's, 40 KiB) stay in L1 or L2 between the passes of a step. */
    static final int SIZE = 2048;
    /** An AMSGrad step streams five tensors: parameter, gradient and three moments. */
    private static final int ARRAYS = 5;
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[ARRAYS][SIZE]);
    private static final ThreadLocal<int[][]> INT_SCRATCH = ThreadLocal.withInitial(() -> new int[ARRAYS][SIZE]);
    private static final ThreadLocal<float[]> BLOCK = ThreadLocal.withInitial(() -> new float[SIZE]);

    private Chunks() {
    }

    /** This thread's scratch arrays, {@value #SIZE} floats each; loops must not call out while using them. */
    static float[][] scratch() {
        return SCRATCH.get();
    }

    /** This thread's int scratch arrays, {@value #SIZE} ints each, for loops on F32 bit patterns. */
    static int[][] intScratch() {
        return INT_SCRATCH.get();
    }

    /**
     * {@code count} work arrays of {@value #SIZE} floats a thread, for a routine that its callers run on
     * {@link #scratch()}'s arrays (the F32 functions of {@link FloatExp} and its kin).
     */
    static ThreadLocal<float[][]> workArrays(int count) {
        return ThreadLocal.withInitial(() -> new float[count][SIZE]);
    }

    /**
     * {@code routine} over v[0, len), at most {@value #SIZE} values at a time (its work arrays hold that many): the
     * blocks of a longer run (a batch-norm epilogue's plane) are copied out and back, because a loop over an offset
     * into one array beside another array does not vectorise (C2 cannot tell that the two do not overlap).
     */
    static void inBlocks(float[] v, int len, CpuElementwise.FloatChunk routine) {
        if (len <= SIZE) {
            routine.apply(v, len);
            return;
        }
        float[] block = BLOCK.get();
        for (int from = 0; from < len; from += SIZE) {
            int n = Math.min(SIZE, len - from);
            System.arraycopy(v, from, block, 0, n);
            routine.apply(block, n);
            System.arraycopy(block, 0, v, from, n);
        }
    }

    /**
     * Reads {@code length} elements starting at {@code start} with {@code stride} 1 (a run) or 0 (one
     * element repeated, a broadcast) into {@code dst}.
     */
    static void load(FloatBuffer src, int start, int stride, float[] dst, int length) {
        if (stride == 1) {
            src.get(start, dst, 0, length);
        } else {
            java.util.Arrays.fill(dst, 0, length, src.get(start));
        }
    }
}
