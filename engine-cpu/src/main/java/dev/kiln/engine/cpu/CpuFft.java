package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The SPI's batched FFTs on the CPU (complex, real input, and the real part of an inverse): each row of n interleaved (real, imaginary) pairs read into doubles,
 * transformed by its length's {@link FftPlan} and written back scaled, rows split over the threads. Computed in double
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

    /** The SPI's rfft: x [..., n] real, out [..., bins, 2], the first bins of each row's spectrum, weighted. */
    void rfft(Tensor x, boolean hermitian, double scale, Tensor out) {
        int n = x.dim(x.rank() - 1);
        int bins = out.dim(out.rank() - 2);
        int rows = Math.toIntExact(x.size() / n);
        FftPlan plan = FftPlan.of(n);
        Data in = Data.of(x);
        Data o = Data.of(out);
        parallel.forRange(rows, plan.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            double[] row = w.row(2 * n);
            double[] real = w.real(n);
            double[] work = w.work(plan.workLength());
            double[] spare = w.spare(plan.workLength());
            for (int r = start; r < end; r++) {
                in.read(r * n, real, 0, n);
                for (int j = 0; j < n; j++) {
                    row[2 * j] = real[j];
                    row[2 * j + 1] = 0;
                }
                plan.forward(row, work, spare);
                for (int k = 0; k < bins; k++) {
                    double f = scale * weight(hermitian, k, n);
                    row[2 * k] *= f;
                    row[2 * k + 1] *= f;
                }
                o.write(r * 2 * bins, row, 0, 2 * bins);
            }
        });
    }

    /**
     * The SPI's irfft: c [..., m, 2], out [..., n] real, the real parts of each row's inverse transform of its first
     * min(m, n) bins, weighted; Re(F+(z)) = Re(F-(conj z)) lets the forward plan run it.
     */
    void irfft(Tensor c, boolean hermitian, double scale, Tensor out) {
        int n = out.dim(out.rank() - 1);
        int bins = c.dim(c.rank() - 2);
        int read = Math.min(bins, n);
        int rows = Math.toIntExact(out.size() / n);
        FftPlan plan = FftPlan.of(n);
        Data in = Data.of(c);
        Data o = Data.of(out);
        parallel.forRange(rows, plan.work(), (start, end) -> {
            Workspace w = WORKSPACE.get();
            double[] row = w.row(2 * n);
            double[] real = w.real(n);
            double[] work = w.work(plan.workLength());
            double[] spare = w.spare(plan.workLength());
            for (int r = start; r < end; r++) {
                in.read(r * 2 * bins, row, 0, 2 * read);
                Arrays.fill(row, 2 * read, 2 * n, 0);
                for (int k = 0; k < read; k++) {
                    double f = weight(hermitian, k, n);
                    row[2 * k] *= f;
                    row[2 * k + 1] *= -f;
                }
                plan.forward(row, work, spare);
                for (int j = 0; j < n; j++) {
                    real[j] = scale * row[2 * j];
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

    /** A thread's arrays, grown as needed and kept from call to call. */
    private static final class Workspace {
        private double[] row = new double[0];
        private double[] work = new double[0];
        private double[] spare = new double[0];
        private double[] real = new double[0];

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
