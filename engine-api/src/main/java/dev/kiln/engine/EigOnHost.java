package dev.kiln.engine;

import java.nio.IntBuffer;
import java.util.Arrays;

/**
 * The Backend SPI's default general eigen-decomposition ({@link Backend#eig}) on the host, in F64, one matrix at a
 * time, the textbook way: Householder reflections reduce A to upper Hessenberg form {@code H = Q^T A Q}; Francis
 * double-shift QR steps (implicit, a 3 x 3 bulge chased down the active block) reduce H to the real Schur form
 * {@code T = Z^T A Z}, quasi-triangular with 1 x 1 blocks for real eigenvalues and 2 x 2 blocks for complex pairs; each
 * eigenvector of T is found by complex back-substitution and carried back by Z. No balancing, so badly scaled
 * matrices lose more digits than LAPACK's {@code geev} would.
 */
final class EigOnHost {
    private static final double EPS = Math.ulp(1.0) / 2;
    /** Where back-substitution rescales its vector, far enough from overflow that the next rows cannot reach it. */
    private static final double LARGE = 0x1p300;

    private EigOnHost() {
    }

    static void eig(Backend backend, Tensor a, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        int n = a.dim(-1);
        int batch = a.dim(0);
        double[] m = LinalgOnHost.read(backend, a);
        requireFinite(m, n, a);
        double[] values = new double[batch * n * 2];
        double[] vectors = eigenvectors == null ? null : new double[batch * n * n * 2];
        int[] failures = new int[batch];
        for (int b = 0; b < batch; b++) {
            failures[b] = decompose(Arrays.copyOfRange(m, b * n * n, (b + 1) * n * n), n, values, b * n * 2,
                    vectors, b * n * n * 2);
        }
        LinalgOnHost.write(backend, values, eigenvalues);
        if (eigenvectors != null) {
            LinalgOnHost.write(backend, vectors, eigenvectors);
        }
        backend.copyFromHost(IntBuffer.wrap(failures), info);
    }

    /**
     * Refuses infinities and NaN by name, as PyTorch refuses them: the QR steps would spread them into NaN eigenvalues,
     * some with info 0, or run out of steps.
     */
    private static void requireFinite(double[] m, int n, Tensor a) {
        for (int i = 0; i < m.length; i++) {
            if (!Double.isFinite(m[i])) {
                throw new IllegalArgumentException("Backend.eig: matrix " + i / (n * n) + " of A " + a.shape()
                        + " contains infinities or NaN, which the host default's QR steps cannot decompose");
            }
        }
    }

    /**
     * One matrix h (destroyed): its eigenvalues into {@code values} at {@code valueBase} and, unless vectors is null,
     * its eigenvectors at {@code vectorBase}; NaN where the QR steps fail, whose info it returns (0 where they do not).
     */
    private static int decompose(double[] h, int n, double[] values, int valueBase, double[] vectors,
                                 int vectorBase) {
        double[] z = new double[n * n];
        for (int i = 0; i < n; i++) {
            z[i * n + i] = 1;
        }
        double[] wr = new double[n];
        double[] wi = new double[n];
        int exponent = LinalgOnHost.scaleToOne(h, 0, h.length);
        hessenberg(h, z, n);
        int info = schur(h, z, n, wr, wi);
        if (info != 0) {
            Arrays.fill(values, valueBase, valueBase + n * 2, Double.NaN);
            if (vectors != null) {
                Arrays.fill(vectors, vectorBase, vectorBase + n * n * 2, Double.NaN);
            }
            return info;
        }
        for (int i = 0; i < n; i++) {
            values[valueBase + i * 2] = Math.scalb(wr[i], exponent);
            values[valueBase + i * 2 + 1] = Math.scalb(wi[i], exponent);
        }
        if (vectors != null) {
            eigenvectors(h, z, n, wr, wi, vectors, vectorBase);
        }
        return 0;
    }

