package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The SPI's batched FFTs on the CPU (complex, real input, and the real part of an inverse): each row read into
 * doubles, transformed by its length's {@link FftPlan} (real rows of even length by a {@link HalfLengthFft}) and
 * written back scaled, rows split over the threads. Computed in double
 * for F32 too, which costs little beside the transform and keeps F32 results within a rounding of the exact DFT. The
 * inverse is the conjugate of the forward transform of the conjugate, so one plan serves both directions. Rows run
 * in blocks of {@link FftLanes#lanes} (on the Vector API, one row a lane; the rows left over one at a time), each
 * row's reading, weighting and scaling done as a row's and put into or taken out of its lane on the way, so that the
 * results are those of the scalar FFT to the bit whichever way a row ran.
 */
final class CpuFft {
    private static final ThreadLocal<Workspace> WORKSPACE = ThreadLocal.withInitial(Workspace::new);

    private final Parallel parallel;
    private final FftLanes lanes;

    CpuFft(Parallel parallel) {
        this(parallel, VectorPath.fftLanes());
    }

    /** With the given lanes (the tests compare {@link ScalarFftLanes} with the Vector API's). */
    CpuFft(Parallel parallel, FftLanes lanes) {
        this.parallel = parallel;
        this.lanes = lanes;
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
            for (int r = start; r < end; ) {
                FftLanes f = lanesFor(end - r);
                int l = f.lanes();
                double[] block = l == 1 ? row : w.block(2 * n * l);
                for (int i = 0; i < l; i++) {
                    in.read((r + i) * 2 * n, row, 0, 2 * n);
                    conjugateIf(inverse, row, n);
                    toLane(row, 2 * n, block, i, l);
                }
                f.forward(plan, block, w.work(plan.workLength() * l), w.spare(plan.workLength() * l));
                for (int i = 0; i < l; i++) {
                    fromLane(block, i, l, row, 2 * n);
                    for (int k = 0; k < n; k++) {
                        row[2 * k] *= scale;
                        row[2 * k + 1] *= sign * scale;
                    }
                    o.write((r + i) * 2 * n, row, 0, 2 * n);
                }
                r += l;
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
            for (int r = start; r < end; ) {
                FftLanes f = lanesFor(end - r);
                int l = f.lanes();
                // One lane is the row itself: no copies.
                double[] block = l == 1 ? row : w.block(2 * n * l);
                for (int i = 0; i < l; i++) {
                    in.read((r + i) * n, row, 0, n);
                    transform.loadForward(row, block, i, l);
                }
                double[] result = transform.forward(f, block, l == 1 ? spectrum : w.lanesSpectrum(2 * n * l),
                        w.work(transform.workLength() * l), w.spare(transform.workLength() * l));
                for (int i = 0; i < l; i++) {
                    fromLane(result, i, l, spectrum, 2 * (n / 2 + 1));
                    weightedBins(spectrum, n, bins, hermitian, scale);
                    o.write((r + i) * 2 * bins, spectrum, 0, 2 * bins);
                }
                r += l;
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
            for (int r = start; r < end; ) {
                FftLanes f = lanesFor(end - r);
                int l = f.lanes();
                double[] block = l > 1 ? w.block(2 * n * l) : transform.even != null ? spectrum : row;
                for (int i = 0; i < l; i++) {
                    in.read((r + i) * 2 * bins, row, 0, 2 * read);
                    hermitianHalf(row, read, n, hermitian, spectrum);
                    transform.loadInverse(spectrum, row, block, i, l);
                }
                double[] reals = l == 1 ? real : w.lanesReal(n * l);
                transform.inverse(f, block, reals, l == 1 ? row : w.lanesSpectrum(2 * n * l),
                        w.work(transform.workLength() * l), w.spare(transform.workLength() * l));
                for (int i = 0; i < l; i++) {
                    fromLane(reals, i, l, real, n);
                    for (int j = 0; j < n; j++) {
                        real[j] *= scale;
                    }
                    o.write((r + i) * n, real, 0, n);
                }
                r += l;
            }
        });
    }

    /** Bins 0 to n / 2 of spectrum completed to bins by conjugate symmetry, each weighted and scaled. */
    private static void weightedBins(double[] spectrum, int n, int bins, boolean hermitian, double scale) {
        for (int k = n / 2 + 1; k < bins; k++) {
            spectrum[2 * k] = spectrum[2 * (n - k)];
            spectrum[2 * k + 1] = -spectrum[2 * (n - k) + 1];
        }
        for (int k = 0; k < bins; k++) {
            double factor = scale * weight(hermitian, k, n);
            spectrum[2 * k] *= factor;
            spectrum[2 * k + 1] *= factor;
        }
    }

    /**
     * The first read bins of row (2n doubles: zeros past them, each weighted, row overwritten) into bins 0 to n / 2
     * of their Hermitian part in spectrum.
     */
    private static void hermitianHalf(double[] row, int read, int n, boolean hermitian, double[] spectrum) {
        Arrays.fill(row, 2 * read, 2 * n, 0);
        for (int k = 0; k < read; k++) {
            double factor = weight(hermitian, k, n);
            row[2 * k] *= factor;
            row[2 * k + 1] *= factor;
        }
        for (int k = 0; k <= n / 2; k++) {
            int mirror = k == 0 ? 0 : n - k;
            spectrum[2 * k] = 0.5 * (row[2 * k] + row[2 * mirror]);
            spectrum[2 * k + 1] = 0.5 * (row[2 * k + 1] - row[2 * mirror + 1]);
        }
    }

    /** This FFT's lanes where at least a block of rows is left, else one row. */
    private FftLanes lanesFor(int left) {
        return left >= lanes.lanes() ? lanes : ScalarFftLanes.INSTANCE;
    }

    /** {@link FftLanes#toLane}, nothing where one lane is the row itself. */
    private static void toLane(double[] row, int length, double[] block, int lane, int lanes) {
        if (block != row) {
            FftLanes.toLane(row, length, block, lane, lanes);
        }
    }

    /** {@link FftLanes#fromLane}, nothing where one lane is the row itself. */
    private static void fromLane(double[] block, int lane, int lanes, double[] row, int length) {
        if (block != row) {
            FftLanes.fromLane(block, lane, lanes, row, length);
        }
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
     * A real row's transform and its inverse for n points, on a block of lanes: the {@link HalfLengthFft} for an
     * even n, else the complex FFT of n points of the row given zero imaginary parts (forward) or of the whole
     * Hermitian spectrum (inverse).
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

        /** The n reals of row into a lane of block (which may be row itself), as {@link #forward} reads them. */
        void loadForward(double[] row, double[] block, int lane, int lanes) {
            if (even != null) {
                toLane(row, n, block, lane, lanes);
                return;
            }
            // Last point first, so that a block that is the row reads each point before writing over it.
            for (int j = n - 1; j >= 0; j--) {
                double v = row[j];
                block[(2 * j + 1) * lanes + lane] = 0;
                block[2 * j * lanes + lane] = v;
            }
        }

        /**
         * Bins 0 to n / 2 of the spectra of block's rows (overwritten), in the array returned: spectrum (2n lanes
         * doubles) or block.
         */
        double[] forward(FftLanes f, double[] block, double[] spectrum, double[] work, double[] spare) {
            if (even != null) {
                f.realForward(even, block, spectrum, work, spare);
                return spectrum;
            }
            f.forward(odd, block, work, spare);
            return block;
        }

        /**
         * A row's Hermitian half spectrum (bins 0 to n / 2) into a lane of block, as {@link #inverse} reads it; row
         * (2n doubles) is overwritten. With one lane, block may be spectrum (even n) or row (odd n) itself.
         */
        void loadInverse(double[] spectrum, double[] row, double[] block, int lane, int lanes) {
            if (even != null) {
                toLane(spectrum, 2 * (n / 2 + 1), block, lane, lanes);
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
            toLane(row, 2 * n, block, lane, lanes);
        }

        /** The n reals of each lane of block (overwritten) into real; scratch (2n lanes doubles) is overwritten. */
        void inverse(FftLanes f, double[] block, double[] real, double[] scratch, double[] work, double[] spare) {
            if (even != null) {
                f.realInverse(even, block, real, scratch, work, spare);
                return;
            }
            f.forward(odd, block, work, spare);
            int lanes = f.lanes();
            for (int j = 0; j < n; j++) {
                System.arraycopy(block, 2 * j * lanes, real, j * lanes, lanes);
            }
        }
    }

    /** A thread's arrays, grown as needed and kept from call to call up to {@link ScratchArrays}'s limit. */
    private static final class Workspace {
        private static final int ROW = 0;
        private static final int WORK = 1;
        private static final int SPARE = 2;
        private static final int REAL = 3;
        private static final int SPECTRUM = 4;
        private static final int BLOCK = 5;
        private static final int LANES_SPECTRUM = 6;
        private static final int LANES_REAL = 7;

        private final ScratchArrays arrays = new ScratchArrays(8, 0);

        double[] block(int length) {
            return arrays.doubles(BLOCK, length);
        }

        double[] lanesSpectrum(int length) {
            return arrays.doubles(LANES_SPECTRUM, length);
        }

        double[] lanesReal(int length) {
            return arrays.doubles(LANES_REAL, length);
        }

        double[] spectrum(int length) {
            return arrays.doubles(SPECTRUM, length);
        }

        double[] real(int length) {
            return arrays.doubles(REAL, length);
        }

        double[] row(int length) {
            return arrays.doubles(ROW, length);
        }

        double[] work(int length) {
            return arrays.doubles(WORK, length);
        }

        double[] spare(int length) {
            return arrays.doubles(SPARE, length);
        }
    }
}
