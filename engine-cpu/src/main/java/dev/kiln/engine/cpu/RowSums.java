package dev.kiln.engine.cpu;

/**
 * The sums over one F32 row that {@link CpuLayerNorm}'s passes need, each in double about a value from the row:
 * {@link ScalarRowSums} in loops of two running sums, or {@code VectorRowSums} on the Vector API's double lanes where
 * {@link VectorPath} has loaded it. The two add the same terms in another order, so they agree to within a few of
 * double's roundings, far below F32's.
 */
interface RowSums {
    /**
     * moments = the sums of {@code d} and of {@code d^2} over v[0, m), {@code d = v - pivot} in double (exact for
     * values within 2^29 of each other's magnitude). About a pivot from the row the variance
     * {@code sum(d^2) / m - (sum(d) / m)^2} cancels at most log2(m) bits, of double's 53.
     */
    void moments(float[] v, int m, float pivot, double[] moments);

    /**
     * sums = the sums of {@code x - saved}, of gxhat and of {@code gxhat * (x - saved)} over [0, m), each difference
     * in double.
     */
    void gradientSums(float[] x, float[] gxhat, int m, float saved, double[] sums);
}