    /**
     * Reduces h to upper Hessenberg form in place, column by column, each reflection zeroing a column below its
     * subdiagonal, applied on both sides and accumulated into z ({@code z <- z P}).
     */
    private static void hessenberg(double[] h, double[] z, int n) {
        double[] v = new double[n];
        for (int k = 0; k < n - 2; k++) {
            double alpha = h[(k + 1) * n + k];
            double tail = 0;
            for (int i = k + 2; i < n; i++) {
                tail += h[i * n + k] * h[i * n + k];
            }
            if (tail == 0) {
                continue;
            }
            double beta = -Math.copySign(Math.hypot(alpha, Math.sqrt(tail)), alpha);
            double tau = (beta - alpha) / beta;
            v[k + 1] = 1;
            for (int i = k + 2; i < n; i++) {
                v[i] = h[i * n + k] / (alpha - beta);
            }
            reflectRows(h, n, v, tau, k + 1, n, k, n);
            reflectColumns(h, n, v, tau, k + 1, n, 0, n);
            reflectColumns(z, n, v, tau, k + 1, n, 0, n);
            h[(k + 1) * n + k] = beta;
            for (int i = k + 2; i < n; i++) {
                h[i * n + k] = 0;
            }
        }
    }

    /** {@code (I - tau v v^T) M} on rows [r0, r1) and columns [c0, c1), v read at the rows' indices. */
    private static void reflectRows(double[] m, int n, double[] v, double tau, int r0, int r1, int c0, int c1) {
        for (int j = c0; j < c1; j++) {
            double s = 0;
            for (int i = r0; i < r1; i++) {
                s += v[i] * m[i * n + j];
            }
            s *= tau;
            for (int i = r0; i < r1; i++) {
                m[i * n + j] -= s * v[i];
            }
        }
    }

    /** {@code M (I - tau v v^T)} on columns [c0, c1) and rows [r0, r1), v read at the columns' indices. */
    private static void reflectColumns(double[] m, int n, double[] v, double tau, int c0, int c1, int r0, int r1) {
        for (int i = r0; i < r1; i++) {
            double s = 0;
            for (int j = c0; j < c1; j++) {
                s += v[j] * m[i * n + j];
            }
            s *= tau;
            for (int j = c0; j < c1; j++) {
                m[i * n + j] -= s * v[j];
            }
        }
    }

    /**
     * Reduces the Hessenberg h to real Schur form in place, z accumulating the transformations, the eigenvalues into
     * wr and wi (a complex pair as two entries, the positive imaginary part first, as LAPACK orders them); returns 0,
     * or as LAPACK's info the count of eigenvalues not found when a block took too many steps.
     */
    private static int schur(double[] h, double[] z, int n, double[] wr, double[] wi) {
        double norm = 0;
        for (double x : h) {
            norm += Math.abs(x);
        }
        int limit = 30 * Math.max(10, n);
        int hi = n - 1;
        int steps = 0;
        while (hi >= 0) {
            int lo = activeStart(h, n, hi, norm);
            if (lo == hi) {
                wr[hi] = h[hi * n + hi];
                hi--;
                steps = 0;
            } else if (lo == hi - 1) {
                splitTwoByTwo(h, z, n, hi, wr, wi);
                hi -= 2;
                steps = 0;
            } else if (++steps > limit) {
                return hi + 1;
            } else {
                francisStep(h, z, n, lo, hi, steps);
            }
        }
        return 0;
    }

    /** The first row of the unreduced block ending at hi, a negligible subdiagonal entry above it set to 0. */
    private static int activeStart(double[] h, int n, int hi, double norm) {
        for (int l = hi; l > 0; l--) {
            double scale = Math.abs(h[(l - 1) * n + l - 1]) + Math.abs(h[l * n + l]);
            if (Math.abs(h[l * n + l - 1]) <= EPS * (scale == 0 ? norm : scale)) {
                h[l * n + l - 1] = 0;
                return l;
            }
        }
        return 0;
    }

