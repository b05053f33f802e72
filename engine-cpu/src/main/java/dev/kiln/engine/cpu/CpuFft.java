package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The SPI's batched FFTs on the CPU (complex, real input, and the real part of an inverse): each row read into
 * doubles, transformed by its length's {@link FftPlan} (real rows of even length by a {@link HalfLengthFft}) and
 * written back scaled, rows split over the threads. Computed in double
 * for F32 too, which costs little beside the transform and keeps F32 results within a rounding of the exact DFT. The
 * inverse is the conjugate of the forward transform of the conjugate, so one plan serves both directions.
 */
final class CpuFft {
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final Parallel parallel;

    CpuFft(Parallel parallel) {
        this.parallel = parallel;
    }

    /** The SPI's fft: x and out [..., n, 2], out = scale * DFT(x) along axis rank - 2, of sign + when inverse. */
    void fft(Tensor x, boolean inverse, double scale, Tensor out) {
        int n = x.dim(x.rank() - 2);
        int rows = Math.toIntExact(x.size() / (2L * n));
        FftPlan plan = FftPlan.of(n);
        Data in = Data.of(x);
        Data o = Data.of(out);
        double sign = inverse ? -1 : 1;
        parallel.forRange(rows, plan.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            double[] row = w.row(2 * n);
            double[] work = w.work(plan.workLength());
            double[] spare = w.spare(plan.workLength());
            for (int r = start; r < end; r++) {
                in.read(r * 2 * n, row, 0, 2 * n);
                conjugateIf(inverse, row, n);
                plan.forward(row, work, spare);
                for (int k = 0; k < n; k++) {
                    row[2 * k] *= scale;
                    row[2 * k + 1] *= sign * scale;
                }
                o.write(r * 2 * n, row, 0, 2 * n);
            }
        });
    }

    /**
     * The SPI's rfft: x [..., n] real, out [..., bins, 2], the first bins of each row's spectrum, weighted; bins past
     * n / 2 are the conjugates of those before. An even n runs the {@link HalfLengthFft}, an odd one the complex FFT
     * of the row with zero imaginary parts.
     */
    void rfft(Tensor x, boolean hermitian, double scale, Tensor out) {
        int n = x.dim(x.rank() - 1);
        int bins = out.dim(out.rank() - 2);
        int rows = Math.toIntExact(x.size() / n);
        Transform transform = Transform.of(n);
        Data in = Data.of(x);
        Data o = Data.of(out);
        parallel.forRange(rows, transform.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            double[] row = w.row(2 * n);
            double[] spectrum = w.spectrum(2 * n);
            double[] work = w.work(transform.workLength());
            double[] spare = w.spare(transform.workLength());
            for (int r = start; r < end; r++) {
                in.read(r * n, row, 0, n);
                transform.realForward(row, spectrum, work, spare);
                for (int k = n / 2 + 1; k < bins; k++) {
                    spectrum[2 * k] = spectrum[2 * (n - k)];
                    spectrum[2 * k + 1] = -spectrum[2 * (n - k) + 1];
                }
                for (int k = 0; k < bins; k++) {
                    double f = scale * weight(hermitian, k, n);
                    spectrum[2 * k] *= f;
                    spectrum[2 * k + 1] *= f;
                }
                o.write(r * 2 * bins, spectrum, 0, 2 * bins);
            }
        });
    }

    /**
     * The SPI's irfft: c [..., m, 2], out [..., n] real, the real parts of each row's inverse transform of its first
     * min(m, n) bins, weighted. The real part of the inverse transform of any spectrum c is the inverse transform of
     * its Hermitian part {@code (c_k + conj c_n-k) / 2}, whose bins 0 to n / 2 {@link Transform} turns into n points.
     */
    void irfft(Tensor c, boolean hermitian, double scale, Tensor out) {
        int n = out.dim(out.rank() - 1);
        int bins = c.dim(c.rank() - 2);
        int read = Math.min(bins, n);
        int rows = Math.toIntExact(out.size() / n);
        Transform transform = Transform.of(n);
        Data in = Data.of(c);
        Data o = Data.of(out);
        parallel.forRange(rows, transform.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            double[] row = w.row(2 * n);
            double[] spectrum = w.spectrum(2 * n);
            double[] real = w.real(n);
            double[] work = w.work(transform.workLength());
            double[] spare = w.spare(transform.workLength());
            for (int r = start; r < end; r++) {
                in.read(r * 2 * bins, row, 0, 2 * read);
                Arrays.fill(row, 2 * read, 2 * n, 0);
                for (int k = 0; k < read; k++) {
                    double f = weight(hermitian, k, n);
                    row[2 * k] *= f;
                    row[2 * k + 1] *= f;
                }
                for (int k = 0; k <= n / 2; k++) {
                    int mirror = k == 0 ? 0 : n - k;
                    spectrum[2 * k] = 0.5 * (row[2 * k] + row[2 * mirror]);
                    spectrum[2 * k + 1] = 0.5 * (row[2 * k + 1] - row[2 * mirror + 1]);
                }
                transform.realInverse(spectrum, real, row, work, spare);
                for (int j = 0; j < n; j++) {
                    real[j] *= scale;
                }
                o.write(r * n, real, 0, n);
            }
        });
    }

    /** Bin k's weight: 1 unless hermitian, then 1 for bin 0 and an even n's n / 2, 2 between, 0 past n / 2. */
    private static double weight(boolean hermitian, int k, int n) {
        if (!hermitian || k == 0 || 2 * k == n) {
            return 1;
        }
        return 2 * k < n ? 2 : 0;
    }

    private static void conjugateIf(boolean conjugate, double[] row, int n) {
        if (conjugate) {
            for (int k = 0; k < n; k++) {
                row[2 * k + 1] = -row[2 * k + 1];
            }
        }
    }

    /**
     * A real row's transform and its inverse for n points: the {@link HalfLengthFft} for an even n, else the complex
     * FFT of n points of the row given zero imaginary parts (forward) or of the whole Hermitian spectrum (inverse).
     */
    private record Transform(int n, HalfLengthFft even, FftPlan odd) {
        static Transform of(int n) {
            return n % 2 == 0 ? new Transform(n, HalfLengthFft.of(n), null) : new Transform(n, null, FftPlan.of(n));
        }

        long work() {
            return even != null ? even.work() : odd.work();
        }

        int workLength() {
            return even != null ? even.workLength() : odd.workLength();
        }

        /** Bins 0 to n / 2 of the spectrum of the n reals in row (overwritten) into spectrum. */
        void realForward(double[] row, double[] spectrum, double[] work, double[] spare) {
            if (even != null) {
                even.forward(row, spectrum, work, spare);
                return;
            }
            for (int j = n - 1; j >= 0; j--) {
                spectrum[2 * j] = row[j];
                spectrum[2 * j + 1] = 0;
            }
            odd.forward(spectrum, work, spare);
        }

        /**
         * The n reals whose spectrum has the Hermitian half {@code spectrum} (bins 0 to n / 2) into real; row (2n
         * doubles) is overwritten.
         */
        void realInverse(double[] spectrum, double[] real, double[] row, double[] work, double[] spare) {
            if (even != null) {
                even.inverse(spectrum, real, row, work, spare);
                return;
            }
            // The conjugated full spectrum: F+(X) = conj(F-(conj X)), whose real part is that of F-(conj X).
            for (int k = 0; k <= n / 2; k++) {
                row[2 * k] = spectrum[2 * k];
                row[2 * k + 1] = -spectrum[2 * k + 1];
            }
            for (int k = n / 2 + 1; k < n; k++) {
                row[2 * k] = spectrum[2 * (n - k)];
                row[2 * k + 1] = spectrum[2 * (n - k) + 1];
            }
            odd.forward(row, work, spare);
            for (int j = 0; j < n; j++) {
                real[j] = row[2 * j];
            }
        }
    }

    /** A thread's arrays, grown as needed and kept from call to call. */
    private static final class Workspace {
        private double[] row = new double[0];
        private double[] work = new double[0];
        private double[] spare = new double[0];
        private double[] real = new double[0];
        private double[] spectrum = new double[0];

        double[] spectrum(int length) {
            if (spectrum.length < length) {
                spectrum = new double[length];
            }
            return spectrum;
        }

        double[] real(int length) {
            if (real.length < length) {
                real = new double[length];
            }
            return real;
        }

        double[] row(int length) {
            if (row.length < length) {
                row = new double[length];
            }
            return row;
        }

        double[] work(int length) {
            if (work.length < length) {
                work = new double[length];
            }
            return work;
        }

        double[] spare(int length) {
            if (spare.length < length) {
                spare = new double[length];
            }
            return spare;
        }
    }
}
