package dev.kiln.data;

/** Checks of the (min, max) ranges that the random augmentations draw from. */
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
}