    /**
     * The 2 x 2 block at rows hi - 1 and hi: a real pair is made upper triangular by a rotation whose first column is
     * an eigenvector of the block; a complex pair is left as it is, its eigenvalues written out.
     */
    private static void splitTwoByTwo(double[] h, double[] z, int n, int hi, double[] wr, double[] wi) {
        int p = hi - 1;
        double a = h[p * n + p];
        double b = h[p * n + hi];
        double c = h[hi * n + p];
        double d = h[hi * n + hi];
        double half = (a - d) / 2;
        double q = half * half + b * c;
        if (q < 0) {
            wr[p] = d + half;
            wr[hi] = d + half;
            wi[p] = Math.sqrt(-q);
            wi[hi] = -wi[p];
            return;
        }
        // (zed, c) is an eigenvector of the block for the eigenvalue d + zed.
        double zed = half + Math.copySign(Math.sqrt(q), half);
        double r = Math.hypot(zed, c);
        double cos = zed / r;
        double sin = c / r;
        for (int j = p; j < n; j++) {
            double top = h[p * n + j];
            double bottom = h[hi * n + j];
            h[p * n + j] = cos * top + sin * bottom;
            h[hi * n + j] = cos * bottom - sin * top;
        }
        rotateColumns(h, n, p, hi + 1, cos, sin);
        rotateColumns(z, n, p, n, cos, sin);
        h[hi * n + p] = 0;
        wr[p] = h[p * n + p];
        wr[hi] = h[hi * n + hi];
    }

    /** Columns p and p + 1 of rows [0, rows) times the rotation {@code [[cos, -sin], [sin, cos]]}. */
    private static void rotateColumns(double[] m, int n, int p, int rows, double cos, double sin) {
        for (int i = 0; i < rows; i++) {
            double left = m[i * n + p];
            double right = m[i * n + p + 1];
            m[i * n + p] = cos * left + sin * right;
            m[i * n + p + 1] = cos * right - sin * left;
        }
    }

    /**
     * One implicit double-shift QR step on the unreduced block [lo, hi] (at least 3 x 3): the shifts are the trailing
     * 2 x 2 block's eigenvalues, every tenth step an ad hoc pair that breaks cycles. The first column of
     * {@code (H - s1)(H - s2)} fixes the first reflection; the rest chase its bulge down the block.
     */
    private static void francisStep(double[] h, double[] z, int n, int lo, int hi, int steps) {
        double sum;
        double product;
        if (steps % 10 == 0) {
            double shift = h[hi * n + hi] + 0.75 * (Math.abs(h[hi * n + hi - 1]) + Math.abs(h[(hi - 1) * n + hi - 2]));
            sum = 2 * shift;
            product = shift * shift;
        } else {
            double a = h[(hi - 1) * n + hi - 1];
            double d = h[hi * n + hi];
            sum = a + d;
            product = a * d - h[(hi - 1) * n + hi] * h[hi * n + hi - 1];
        }
        double h00 = h[lo * n + lo];
        double h10 = h[(lo + 1) * n + lo];
        double x = h00 * h00 + h[lo * n + lo + 1] * h10 - sum * h00 + product;
        double y = h10 * (h00 + h[(lo + 1) * n + lo + 1] - sum);
        double w = h10 * h[(lo + 2) * n + lo + 1];
        double[] v = new double[n];
        for (int k = lo; k < hi; k++) {
            int size = Math.min(3, hi - k + 1);
            if (k > lo) {
                x = h[k * n + k - 1];
                y = h[(k + 1) * n + k - 1];
                w = size == 3 ? h[(k + 2) * n + k - 1] : 0;
            }
            double scale = Math.abs(x) + Math.abs(y) + Math.abs(w);
            if (scale == 0) {
                continue;
            }
            double beta = -Math.copySign(scale * Math.sqrt(square(x / scale) + square(y / scale)
                    + square(w / scale)), x);
            double tau = (beta - x) / beta;
            v[k] = 1;
            v[k + 1] = y / (x - beta);
            if (size == 3) {
                v[k + 2] = w / (x - beta);
            }
            reflectRows(h, n, v, tau, k, k + size, Math.max(lo, k - 1), n);
            reflectColumns(h, n, v, tau, k, k + size, 0, Math.min(hi, k + 3) + 1);
            reflectColumns(z, n, v, tau, k, k + size, 0, n);
            if (k > lo) {
                h[k * n + k - 1] = beta;
                h[(k + 1) * n + k - 1] = 0;
                if (size == 3) {
                    h[(k + 2) * n + k - 1] = 0;
                }
            }
        }
    }

