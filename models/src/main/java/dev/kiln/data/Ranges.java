package dev.kiln.data;

import java.util.SplittableRandom;

/** Checks of the (min, max) ranges that the random augmentations draw from, and the draws. */
final class Ranges {
    private Ranges() {
    }

    /** Requires {@code 0 < min <= max < infinity}; {@code who: name must be ...} otherwise. */
    static void requirePositiveRange(String who, String name, double min, double max) {
        if (!(min > 0 && min <= max && max < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(who + ": " + name + " must be (min, max) with 0 < min <= max, got ("
                    + min + ", " + max + ")");
        }
    }

    /** Requires {@code 0 <= min <= max <= 1}; {@code who: name must be ...} otherwise. */
    static void requireShareRange(String who, String name, double min, double max) {
        if (!(min >= 0 && min <= max && max <= 1)) {
            throw new IllegalArgumentException(who + ": " + name + " must be (min, max) with 0 <= min <= max <= 1,"
                    + " got (" + min + ", " + max + ")");
        }
    }

    /** A draw uniform in [min, max), as torch's {@code uniform_(min, max)}: {@code min + (max - min) u}. */
    static double uniform(SplittableRandom random, double min, double max) {
        return min + (max - min) * random.nextDouble();
    }
}
