package dev.kiln.engine.cpu;

/**
 * A thread's scratch arrays, one per slot, grown as a call needs and kept for the next call while they hold at most
 * {@link #KEPT_BYTES}. A larger one is made for its call and left to the garbage collector: kept, one large call
 * (an FFT of millions of points) would leave that much heap held by every pool thread for the life of the JVM.
 * Contents are not cleared between calls.
 */
final class ScratchArrays {
    /** The largest array kept from call to call, in bytes. */
    static final long KEPT_BYTES = 16L << 20;

    private final double[][] doubles;
    private final float[][] floats;

    ScratchArrays(int doubleSlots, int floatSlots) {
        doubles = new double[doubleSlots][0];
        floats = new float[floatSlots][0];
    }

    /** Slot {@code slot}'s doubles, at least {@code length} of them. */
    double[] doubles(int slot, int length) {
        double[] kept = doubles[slot];
        if (kept.length >= length) {
            return kept;
        }
        double[] grown = new double[length];
        if ((long) length * Double.BYTES <= KEPT_BYTES) {
            doubles[slot] = grown;
        }
        return grown;
    }

    /** Slot {@code slot}'s floats, at least {@code length} of them. */
    float[] floats(int slot, int length) {
        float[] kept = floats[slot];
        if (kept.length >= length) {
            return kept;
        }
        float[] grown = new float[length];
        if ((long) length * Float.BYTES <= KEPT_BYTES) {
            floats[slot] = grown;
        }
        return grown;
    }

    /** Bytes held for later calls, over all slots. */
    long keptBytes() {
        long bytes = 0;
        for (double[] a : doubles) {
            bytes += (long) a.length * Double.BYTES;
        }
        for (float[] a : floats) {
            bytes += (long) a.length * Float.BYTES;
        }
        return bytes;
    }
}
