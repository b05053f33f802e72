package dev.kiln.engine.cpu;

import java.util.Arrays;

/**
 * A forward complex DFT of n points, {@code X_k = sum_j x_j e^{-2 pi i jk / n}}, in O(n log n) on rows of interleaved
 * (real, imaginary) doubles. A length whose prime factors are all at most {@value #LARGEST_RADIX} runs a self-sorting
 * mixed-radix FFT ({@link StockhamPass}es of radix 4 while it divides, then 2, 3, 5, ...), which needs no
 * bit-reversal pass; any other length runs Bluestein's algorithm, a convolution of chirps through an FFT of at least
 * 2n - 1 points whose prime factors are 2, 3 and 5 alone. Twiddles are computed directly rather than by recurrence, so
 * that errors grow as O(log n) rounding steps (about 1e-16 relative per pass in double). The plans of the last 16
 * lengths are kept ({@link PlanCache}).
 */
final class FftPlan {
    /** The largest prime factor a radix pass takes; past it a radix-p pass costs more than Bluestein's three FFTs. */
    static final int LARGEST_RADIX = 13;
    private static final PlanCache<FftPlan> PLANS = new PlanCache<>(16, FftPlan::new);

    // Read by VectorFftLanes, which runs the same plan on lanes.
    final int n;
    /** The passes, the product of their radices n; null where Bluestein's algorithm runs. */
    final StockhamPass[] passes;
    final Bluestein bluestein;

    private FftPlan(int n) {
        this.n = n;
        int[] radices = radices(n);
        if (radices == null) {
            passes = null;
            bluestein = new Bluestein(n);
        } else {
            passes = new StockhamPass[radices.length];
            int done = 1;
            for (int i = 0; i < radices.length; i++) {
                passes[i] = new StockhamPass(n, radices[i], done);
                done *= radices[i];
            }
            bluestein = null;
        }
    }

    /** The plan for n points, kept among the last few. */
    static FftPlan of(int n) {
        return PLANS.of(n);
    }

    /** The doubles each of {@link #forward}'s work arrays needs. */
    int workLength() {
        return bluestein == null ? 2 * n : bluestein.workLength();
    }

    /**
     * The cost of one row in {@link Parallel}'s elements: about 4 per point and pass (a Bluestein transform runs
     * three FFTs of its padded length).
     */
    long work() {
        if (bluestein != null) {
            return 3 * bluestein.inner.work();
        }
        return 4L * n * Math.max(1, passes.length);
    }

    /**
     * {@code a} (2n doubles, interleaved) replaced by its forward DFT; {@code work} and {@code spare} hold
     * {@link #workLength} doubles each (spare is used by Bluestein's algorithm alone).
     */
    void forward(double[] a, double[] work, double[] spare) {
        if (bluestein != null) {
            bluestein.forward(a, work, spare);
            return;
        }
        double[] from = a;
        double[] to = work;
        for (StockhamPass pass : passes) {
            pass.run(from, to);
            double[] t = from;
            from = to;
            to = t;
        }
        if (from != a) {
            System.arraycopy(from, 0, a, 0, 2 * n);
        }
    }

    /** n's radices, fours first, then primes up to {@link #LARGEST_RADIX}; null where a larger prime divides n. */
    private static int[] radices(int n) {
        int[] found = new int[32];
        int count = 0;
        int left = n;
        while (left % 4 == 0) {
            found[count++] = 4;
            left /= 4;
        }
        for (int p = 2; p <= LARGEST_RADIX && left > 1; p++) {
            while (left % p == 0) {
                found[count++] = p;
                left /= p;
            }
        }
        return left == 1 ? Arrays.copyOf(found, count) : null;
    }

    /**
     * Bluestein's algorithm: with {@code w_t = e^{-pi i t^2 / n}}, jk = (j^2 + k^2 - (k - j)^2) / 2 turns the DFT into
     * {@code X_k = w_k sum_j (x_j w_j) conj(w_{k - j})}, a convolution computed by FFTs of m >= 2n - 1 points
     * ({@link #convolutionLength}). The filter's transform (conj(w) wrapped around m, divided by m) is computed once;
     * the inverse FFT of the product is conj(FFT(conj(.))). Angles take t^2 mod 2n in integers, exact where
     * pi t^2 / n would lose digits.
     */
    static final class Bluestein {
        final int n;
        final int m;
        final FftPlan inner;
        final double[] chirp;
        final double[] filter;

        Bluestein(int n) {
            this.n = n;
            this.m = convolutionLength(2 * n - 1);
            this.inner = FftPlan.of(m);
            chirp = new double[2 * n];
            for (int t = 0; t < n; t++) {
                double angle = Math.PI * (int) ((long) t * t % (2L * n)) / n;
                chirp[2 * t] = Math.cos(angle);
                chirp[2 * t + 1] = -Math.sin(angle);
            }
            filter = new double[2 * m];
            for (int t = 0; t < n; t++) {
                double re = chirp[2 * t] / m;
                double im = -chirp[2 * t + 1] / m;
                filter[2 * t] = re;
                filter[2 * t + 1] = im;
                if (t > 0) {
                    filter[2 * (m - t)] = re;
                    filter[2 * (m - t) + 1] = im;
                }
            }
            inner.forward(filter, new double[inner.workLength()], null);
        }

        int workLength() {
            return 2 * m;
        }

        /**
         * The smallest multiple of 4 of at least {@code least} points whose other prime factors are 2, 3 and 5: the
         * radices with butterflies of their own, and a first pass of radix 4, which runs without twiddles. Where 2n - 1
         * is just past a power of two it is near half the next one (n 1037: 2160 points, not 4096).
         */
        static int convolutionLength(int least) {
            for (int m = (least + 3) & ~3; ; m += 4) {
                int left = m;
                for (int p : new int[] {2, 3, 5}) {
                    while (left % p == 0) {
                        left /= p;
                    }
                }
                if (left == 1) {
                    return m;
                }
            }
        }

        /** The forward DFT of a, the convolution in u, the inner FFTs' work in innerWork. */
        void forward(double[] a, double[] u, double[] innerWork) {
            Arrays.fill(u, 0, 2 * m, 0);
            for (int t = 0; t < n; t++) {
                double cr = chirp[2 * t];
                double ci = chirp[2 * t + 1];
                u[2 * t] = a[2 * t] * cr - a[2 * t + 1] * ci;
                u[2 * t + 1] = a[2 * t] * ci + a[2 * t + 1] * cr;
            }
            inner.forward(u, innerWork, null);
            for (int t = 0; t < m; t++) {
                double re = u[2 * t] * filter[2 * t] - u[2 * t + 1] * filter[2 * t + 1];
                double im = u[2 * t] * filter[2 * t + 1] + u[2 * t + 1] * filter[2 * t];
                u[2 * t] = re;
                u[2 * t + 1] = -im;
            }
            inner.forward(u, innerWork, null);
            for (int k = 0; k < n; k++) {
                double re = u[2 * k];
                double im = -u[2 * k + 1];
                double cr = chirp[2 * k];
                double ci = chirp[2 * k + 1];
                a[2 * k] = re * cr - im * ci;
                a[2 * k + 1] = re * ci + im * cr;
            }
        }
    }
}
