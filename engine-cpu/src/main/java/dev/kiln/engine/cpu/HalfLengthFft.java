package dev.kiln.engine.cpu;

/**
 * The DFT of n real points, n even, through a complex FFT of h = n / 2 points, half the work of the complex FFT of
 * the real row. Forward: the row read as h complex values z_j = x_2j + i x_2j+1 is transformed to Z; with
 * E_k = (Z_k + conj Z_h-k) / 2 and O_k = (Z_k - conj Z_h-k) / 2i (Z_h = Z_0), the spectra of the even and of the odd
 * samples, {@code X_k = E_k + W^k O_k}, W = e^{-2 pi i / n}, k from 0 to h. Inverse, of a Hermitian half spectrum X
 * (bins 0 to h): the h values {@code (X_k + conj X_h-k) + i (X_k - conj X_h-k) conj W^k}, transformed with the plus
 * sign, are the n real points read in pairs as above.
 */
final class HalfLengthFft {
    private static final PlanCache<HalfLengthFft> PLANS = new PlanCache<>(16, HalfLengthFft::new);

    // Read by VectorFftLanes, which runs the same transform on lanes.
    final int h;
    final FftPlan half;
    /** (cos, -sin) of 2 pi k / n for k from 0 to h. */
    final double[] twiddles;

    private HalfLengthFft(int n) {
        this.h = n / 2;
        this.half = FftPlan.of(h);
        twiddles = new double[2 * (h + 1)];
        for (int k = 0; k <= h; k++) {
            double angle = 2 * Math.PI * k / n;
            twiddles[2 * k] = Math.cos(angle);
            twiddles[2 * k + 1] = -Math.sin(angle);
        }
    }

    /** The transform of an even n. */
    static HalfLengthFft of(int n) {
        return PLANS.of(n);
    }

    /** The doubles each of the work arrays needs. */
    int workLength() {
        return half.workLength();
    }

    /** The cost of one row in {@link Parallel}'s elements: the half-length FFT and the pass that splits it. */
    long work() {
        return half.work() + 8L * h;
    }

    /**
     * Bins 0 to h of the DFT of the n real points in {@code row} (overwritten: it holds the half-length transform
     * after) into {@code spectrum} (2 (h + 1) doubles, interleaved).
     */
    void forward(double[] row, double[] spectrum, double[] work, double[] spare) {
        half.forward(row, work, spare);
        for (int k = 0; k <= h; k++) {
            int a = 2 * (k == h ? 0 : k);
            int b = 2 * (k == 0 ? 0 : h - k);
            double zr = row[a];
            double zi = row[a + 1];
            double cr = row[b];
            double ci = -row[b + 1];
            double er = 0.5 * (zr + cr);
            double ei = 0.5 * (zi + ci);
            // O = (Z - conj Z') / 2i
            double or = 0.5 * (zi - ci);
            double oi = -0.5 * (zr - cr);
            double wr = twiddles[2 * k];
            double wi = twiddles[2 * k + 1];
            spectrum[2 * k] = er + wr * or - wi * oi;
            spectrum[2 * k + 1] = ei + wr * oi + wi * or;
        }
    }

    /**
     * The n real points whose spectrum is the Hermitian half {@code spectrum} (bins 0 to h, interleaved) into
     * {@code real}; {@code row} (n doubles) is overwritten.
     */
    void inverse(double[] spectrum, double[] real, double[] row, double[] work, double[] spare) {
        for (int k = 0; k < h; k++) {
            double ar = spectrum[2 * k];
            double ai = spectrum[2 * k + 1];
            double br = spectrum[2 * (h - k)];
            double bi = -spectrum[2 * (h - k) + 1];
            double dr = ar - br;
            double di = ai - bi;
            // (A - B) conj W^k, times i
            double wr = twiddles[2 * k];
            double wi = -twiddles[2 * k + 1];
            double pr = dr * wr - di * wi;
            double pi = dr * wi + di * wr;
            // Conjugated, so that the forward plan gives the plus sign: F+(Z) = conj(F-(conj Z)).
            row[2 * k] = ar + br - pi;
            row[2 * k + 1] = -(ai + bi + pr);
        }
        half.forward(row, work, spare);
        for (int j = 0; j < h; j++) {
            real[2 * j] = row[2 * j];
            real[2 * j + 1] = -row[2 * j + 1];
        }
    }
}
