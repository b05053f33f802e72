package dev.kiln.engine.cpu;

/**
 * What {@link CpuSoftmax}'s F32 blocks of short rows do to each row of {@code c} values in v[0, n) (n a multiple of
 * c): {@link ScalarSoftmaxRows} in plain loops, or {@code VectorSoftmaxRows} on the Vector API where
 * {@link VectorPath} has loaded it. Both take the same float operations and the same sums in double, so they agree
 * to the bit.
 */
interface SoftmaxRows {
    /** Each row of v -= its largest value (NaN throughout where one is NaN). */
    void subtractMaxima(float[] v, int n, int c);

    /** Each row of the exps e /= its sum, summed in double and rounded to float. */
    void divideBySums(float[] e, int n, int c);

    /** Each row of shifted -= the log of the sum in double of e's row, rounded to float (log-softmax). */
    void subtractLogSums(float[] e, float[] shifted, int n, int c);

    /** g = y (g - sum(g y)) each row, the sum in double rounded to float (softmax's gradient). */
    void softmaxGradient(float[] y, float[] g, int n, int c);

    /** g = g - p sum(g) each row, the sum in double rounded to float, p = exp(y) (log-softmax's gradient). */
    void logSoftmaxGradient(float[] p, float[] g, int n, int c);
}
