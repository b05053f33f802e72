package dev.kiln.engine.cpu;

/**
 * The FFTs of {@link #lanes} rows at once, held lane-major: the value a row's transform keeps at index i (its
 * interleaved doubles, as {@link FftPlan} and {@link HalfLengthFft} read them) is at {@code i * lanes + lane}.
 * {@link ScalarFftLanes} is one row (one lane: a row's own layout); {@code VectorFftLanes}, where {@link VectorPath}
 * has loaded it, runs the scalar transform's operations in each lane of the Vector API's doubles, in the same order,
 * so that every row's result agrees with the scalar one to the bit.
 */
interface FftLanes {
    /** The rows a call transforms. */
    int lanes();

    /** {@link FftPlan#forward} of each lane of a (2n times lanes doubles; the work arrays the plan's times lanes). */
    void forward(FftPlan plan, double[] a, double[] work, double[] spare);

    /** {@link HalfLengthFft#forward} of each lane: row (n times lanes doubles) in, spectrum ((n + 2) lanes) out. */
    void realForward(HalfLengthFft fft, double[] row, double[] spectrum, double[] work, double[] spare);

    /** {@link HalfLengthFft#inverse} of each lane: spectrum ((n + 2) lanes doubles) in, real (n lanes) out. */
    void realInverse(HalfLengthFft fft, double[] spectrum, double[] real, double[] row, double[] work,
                     double[] spare);

    /** A row's first length doubles into one lane of a lane-major block. */
    static void toLane(double[] row, int length, double[] block, int lane, int lanes) {
        for (int i = 0; i < length; i++) {
            block[i * lanes + lane] = row[i];
        }
    }

    /** One lane's first length doubles of a lane-major block into a row. */
    static void fromLane(double[] block, int lane, int lanes, double[] row, int length) {
        for (int i = 0; i < length; i++) {
            row[i] = block[i * lanes + lane];
        }
    }
}
