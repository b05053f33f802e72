package dev.kiln.engine.cpu;

import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A forward complex DFT of n points, {@code X_k = sum_j x_j e^{-2 pi i jk / n}}, in O(n log n) on rows of interleaved
 * (real, imaginary) doubles. A length whose prime factors are all at most {@value #LARGEST_RADIX} runs a self-sorting
 * mixed-radix Stockham FFT (radix 4 while it divides, then 2, 3, 5, ...), which needs no bit-reversal pass; any other
 * length runs Bluestein's algorithm, a convolution of chirps through a power-of-two FFT of at least 2n - 1 points.
 * Twiddles come from one table of {@code cos, sin(2 pi t / n)}, t below n, each computed directly rather than by
 * recurrence, so that errors grow as O(log n) rounding steps (about 1e-16 relative per stage in double). The plans of
 * the last {@value #CACHED} lengths are kept: a training loop over one shape builds its tables once.
 */
final class FftPlan {
    /** The largest prime factor a radix pass takes; past it a radix-p pass costs more than Bluestein's three FFTs. */
    static final int LARGEST_RADIX = 13;
    private static final int CACHED = 16;
    private static final Map<Integer, FftPlan> PLANS = Collections.synchronizedMap(
            new LinkedHashMap<>(32, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<Integer, FftPlan> eldest) {
                    return size() > CACHED;
                }
            });

    private final int n;
    /** The radix of each pass, their product n; null where Bluestein's algorithm runs. */
    private final int[] radices;
    private final double[] cos;
    private final double[] sin;
    private final Bluestein bluestein;

    private FftPlan(int n) {
        this.n = n;
        this.radices = radices(n);
        if (radices == null) {
            cos = null;
            sin = null;
            bluestein = new Bluestein(n);
        } else {
            cos = new double[n];
            sin = new double[n];
            for (int t = 0; t < n; t++) {
                double angle = 2 * Math.PI * t / n;
                cos[t] = Math.cos(angle);
                sin[t] = Math.sin(angle);
            }
            bluestein = null;
        }
    }

    /**
     * The plan for n points, kept among the last few. Built outside the map's lock: a Bluestein plan builds its inner
     * plan, which a computeIfAbsent would refuse as a change of the map during its own computation.
     */
    static FftPlan of(int n) {
        FftPlan kept = PLANS.get(n);
        if (kept != null) {
            return kept;
        }
        FftPlan built = new FftPlan(n);
        FftPlan raced = PLANS.putIfAbsent(n, built);
        return raced != null ? raced : built;
    }

    int length() {
        return n;
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
        return 4L * n * Math.max(1, radices.length);
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
        int done = 1;
        for (int radix : radices) {
            pass(from, to, radix, done);
            done *= radix;
            double[] t = from;
            from = to;
            to = t;
        }
        if (from != a) {
            System.arraycopy(from, 0, a, 0, 2 * n);
        }
    }

    /**
     * One Stockham pass: {@code done} points' transforms are finished in {@code x}; radix of them at a time are
     * combined into transforms of radix * done points in {@code y}. Butterfly j reads {@code x[j + r m]}, r below
     * the radix, multiplied by the twiddle of its position k = j mod done, and writes its r-th output at
     * {@code (j - k) radix + k + r done}.
     */
    private void pass(double[] x, double[] y, int radix, int done) {
        int m = n / radix;
        int stride = n / (done * radix);
        switch (radix) {
            case 2 -> radix2(x, y, m, done, stride);
            case 4 -> radix4(x, y, m, done, stride);
            default -> radixP(x, y, radix, m, done, stride);
        }
    }

    private void radix2(double[] x, double[] y, int m, int done, int stride) {
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int j = base + k;
                int t = k * stride;
                double wr = cos[t];
                double wi = -sin[t];
                double ar = x[2 * j];
                double ai = x[2 * j + 1];
                double br0 = x[2 * (j + m)];
                double bi0 = x[2 * (j + m) + 1];
                double br = br0 * wr - bi0 * wi;
                double bi = br0 * wi + bi0 * wr;
                int d = 2 * (base * 2 + k);
                y[d] = ar + br;
                y[d + 1] = ai + bi;
                y[d + 2 * done] = ar - br;
                y[d + 2 * done + 1] = ai - bi;
            }
        }
    }

    /**
     * Radix 4 with the forward sign: with b = v0 - v2 and d = -i (v1 - v3), X0 = v0 + v1 + v2 + v3, X1 = b + d,
     * X2 = v0 - v1 + v2 - v3, X3 = b - d.
     */
    private void radix4(double[] x, double[] y, int m, int done, int stride) {
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int j = base + k;
                int t = k * stride;
                double r0 = x[2 * j];
                double i0 = x[2 * j + 1];
                int p1 = 2 * (j + m);
                int p2 = 2 * (j + 2 * m);
                int p3 = 2 * (j + 3 * m);
                double w1r = cos[t];
                double w1i = -sin[t];
                double w2r = cos[2 * t];
                double w2i = -sin[2 * t];
                double w3r = cos[3 * t];
                double w3i = -sin[3 * t];
                double r1 = x[p1] * w1r - x[p1 + 1] * w1i;
                double i1 = x[p1] * w1i + x[p1 + 1] * w1r;
                double r2 = x[p2] * w2r - x[p2 + 1] * w2i;
                double i2 = x[p2] * w2i + x[p2 + 1] * w2r;
                double r3 = x[p3] * w3r - x[p3 + 1] * w3i;
                double i3 = x[p3] * w3i + x[p3 + 1] * w3r;
                double ar = r0 + r2;
                double ai = i0 + i2;
                double br = r0 - r2;
                double bi = i0 - i2;
                double cr = r1 + r3;
                double ci = i1 + i3;
                // d = -i (v1 - v3)
                double dr = i1 - i3;
                double di = r3 - r1;
                int d = 2 * (base * 4 + k);
                int s = 2 * done;
                y[d] = ar + cr;
                y[d + 1] = ai + ci;
                y[d + s] = br + dr;
                y[d + s + 1] = bi + di;
                y[d + 2 * s] = ar - cr;
                y[d + 2 * s + 1] = ai - ci;
                y[d + 3 * s] = br - dr;
                y[d + 3 * s + 1] = bi - di;
            }
        }
    }

    /** Any radix p as a direct p-point DFT of the twiddled inputs, its roots {@code e^{-2 pi i rq / p}} from the table. */
    private void radixP(double[] x, double[] y, int p, int m, int done, int stride) {
        double[] vr = new double[p];
        double[] vi = new double[p];
        int root = n / p;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int j = base + k;
                for (int r = 0; r < p; r++) {
                    int t = r * k * stride;
                    int at = 2 * (j + r * m);
                    vr[r] = x[at] * cos[t] + x[at + 1] * sin[t];
                    vi[r] = x[at + 1] * cos[t] - x[at] * sin[t];
                }
                int d = 2 * (base * p + k);
                for (int q = 0; q < p; q++) {
                    double sr = 0;
                    double si = 0;
                    for (int r = 0, rq = 0; r < p; r++, rq = rq + q >= p ? rq + q - p : rq + q) {
                        int t = rq * root;
                        sr += vr[r] * cos[t] + vi[r] * sin[t];
                        si += vi[r] * cos[t] - vr[r] * sin[t];
                    }
                    y[d + 2 * q * done] = sr;
                    y[d + 2 * q * done + 1] = si;
                }
            }
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
     * {@code X_k = w_k sum_j (x_j w_j) conj(w_{k - j})}, a convolution computed by FFTs of a power of two m >= 2n - 1.
     * The filter's transform (conj(w) wrapped around m, divided by m) is computed once; the inverse FFT of the product
     * is conj(FFT(conj(.))). Angles take t^2 mod 2n in integers, exact where pi t^2 / n would lose digits.
     */
    private static final class Bluestein {
        private final int n;
        private final int m;
        private final FftPlan inner;
        private final double[] chirp;
        private final double[] filter;

        Bluestein(int n) {
            this.n = n;
            this.m = Integer.highestOneBit(2 * n - 1) << (Integer.bitCount(2 * n - 1) == 1 ? 0 : 1);
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