    private static double square(double x) {
        return x * x;
    }

    /**
     * The eigenvectors of A into {@code out} at {@code base} ({@code [n, n, 2]}, column k for eigenvalue k): those of
     * the quasi-triangular t by back-substitution, times z, each scaled to unit 2-norm and, for a complex one, turned
     * so that its largest component is real and positive (LAPACK's {@code geev} normalisation). A complex pair's
     * second vector is the first's conjugate.
     */
    private static void eigenvectors(double[] t, double[] z, int n, double[] wr, double[] wi, double[] out,
                                     int base) {
        double[] xr = new double[n];
        double[] xi = new double[n];
        for (int k = 0; k < n; k++) {
            if (wi[k] < 0) {
                for (int i = 0; i < n; i++) {
                    out[base + (i * n + k) * 2] = out[base + (i * n + k - 1) * 2];
                    out[base + (i * n + k) * 2 + 1] = -out[base + (i * n + k - 1) * 2 + 1];
                }
                continue;
            }
            Arrays.fill(xr, 0);
            Arrays.fill(xi, 0);
            int top = wi[k] > 0 ? blockVector(t, n, k, wr[k], wi[k], xr, xi) : startReal(k, xr);
            // LAPACK's trevc bound: relative to the eigenvalue, so that tiny eigenvalues keep their digits.
            double smallest = Math.max(EPS * (Math.abs(wr[k]) + Math.abs(wi[k])), Double.MIN_NORMAL * n / EPS);
            backSubstitute(t, n, top, wr[k], wi[k], smallest, xr, xi);
            store(z, n, k, xr, xi, wi[k] != 0, out, base);
        }
    }

    private static int startReal(int k, double[] xr) {
        xr[k] = 1;
        return k;
    }

    /**
     * The eigenvector of the 2 x 2 block at rows k, k + 1 for {@code lambda = re + i im}: (b, lambda - a) or
     * (lambda - d, c), whichever is larger, so that neither is a cancellation. Returns k, the first row it fills.
     */
    private static int blockVector(double[] t, int n, int k, double re, double im, double[] xr, double[] xi) {
        double a = t[k * n + k];
        double b = t[k * n + k + 1];
        double c = t[(k + 1) * n + k];
        double d = t[(k + 1) * n + k + 1];
        if (Math.abs(b) + Math.abs(re - a) >= Math.abs(re - d) + Math.abs(c)) {
            xr[k] = b;
            xr[k + 1] = re - a;
            xi[k + 1] = im;
        } else {
            xr[k] = re - d;
            xi[k] = im;
            xr[k + 1] = c;
        }
        return k;
    }

    /**
     * Rows above {@code top} of {@code (T - lambda) x = 0}, from the bottom up: a 1 x 1 block's row divided by its
     * diagonal, a 2 x 2 block's two rows solved together; a pivot that vanishes is replaced by {@code smallest}, as
     * LAPACK does for a repeated eigenvalue.
     */
    private static void backSubstitute(double[] t, int n, int top, double re, double im, double smallest,
                                       double[] xr, double[] xi) {
        int i = top - 1;
        while (i >= 0) {
            if (i > 0 && t[i * n + i - 1] != 0) {
                solveTwoRows(t, n, i - 1, re, im, smallest, xr, xi);
                rescale(xr, xi, i - 1);
                rescale(xr, xi, i);
                i -= 2;
            } else {
                double rr = -dotFrom(t, n, i, i + 1, xr);
                double ri = -dotFrom(t, n, i, i + 1, xi);
                double dr = t[i * n + i] - re;
                double di = -im;
                if (Math.abs(dr) + Math.abs(di) < smallest) {
                    dr = smallest;
                }
                divide(rr, ri, dr, di, xr, xi, i);
                rescale(xr, xi, i);
                i--;
            }
        }
    }

