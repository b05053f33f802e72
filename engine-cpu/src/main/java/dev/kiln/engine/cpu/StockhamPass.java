package dev.kiln.engine.cpu;

/**
 * One pass of a self-sorting (Stockham) mixed-radix FFT of n points with the forward sign: the transforms of
 * {@code done} points finished in x are combined, radix at a time, into transforms of {@code radix * done} points in
 * y. Butterfly j (of n / radix) reads {@code x[j + r n / radix]}, r below the radix, multiplied by the twiddle
 * {@code e^{-2 pi i rk / (radix done)}} of its position k = j mod done, and writes its r-th output to
 * {@code y[(j - k) radix + k + r done]}. The pass's twiddles are kept in the order the loop reads them (n - 1
 * complex values over all passes of a plan), each computed directly from its exact index. Radices 2, 3, 4 and 5 have
 * butterflies written out; any other is a direct DFT of its inputs.
 */
final class StockhamPass {
    static final double SIN_60 = Math.sqrt(3) / 2;
    static final double COS_72 = Math.cos(2 * Math.PI / 5);
    static final double COS_144 = Math.cos(4 * Math.PI / 5);
    static final double SIN_72 = Math.sin(2 * Math.PI / 5);
    static final double SIN_144 = Math.sin(4 * Math.PI / 5);

    // Read by VectorStockhamPasses, which runs the same butterflies on lanes.
    final int radix;
    final int done;
    final int butterflies;
    /** (cos, -sin) of 2 pi rk / (radix done) for k below done, r from 1 below radix, r fastest. */
    final double[] twiddles;
    /** (cos, -sin) of 2 pi q / radix, for a radix without a butterfly of its own. */
    final double[] roots;

    StockhamPass(int n, int radix, int done) {
        this.radix = radix;
        this.done = done;
        this.butterflies = n / radix;
        twiddles = new double[2 * done * (radix - 1)];
        for (int k = 0; k < done; k++) {
            for (int r = 1; r < radix; r++) {
                double angle = 2 * Math.PI * r * k / ((double) radix * done);
                int at = 2 * (k * (radix - 1) + r - 1);
                twiddles[at] = Math.cos(angle);
                twiddles[at + 1] = -Math.sin(angle);
            }
        }
        roots = new double[2 * radix];
        for (int q = 0; q < radix; q++) {
            roots[2 * q] = Math.cos(2 * Math.PI * q / radix);
            roots[2 * q + 1] = -Math.sin(2 * Math.PI * q / radix);
        }
    }

    int radix() {
        return radix;
    }

    void run(double[] x, double[] y) {
        switch (radix) {
            case 2 -> radix2(x, y);
            case 3 -> radix3(x, y);
            case 4 -> radix4(x, y);
            case 5 -> radix5(x, y);
            default -> radixP(x, y);
        }
    }

