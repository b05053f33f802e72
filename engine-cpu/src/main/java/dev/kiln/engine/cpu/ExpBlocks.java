package dev.kiln.engine.cpu;

/**
 * The exp blocks that {@link FloatExp}'s routines and their kin ({@link FloatErf}, {@link FloatGeluTanh},
 * {@link FloatHyperbolic}) are made of, each over at most {@link Chunks#SIZE} values in place: {@link ScalarExpBlocks}
 * in loops that C2 vectorises in part, or {@code VectorExpBlocks} on the Vector API where {@link VectorPath} has
 * loaded it. Both compute the same float operations in the same order (same clamps, range reduction, polynomial and
 * scaling by 2^n), so that their results agree to the bit.
 */
interface ExpBlocks {
    /** v = exp(v). */
    void exp(float[] v, int len);

    /** v = exp(v) / 2, finite up to v = 89.41 (cosh's and sinh's overflow), where exp(v) is not. */
    void halfExp(float[] v, int len);

    /** v = exp(v) for values v at most 0 (a sigmoid's exp(-|x|)); larger values are taken as 0. */
    void nonPositiveExp(float[] v, int len);

    /** v = exp(v + low) for values v at most 0, low a correction far below v's ulp (a square's rounding error). */
    void nonPositiveExp(float[] v, float[] low, int len);

    /** v = exp(v) - 1, accurate near 0, keeping the sign of a zero. */
    void expm1(float[] v, int len);

    /** v = sigmoid(v) = 1 / (1 + exp(-v)), from one exp of -|v| (nothing overflows). */
    void sigmoid(float[] v, int len);

    /** v = v sigmoid(v) (SiLU). */
    void silu(float[] v, int len);

    /** v = sigmoid(v) (1 + v sigmoid(-v)), SiLU's derivative, both sigmoids from one exp of -|v|. */
    void siluDerivative(float[] v, int len);
}