    /** Rows p and p + 1 (a 2 x 2 block) by Cramer's rule in complex arithmetic. */
    private static void solveTwoRows(double[] t, int n, int p, double re, double im, double smallest, double[] xr,
                                     double[] xi) {
        double r1r = -dotFrom(t, n, p, p + 2, xr);
        double r1i = -dotFrom(t, n, p, p + 2, xi);
        double r2r = -dotFrom(t, n, p + 1, p + 2, xr);
        double r2i = -dotFrom(t, n, p + 1, p + 2, xi);
        double ar = t[p * n + p] - re;
        double b = t[p * n + p + 1];
        double c = t[(p + 1) * n + p];
        double dr = t[(p + 1) * n + p + 1] - re;
        // det = (a - lambda)(d - lambda) - b c, with a - lambda = ar - i im and d - lambda = dr - i im.
        double detR = ar * dr - im * im - b * c;
        double detI = -im * (ar + dr);
        if (Math.abs(detR) + Math.abs(detI) < smallest) {
            detR = smallest;
        }
        // x1 = (r1 (d - lambda) - b r2) / det, x2 = ((a - lambda) r2 - c r1) / det.
        double n1r = r1r * dr + r1i * im - b * r2r;
        double n1i = r1i * dr - r1r * im - b * r2i;
        double n2r = ar * r2r + im * r2i - c * r1r;
        double n2i = ar * r2i - im * r2r - c * r1i;
        divide(n1r, n1i, detR, detI, xr, xi, p);
        divide(n2r, n2i, detR, detI, xr, xi, p + 1);
    }

    /**
     * Scales x down where component i grew past {@link #LARGE} (near-zero pivots of a repeated eigenvalue multiply it
     * by up to 1 / eps a row), as LAPACK's trevc does; the vector is normalised afterwards anyway.
     */
    private static void rescale(double[] xr, double[] xi, int i) {
        double size = Math.abs(xr[i]) + Math.abs(xi[i]);
        if (size > LARGE) {
            for (int j = 0; j < xr.length; j++) {
                xr[j] /= size;
                xi[j] /= size;
            }
        }
    }

    /** Row i of t times x from column {@code from} on. */
    private static double dotFrom(double[] t, int n, int i, int from, double[] x) {
        double s = 0;
        for (int j = from; j < n; j++) {
            s += t[i * n + j] * x[j];
        }
        return s;
    }

    /** {@code x[i] = (nr + i ni) / (dr + i di)}, scaled so that neither square overflows. */
    private static void divide(double nr, double ni, double dr, double di, double[] xr, double[] xi, int i) {
        if (Math.abs(dr) >= Math.abs(di)) {
            double ratio = di / dr;
            double den = dr + di * ratio;
            xr[i] = (nr + ni * ratio) / den;
            xi[i] = (ni - nr * ratio) / den;
        } else {
            double ratio = dr / di;
            double den = dr * ratio + di;
            xr[i] = (nr * ratio + ni) / den;
            xi[i] = (ni * ratio - nr) / den;
        }
    }

    /** {@code z x}, normalised, into column k of {@code out}. */
    private static void store(double[] z, int n, int k, double[] xr, double[] xi, boolean complex, double[] out,
                              int base) {
        double[] vr = new double[n];
        double[] vi = new double[n];
        double norm = 0;
        int largest = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                vr[i] += z[i * n + j] * xr[j];
                vi[i] += z[i * n + j] * xi[j];
            }
            double magnitude = vr[i] * vr[i] + vi[i] * vi[i];
            if (magnitude > vr[largest] * vr[largest] + vi[largest] * vi[largest]) {
                largest = i;
            }
            norm += magnitude;
        }
        // Dividing by the largest component's phase makes it real and positive; a real vector keeps its sign.
        double cr = 1 / Math.sqrt(norm);
        double ci = 0;
        if (complex) {
            double length = Math.hypot(vr[largest], vi[largest]);
            cr = vr[largest] / length / Math.sqrt(norm);
            ci = -vi[largest] / length / Math.sqrt(norm);
        }
        for (int i = 0; i < n; i++) {
            out[base + (i * n + k) * 2] = vr[i] * cr - vi[i] * ci;
            out[base + (i * n + k) * 2 + 1] = vr[i] * ci + vi[i] * cr;
        }
        if (complex) {
            out[base + (largest * n + k) * 2 + 1] = 0;
        }
    }
}
