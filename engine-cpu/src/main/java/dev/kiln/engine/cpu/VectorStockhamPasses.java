package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.StockhamPass.COS_144;
import static dev.kiln.engine.cpu.StockhamPass.COS_72;
import static dev.kiln.engine.cpu.StockhamPass.SIN_144;
import static dev.kiln.engine.cpu.StockhamPass.SIN_60;
import static dev.kiln.engine.cpu.StockhamPass.SIN_72;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link StockhamPass}'s butterflies on lane-major blocks ({@link FftLanes}): each double of the scalar pass a
 * vector of one double a row, each of its operations the same lane-wise one in the same order (Java contracts no
 * multiply-add, so neither path fuses), twiddles broadcast. One method a radix (radix 5 two), each small enough
 * for C2 to inline the Vector API's calls into it and keep its vectors in registers. A pass may overwrite its input
 * x, which {@link FftPlan}'s next pass writes over anyway.
 */
final class VectorStockhamPasses {
    static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    static final int L = D.length();

    private VectorStockhamPasses() {
    }

    /**
     * The butterflies of each radix, called through an interface so that the call site sees many targets and C2
     * compiles each on its own: inlined into one switch, they overran its inlining budget and every vector of the
     * larger radices was boxed.
     */
    private static final Kernel[] KERNELS = {null, null, VectorStockhamPasses::radix2, VectorStockhamPasses::radix3,
        VectorStockhamPasses::radix4, VectorStockhamPasses::radix5};

    private interface Kernel {
        void run(StockhamPass pass, double[] x, double[] y);
    }

    /** pass.run on lanes. */
    static void run(StockhamPass pass, double[] x, double[] y) {
        Kernel kernel;
        if (pass.radix == 4 && pass.done == 1) {
            kernel = VectorStockhamPasses::firstRadix4;
        } else if (pass.radix < KERNELS.length) {
            kernel = KERNELS[pass.radix];
        } else {
            kernel = VectorStockhamPasses::radixP;
        }
        kernel.run(pass, x, y);
    }

    private static DoubleVector at(double[] a, int i) {
        return DoubleVector.fromArray(D, a, i);
    }

