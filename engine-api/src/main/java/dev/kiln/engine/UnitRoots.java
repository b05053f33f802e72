package dev.kiln.engine;

/**
 * The n-th roots of unity {@code e^{2 pi i r / n}} as cosines and sines of {@code 2 pi r / n}, r below n: a DFT's
 * angle {@code 2 pi jk / n} is read at r = jk mod n, exact in the index product where the product itself would lose
 * digits for large jk.
 */
final class UnitRoots {
    private final int n;
    private final double[] cos;
    private final double[] sin;

    private UnitRoots(int n) {
        this.n = n;
        cos = new double[n];
        sin = new double[n];
        for (int r = 0; r < n; r++) {
            double angle = 2 * Math.PI * r / n;
            cos[r] = Math.cos(angle);
            sin[r] = Math.sin(angle);
        }
    }

    /** The n-th roots of unity, n at least 1. */
    static UnitRoots of(int n) {
        return new UnitRoots(n);
    }

    /** The cosine of {@code 2 pi r / n}, r below n. */
    double cos(int r) {
        return cos[r];
    }

    /** The sine of {@code 2 pi r / n}, r below n. */
    double sin(int r) {
        return sin[r];
    }

    /** The index after r for a step below n: (r + step) mod n, so that a loop over k walks jk mod n. */
    int next(int r, int step) {
        int s = r + step;
        return s >= n ? s - n : s;
    }

    /** (a * b) mod n, for a and b below n. */
    int indexOfProduct(long a, long b) {
        return (int) (a * b % n);
    }
}
