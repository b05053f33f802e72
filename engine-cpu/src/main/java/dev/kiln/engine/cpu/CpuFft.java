package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;

/**
 * The SPI's batched complex FFT on the CPU: each row of n interleaved (real, imaginary) pairs read into doubles,
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