    private static void radix2(StockhamPass pass, double[] x, double[] y) {
        int m = pass.butterflies;
        int done = pass.done;
        double[] w = pass.twiddles;
        int s = 2 * done * L;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int a = 2 * (base + k) * L;
                int b = a + 2 * m * L;
                double wr = w[2 * k];
                double wi = w[2 * k + 1];
                DoubleVector xr = at(x, b);
                DoubleVector xi = at(x, b + L);
                DoubleVector br = xr.mul(wr).sub(xi.mul(wi));
                DoubleVector bi = xr.mul(wi).add(xi.mul(wr));
                DoubleVector ar = at(x, a);
                DoubleVector ai = at(x, a + L);
                int d = 2 * (base * 2 + k) * L;
                ar.add(br).intoArray(y, d);
                ai.add(bi).intoArray(y, d + L);
                ar.sub(br).intoArray(y, d + s);
                ai.sub(bi).intoArray(y, d + s + L);
            }
        }
    }

    private static void radix3(StockhamPass pass, double[] x, double[] y) {
        int m = pass.butterflies;
        int done = pass.done;
        double[] tw = pass.twiddles;
        int s = 2 * done * L;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p0 = 2 * (base + k) * L;
                int p1 = p0 + 2 * m * L;
                int p2 = p1 + 2 * m * L;
                int w = 4 * k;
                DoubleVector x1r = at(x, p1);
                DoubleVector x1i = at(x, p1 + L);
                DoubleVector x2r = at(x, p2);
                DoubleVector x2i = at(x, p2 + L);
                DoubleVector r1 = x1r.mul(tw[w]).sub(x1i.mul(tw[w + 1]));
                DoubleVector i1 = x1r.mul(tw[w + 1]).add(x1i.mul(tw[w]));
                DoubleVector r2 = x2r.mul(tw[w + 2]).sub(x2i.mul(tw[w + 3]));
                DoubleVector i2 = x2r.mul(tw[w + 3]).add(x2i.mul(tw[w + 2]));
                DoubleVector tr = r1.add(r2);
                DoubleVector ti = i1.add(i2);
                DoubleVector x0r = at(x, p0);
                DoubleVector x0i = at(x, p0 + L);
                DoubleVector mr = x0r.sub(tr.mul(0.5));
                DoubleVector mi = x0i.sub(ti.mul(0.5));
                DoubleVector dr = r1.sub(r2).mul(SIN_60);
                DoubleVector di = i1.sub(i2).mul(SIN_60);
                int d = 2 * (base * 3 + k) * L;
                x0r.add(tr).intoArray(y, d);
                x0i.add(ti).intoArray(y, d + L);
                mr.add(di).intoArray(y, d + s);
                mi.sub(dr).intoArray(y, d + s + L);
                mr.sub(di).intoArray(y, d + 2 * s);
                mi.add(dr).intoArray(y, d + 2 * s + L);
            }
        }
    }

    private static void radix4(StockhamPass pass, double[] x, double[] y) {
        int m = pass.butterflies;
        int done = pass.done;
        double[] tw = pass.twiddles;
        int s = 2 * done * L;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p0 = 2 * (base + k) * L;
                int p1 = p0 + 2 * m * L;
                int p2 = p1 + 2 * m * L;
                int p3 = p2 + 2 * m * L;
                int w = 6 * k;
                DoubleVector x1r = at(x, p1);
                DoubleVector x1i = at(x, p1 + L);
                DoubleVector r1 = x1r.mul(tw[w]).sub(x1i.mul(tw[w + 1]));
                DoubleVector i1 = x1r.mul(tw[w + 1]).add(x1i.mul(tw[w]));
                DoubleVector x2r = at(x, p2);
                DoubleVector x2i = at(x, p2 + L);
                DoubleVector r2 = x2r.mul(tw[w + 2]).sub(x2i.mul(tw[w + 3]));
                DoubleVector i2 = x2r.mul(tw[w + 3]).add(x2i.mul(tw[w + 2]));
                DoubleVector x3r = at(x, p3);
                DoubleVector x3i = at(x, p3 + L);
                DoubleVector r3 = x3r.mul(tw[w + 4]).sub(x3i.mul(tw[w + 5]));
                DoubleVector i3 = x3r.mul(tw[w + 5]).add(x3i.mul(tw[w + 4]));
                DoubleVector x0r = at(x, p0);
                DoubleVector x0i = at(x, p0 + L);
                DoubleVector ar = x0r.add(r2);
                DoubleVector ai = x0i.add(i2);
                DoubleVector br = x0r.sub(r2);
                DoubleVector bi = x0i.sub(i2);
                DoubleVector cr = r1.add(r3);
                DoubleVector ci = i1.add(i3);
                DoubleVector er = i1.sub(i3);
                DoubleVector ei = r3.sub(r1);
                int d = 2 * (base * 4 + k) * L;
                ar.add(cr).intoArray(y, d);
                ai.add(ci).intoArray(y, d + L);
                br.add(er).intoArray(y, d + s);
                bi.add(ei).intoArray(y, d + s + L);
                ar.sub(cr).intoArray(y, d + 2 * s);
                ai.sub(ci).intoArray(y, d + 2 * s + L);
                br.sub(er).intoArray(y, d + 3 * s);
                bi.sub(ei).intoArray(y, d + 3 * s + L);
            }
        }
    }

    private static void firstRadix4(StockhamPass pass, double[] x, double[] y) {
        int m = pass.butterflies;
        for (int j = 0; j < m; j++) {
            int p0 = 2 * j * L;
            int p1 = p0 + 2 * m * L;
            int p2 = p1 + 2 * m * L;
            int p3 = p2 + 2 * m * L;
            DoubleVector x0r = at(x, p0);
            DoubleVector x0i = at(x, p0 + L);
            DoubleVector x1r = at(x, p1);
            DoubleVector x1i = at(x, p1 + L);
            DoubleVector x2r = at(x, p2);
            DoubleVector x2i = at(x, p2 + L);
            DoubleVector x3r = at(x, p3);
            DoubleVector x3i = at(x, p3 + L);
            DoubleVector ar = x0r.add(x2r);
            DoubleVector ai = x0i.add(x2i);
            DoubleVector br = x0r.sub(x2r);
            DoubleVector bi = x0i.sub(x2i);
            DoubleVector cr = x1r.add(x3r);
            DoubleVector ci = x1i.add(x3i);
            DoubleVector er = x1i.sub(x3i);
            DoubleVector ei = x3r.sub(x1r);
            int d = 8 * j * L;
            ar.add(cr).intoArray(y, d);
            ai.add(ci).intoArray(y, d + L);
            br.add(er).intoArray(y, d + 2 * L);
            bi.add(ei).intoArray(y, d + 3 * L);
            ar.sub(cr).intoArray(y, d + 4 * L);
            ai.sub(ci).intoArray(y, d + 5 * L);
            br.sub(er).intoArray(y, d + 6 * L);
            bi.sub(ei).intoArray(y, d + 7 * L);
        }
    }

    /**
     * Radix 5 in two loops, as one overran C2's node budget and boxed its last vectors: the first replaces inputs 1
     * to 4 of each butterfly in x (which the pass leaves dead) by a1, b1, a2, b2, the second combines them.
     */
    private static void radix5(StockhamPass pass, double[] x, double[] y) {
        twiddledSums5(pass, x);
        butterflies5(pass, x, y);
    }

    /** x's inputs 1 to 4 twiddled, then a1 = v1 + v4, b1 = v1 - v4, a2 = v2 + v3, b2 = v2 - v3 in their places. */
    private static void twiddledSums5(StockhamPass pass, double[] x) {
        int m = pass.butterflies;
        int done = pass.done;
        double[] tw = pass.twiddles;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p1 = (2 * (base + k) + 2 * m) * L;
                int p2 = p1 + 2 * m * L;
                int p3 = p2 + 2 * m * L;
                int p4 = p3 + 2 * m * L;
                int w = 8 * k;
                DoubleVector x1r = at(x, p1);
                DoubleVector x1i = at(x, p1 + L);
                DoubleVector r1 = x1r.mul(tw[w]).sub(x1i.mul(tw[w + 1]));
                DoubleVector i1 = x1r.mul(tw[w + 1]).add(x1i.mul(tw[w]));
                DoubleVector x2r = at(x, p2);
                DoubleVector x2i = at(x, p2 + L);
                DoubleVector r2 = x2r.mul(tw[w + 2]).sub(x2i.mul(tw[w + 3]));
                DoubleVector i2 = x2r.mul(tw[w + 3]).add(x2i.mul(tw[w + 2]));
                DoubleVector x3r = at(x, p3);
                DoubleVector x3i = at(x, p3 + L);
                DoubleVector r3 = x3r.mul(tw[w + 4]).sub(x3i.mul(tw[w + 5]));
                DoubleVector i3 = x3r.mul(tw[w + 5]).add(x3i.mul(tw[w + 4]));
                DoubleVector x4r = at(x, p4);
                DoubleVector x4i = at(x, p4 + L);
                DoubleVector r4 = x4r.mul(tw[w + 6]).sub(x4i.mul(tw[w + 7]));
                DoubleVector i4 = x4r.mul(tw[w + 7]).add(x4i.mul(tw[w + 6]));
                r1.add(r4).intoArray(x, p1);
                i1.add(i4).intoArray(x, p1 + L);
                r1.sub(r4).intoArray(x, p2);
                i1.sub(i4).intoArray(x, p2 + L);
                r2.add(r3).intoArray(x, p3);
                i2.add(i3).intoArray(x, p3 + L);
                r2.sub(r3).intoArray(x, p4);
                i2.sub(i3).intoArray(x, p4 + L);
            }
        }
    }

    /** The outputs from v0 and {@link #twiddledSums5}'s a1, b1, a2, b2. */
    private static void butterflies5(StockhamPass pass, double[] x, double[] y) {
        int m = pass.butterflies;
        int done = pass.done;
        int s = 2 * done * L;
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int p0 = 2 * (base + k) * L;
                int p1 = p0 + 2 * m * L;
                int p2 = p1 + 2 * m * L;
                int p3 = p2 + 2 * m * L;
                int p4 = p3 + 2 * m * L;
                DoubleVector a1r = at(x, p1);
                DoubleVector a1i = at(x, p1 + L);
                DoubleVector b1r = at(x, p2);
                DoubleVector b1i = at(x, p2 + L);
                DoubleVector a2r = at(x, p3);
                DoubleVector a2i = at(x, p3 + L);
                DoubleVector b2r = at(x, p4);
                DoubleVector b2i = at(x, p4 + L);
                DoubleVector v0r = at(x, p0);
                DoubleVector v0i = at(x, p0 + L);
                DoubleVector c1r = v0r.add(a1r.mul(COS_72)).add(a2r.mul(COS_144));
                DoubleVector c1i = v0i.add(a1i.mul(COS_72)).add(a2i.mul(COS_144));
                DoubleVector c2r = v0r.add(a1r.mul(COS_144)).add(a2r.mul(COS_72));
                DoubleVector c2i = v0i.add(a1i.mul(COS_144)).add(a2i.mul(COS_72));
                DoubleVector s1r = b1r.mul(SIN_72).add(b2r.mul(SIN_144));
                DoubleVector s1i = b1i.mul(SIN_72).add(b2i.mul(SIN_144));
                DoubleVector s2r = b1r.mul(SIN_144).sub(b2r.mul(SIN_72));
                DoubleVector s2i = b1i.mul(SIN_144).sub(b2i.mul(SIN_72));
                int d = 2 * (base * 5 + k) * L;
                v0r.add(a1r).add(a2r).intoArray(y, d);
                v0i.add(a1i).add(a2i).intoArray(y, d + L);
                c1r.add(s1i).intoArray(y, d + s);
                c1i.sub(s1r).intoArray(y, d + s + L);
                c2r.add(s2i).intoArray(y, d + 2 * s);
                c2i.sub(s2r).intoArray(y, d + 2 * s + L);
                c2r.sub(s2i).intoArray(y, d + 3 * s);
                c2i.add(s2r).intoArray(y, d + 3 * s + L);
                c1r.sub(s1i).intoArray(y, d + 4 * s);
                c1i.add(s1r).intoArray(y, d + 4 * s + L);
            }
        }
    }

    /** Any radix p: the twiddled inputs of a butterfly into v (p complex vectors), then their direct DFT. */
    private static void radixP(StockhamPass pass, double[] x, double[] y) {
        int p = pass.radix;
        int m = pass.butterflies;
        int done = pass.done;
        double[] tw = pass.twiddles;
        double[] v = new double[2 * p * L];
        for (int base = 0; base < m; base += done) {
            for (int k = 0; k < done; k++) {
                int j = base + k;
                at(x, 2 * j * L).intoArray(v, 0);
                at(x, (2 * j + 1) * L).intoArray(v, L);
                for (int r = 1; r < p; r++) {
                    int a = 2 * (j + r * m) * L;
                    int w = 2 * (k * (p - 1) + r - 1);
                    DoubleVector xr = at(x, a);
                    DoubleVector xi = at(x, a + L);
                    xr.mul(tw[w]).sub(xi.mul(tw[w + 1])).intoArray(v, 2 * r * L);
                    xr.mul(tw[w + 1]).add(xi.mul(tw[w])).intoArray(v, (2 * r + 1) * L);
                }
                directDft(pass, v, y, 2 * (base * p + k) * L);
            }
        }
    }

    /** The p-point DFT of v into y at d, outputs done complex values apart, sums from 0 in the scalar order. */
    private static void directDft(StockhamPass pass, double[] v, double[] y, int d) {
        int p = pass.radix;
        double[] roots = pass.roots;
        int s = 2 * pass.done * L;
        for (int q = 0; q < p; q++) {
            DoubleVector sr = DoubleVector.zero(D);
            DoubleVector si = DoubleVector.zero(D);
            for (int r = 0, rq = 0; r < p; r++, rq = rq + q >= p ? rq + q - p : rq + q) {
                DoubleVector vr = at(v, 2 * r * L);
                DoubleVector vi = at(v, (2 * r + 1) * L);
                sr = sr.add(vr.mul(roots[2 * rq]).sub(vi.mul(roots[2 * rq + 1])));
                si = si.add(vr.mul(roots[2 * rq + 1]).add(vi.mul(roots[2 * rq])));
            }
            sr.intoArray(y, d + q * s);
            si.intoArray(y, d + q * s + L);
        }
    }
}
