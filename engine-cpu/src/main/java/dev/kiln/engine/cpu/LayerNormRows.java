package dev.kiln.engine.cpu;

/**
 * What {@link CpuLayerNorm}'s F32 passes do to one row, m values from {@code from} in arrays that hold a block of
 * rows (the per-feature arrays from 0): sums in double about a value from the row, and element-wise
 * steps in float. {@link ScalarLayerNormRows} in plain loops, or {@code VectorLayerNormRows} on the Vector API where
 * {@link VectorPath} has loaded it. The element-wise steps are the same float operations in the same order on both,
 * so they agree to the bit; the sums add the same terms in another order, so they agree to within a few of double's
 * roundings, far below F32's.
 */
interface LayerNormRows {
    /**
     * moments = the sums of {@code d} and of {@code d^2} over v[from, from + m), {@code d = v - pivot} in double
     * (exact for values within 2^29 of each other's magnitude). About a pivot from the row the variance
     * {@code sum(d^2) / m - (sum(d) / m)^2} cancels at most log2(m) bits, of double's 53.
     */
    void moments(float[] v, int from, int m, float pivot, double[] moments);

    /**
     * v[from, from + m) = {@code fma(fma(v - meanHigh, s, t), w, b)}: xhat about the mean rounded to float (t
     * carries its rounding error), then the feature's weight and bias.
     */
    void normalise(float[] v, int from, int m, float meanHigh, float s, float t, float[] w, float[] b);

    /**
     * gxhat[from, from + m) = {@code g * w}; sums = the sums of {@code x - saved}, of gxhat and of
     * {@code gxhat * (x - saved)} over the row x[from, from + m), each difference in double.
     */
    void gradientSums(float[] x, float[] g, float[] w, float[] gxhat, int from, int m, float saved, double[] sums);

    /**
     * gxhatSums and gSums [sumsFrom, sumsFrom + m) += the row g[from, from + m)'s {@code g * xhat} and g, one entry
     * per feature, xhat {@code fma(v - meanHigh, s, t)}, the forward pass's.
     */
    void addParameterTerms(float[] g, float[] v, int from, int m, float meanHigh, float s, float t,
                           float[] gxhatSums, float[] gSums, int sumsFrom);

    /**
     * gxhat[from, from + m) = {@code fma(k, gxhat - meanG, fma(perDeviation, x - meanHigh, shift))}: the difference
     * from the mean first, so that a row of one feature gives exactly 0, as PyTorch does.
     */
    void inputGradient(float[] gxhat, float[] x, int from, int m, float meanG, float meanHigh, float k,
                       float perDeviation, float shift);
}
