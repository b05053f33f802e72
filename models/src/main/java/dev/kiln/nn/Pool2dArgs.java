package dev.kiln.nn;

/** Argument checks shared by the pooling layers. */
final class Pool2dArgs {
    private Pool2dArgs() {
    }

    static void check(String layer, int kernel, int stride, int padding) {
        if (kernel < 1 || stride < 1 || padding < 0) {
            throw new IllegalArgumentException(layer + ": kernel and stride must be at least 1 and padding at least 0, got kernel "
                    + kernel + ", stride " + stride + ", padding " + padding);
        }
        if (2 * padding > kernel) {
            throw new IllegalArgumentException(layer + ": padding " + padding + " must be at most half the kernel " + kernel);
        }
    }
}