    private void radix2(double[] x, double[] y) {
        int m = butterflies;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int a = 2 * (base + k);
                int b = a + 2 * m;
                double wr = twiddles[2 * k];
                double wi = twiddles[2 * k + 1];
                double br = x[b] * wr - x[b + 1] * wi;
                double bi = x[b] * wi + x[b + 1] * wr;
                int d = 2 * (base * 2 + k);
                y[d] = x[a] + br;
                y[d + 1] = x[a + 1] + bi;
                y[d + 2 * done] = x[a] - br;
                y[d + 2 * done + 1] = x[a + 1] - bi;
            }
        }
    }

    /** X0 = v0 + t, X1,2 = v0 - t / 2 -+ i sin 60 (v1 - v2), t = v1 + v2. */
    private void radix3(double[] x, double[] y) {
        int m = butterflies;
        int s = 2 * done;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p0 = 2 * (base + k);
                int p1 = p0 + 2 * m;
                int p2 = p1 + 2 * m;
                int w = 4 * k;
                double r1 = x[p1] * twiddles[w] - x[p1 + 1] * twiddles[w + 1];
                double i1 = x[p1] * twiddles[w + 1] + x[p1 + 1] * twiddles[w];
                double r2 = x[p2] * twiddles[w + 2] - x[p2 + 1] * twiddles[w + 3];
                double i2 = x[p2] * twiddles[w + 3] + x[p2 + 1] * twiddles[w + 2];
                double tr = r1 + r2;
                double ti = i1 + i2;
                double mr = x[p0] - 0.5 * tr;
                double mi = x[p0 + 1] - 0.5 * ti;
                double dr = SIN_60 * (r1 - r2);
                double di = SIN_60 * (i1 - i2);
                int d = 2 * (base * 3 + k);
                y[d] = x[p0] + tr;
                y[d + 1] = x[p0 + 1] + ti;
                y[d + s] = mr + di;
                y[d + s + 1] = mi - dr;
                y[d + 2 * s] = mr - di;
                y[d + 2 * s + 1] = mi + dr;
            }
        }
    }

    /**
     * With b = v0 - v2 and e = -i (v1 - v3): X0 = v0 + v1 + v2 + v3, X1 = b + e, X2 = v0 - v1 + v2 - v3,
     * X3 = b - e.
     */
    private void radix4(double[] x, double[] y) {
        if (done == 1) {
            firstRadix4(x, y);
            return;
        }
        int m = butterflies;
        int s = 2 * done;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p0 = 2 * (base + k);
                int p1 = p0 + 2 * m;
                int p2 = p1 + 2 * m;
                int p3 = p2 + 2 * m;
                int w = 6 * k;
                double r1 = x[p1] * twiddles[w] - x[p1 + 1] * twiddles[w + 1];
                double i1 = x[p1] * twiddles[w + 1] + x[p1 + 1] * twiddles[w];
                double r2 = x[p2] * twiddles[w + 2] - x[p2 + 1] * twiddles[w + 3];
                double i2 = x[p2] * twiddles[w + 3] + x[p2 + 1] * twiddles[w + 2];
                double r3 = x[p3] * twiddles[w + 4] - x[p3 + 1] * twiddles[w + 5];
                double i3 = x[p3] * twiddles[w + 5] + x[p3 + 1] * twiddles[w + 4];
                double ar = x[p0] + r2;
                double ai = x[p0 + 1] + i2;
                double br = x[p0] - r2;
                double bi = x[p0 + 1] - i2;
                double cr = r1 + r3;
                double ci = i1 + i3;
                double er = i1 - i3;
                double ei = r3 - r1;
                int d = 2 * (base * 4 + k);
                y[d] = ar + cr;
                y[d + 1] = ai + ci;
                y[d + s] = br + er;
                y[d + s + 1] = bi + ei;
                y[d + 2 * s] = ar - cr;
                y[d + 2 * s + 1] = ai - ci;
                y[d + 3 * s] = br - er;
                y[d + 3 * s + 1] = bi - ei;
            }
        }
    }

    /** The first pass's radix-4 butterflies, whose twiddles are all 1. */
    private void firstRadix4(double[] x, double[] y) {
        int m = butterflies;
        for (int j = 0; j < m; j++) {
            int p0 = 2 * j;
            int p1 = p0 + 2 * m;
            int p2 = p1 + 2 * m;
            int p3 = p2 + 2 * m;
            double ar = x[p0] + x[p2];
            double ai = x[p0 + 1] + x[p2 + 1];
            double br = x[p0] - x[p2];
            double bi = x[p0 + 1] - x[p2 + 1];
            double cr = x[p1] + x[p3];
            double ci = x[p1 + 1] + x[p3 + 1];
            double er = x[p1 + 1] - x[p3 + 1];
            double ei = x[p3] - x[p1];
            int d = 8 * j;
            y[d] = ar + cr;
            y[d + 1] = ai + ci;
            y[d + 2] = br + er;
            y[d + 3] = bi + ei;
            y[d + 4] = ar - cr;
            y[d + 5] = ai - ci;
            y[d + 6] = br - er;
            y[d + 7] = bi - ei;
        }
    }

    /**
     * With a1 = v1 + v4, b1 = v1 - v4, a2 = v2 + v3, b2 = v2 - v3: X1,4 = v0 + cos72 a1 + cos144 a2 -+ i (sin72 b1
     * + sin144 b2), X2,3 = v0 + cos144 a1 + cos72 a2 -+ i (sin144 b1 - sin72 b2).
     */
    private void radix5(double[] x, double[] y) {
        int m = butterflies;
        int s = 2 * done;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p0 = 2 * (base + k);
                int p1 = p0 + 2 * m;
                int p2 = p1 + 2 * m;
                int p3 = p2 + 2 * m;
                int p4 = p3 + 2 * m;
                int w = 8 * k;
                double r1 = x[p1] * twiddles[w] - x[p1 + 1] * twiddles[w + 1];
                double i1 = x[p1] * twiddles[w + 1] + x[p1 + 1] * twiddles[w];
                double r2 = x[p2] * twiddles[w + 2] - x[p2 + 1] * twiddles[w + 3];
                double i2 = x[p2] * twiddles[w + 3] + x[p2 + 1] * twiddles[w + 2];
                double r3 = x[p3] * twiddles[w + 4] - x[p3 + 1] * twiddles[w + 5];
                double i3 = x[p3] * twiddles[w + 5] + x[p3 + 1] * twiddles[w + 4];
                double r4 = x[p4] * twiddles[w + 6] - x[p4 + 1] * twiddles[w + 7];
                double i4 = x[p4] * twiddles[w + 7] + x[p4 + 1] * twiddles[w + 6];
                double a1r = r1 + r4;
                double a1i = i1 + i4;
                double b1r = r1 - r4;
                double b1i = i1 - i4;
                double a2r = r2 + r3;
                double a2i = i2 + i3;
                double b2r = r2 - r3;
                double b2i = i2 - i3;
                double v0r = x[p0];
                double v0i = x[p0 + 1];
                double c1r = v0r + COS_72 * a1r + COS_144 * a2r;
                double c1i = v0i + COS_72 * a1i + COS_144 * a2i;
                double c2r = v0r + COS_144 * a1r + COS_72 * a2r;
                double c2i = v0i + COS_144 * a1i + COS_72 * a2i;
                double s1r = SIN_72 * b1r + SIN_144 * b2r;
                double s1i = SIN_72 * b1i + SIN_144 * b2i;
                double s2r = SIN_144 * b1r - SIN_72 * b2r;
                double s2i = SIN_144 * b1i - SIN_72 * b2i;
                int d = 2 * (base * 5 + k);
                y[d] = v0r + a1r + a2r;
                y[d + 1] = v0i + a1i + a2i;
                y[d + s] = c1r + s1i;
                y[d + s + 1] = c1i - s1r;
                y[d + 2 * s] = c2r + s2i;
                y[d + 2 * s + 1] = c2i - s2r;
                y[d + 3 * s] = c2r - s2i;
                y[d + 3 * s + 1] = c2i + s2r;
                y[d + 4 * s] = c1r - s1i;
                y[d + 4 * s + 1] = c1i + s1r;
            }
        }
    }

    /** Any radix p: a direct p-point DFT of the twiddled inputs. */
    private void radixP(double[] x, double[] y) {
        int p = radix;
        int m = butterflies;
        double[] vr = new double[p];
        double[] vi = new double[p];
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int j = base + k;
                vr[0] = x[2 * j];
                vi[0] = x[2 * j + 1];
                for (int r = 1; r < p; r++) {
                    int at = 2 * (j + r * m);
                    int w = 2 * (k * (p - 1) + r - 1);
                    vr[r] = x[at] * twiddles[w] - x[at + 1] * twiddles[w + 1];
                    vi[r] = x[at] * twiddles[w + 1] + x[at + 1] * twiddles[w];
                }
                int d = 2 * (base * p + k);
                for (int q = 0; q < p; q++) {
                    double sr = 0;
                    double si = 0;
                    for (int r = 0, rq = 0; r < p; r++, rq = rq + q >= p ? rq + q - p : rq + q) {
                        sr += vr[r] * roots[2 * rq] - vi[r] * roots[2 * rq + 1];
                        si += vr[r] * roots[2 * rq + 1] + vi[r] * roots[2 * rq];
                    }
                    y[d + 2 * q * done] = sr;
                    y[d + 2 * q * done + 1] = si;
                }
            }
        }
    }
}
