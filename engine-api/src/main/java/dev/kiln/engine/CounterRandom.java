package dev.kiln.engine;

/**
 * The engine's counter-based random numbers: value i of a stream is a pure function of (seed, i), so a
 * fill can run on any number of threads or GPU blocks and still give the same numbers on every backend.
 * The mixing function is SplitMix64's finaliser, applied to the seed and the counter.
 */
public final class CounterRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;
    private static final long SECOND_STREAM = 0xD1B54A32D192ED03L;
    private static final double TWO_POW_MINUS_53 = 0x1.0p-53;

    private CounterRandom() {
    }

    /** 64 well-mixed bits for (seed, counter). */
    public static long bits(long seed, long counter) {
        long z = seed + (counter + 1) * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** Uniform in [0, 1) with 53 random bits. */
    public static double uniform(long seed, long counter) {
        return (bits(seed, counter) >>> 11) * TWO_POW_MINUS_53;
    }

    /** Standard normal by Box-Muller from two independent uniforms of the same counter. */
    public static double normal(long seed, long counter) {
        double u1 = 1.0 - uniform(seed, counter);
        double u2 = uniform(seed ^ SECOND_STREAM, counter);
        return Math.sqrt(-2.0 * Math.log(u1)) * Math.cos(2.0 * Math.PI * u2);
    }
}
