package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.VectorStockhamPasses.D;
import static dev.kiln.engine.cpu.VectorStockhamPasses.L;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;

/**
 * {@link FftLanes} on the Vector API ({@code jdk.incubator.vector}), a row in each lane of the preferred species of
 * doubles: {@link FftPlan}'s passes ({@link VectorStockhamPasses}) and Bluestein steps, and
 * {@link HalfLengthFft}'s split and merge, operation for operation. Loaded by {@link VectorPath} by name, and only
 * where the module is in the boot layer.
 */
final class VectorFftLanes implements FftLanes {
    /** @throws UnsupportedOperationException where this CPU's preferred vectors hold a single double */
    VectorFftLanes() {
        if (L < 2) {
            throw new UnsupportedOperationException("the preferred vector species holds " + L
                    + " double lane, expected at least 2");
        }
    }

    @Override
    public int lanes() {
        return L;
    }

    @Override
    public String toString() {
        return "the Vector API, " + L + " rows at a time";
    }

    @Override
    public void forward(FftPlan plan, double[] a, double[] work, double[] spare) {
        if (plan.bluestein != null) {
            bluestein(plan.bluestein, a, work, spare);
            return;
        }
        double[] from = a;
        double[] to = work;
        for (StockhamPass pass : plan.passes) {
            VectorStockhamPasses.run(pass, from, to);
            double[] t = from;
            from = to;
            to = t;
        }
        if (from != a) {
            System.arraycopy(from, 0, a, 0, 2 * plan.n * L);
        }
    }

    private void bluestein(FftPlan.Bluestein b, double[] a, double[] u, double[] innerWork) {
        Arrays.fill(u, 0, 2 * b.m * L, 0);
        chirped(b.chirp, b.n, a, u);
        forward(b.inner, u, innerWork, null);
        filtered(b.filter, b.m, u);
        forward(b.inner, u, innerWork, null);
        unchirped(b.chirp, b.n, u, a);
    }

    /** u_t = a_t chirp_t for t below n. */
    private static void chirped(double[] chirp, int n, double[] a, double[] u) {
        for (int t = 0; t < n; t++) {
            double cr = chirp[2 * t];
            double ci = chirp[2 * t + 1];
            DoubleVector ar = DoubleVector.fromArray(D, a, 2 * t * L);
            DoubleVector ai = DoubleVector.fromArray(D, a, (2 * t + 1) * L);
            ar.mul(cr).sub(ai.mul(ci)).intoArray(u, 2 * t * L);
            ar.mul(ci).add(ai.mul(cr)).intoArray(u, (2 * t + 1) * L);
        }
    }

    /** u_t = conj(u_t filter_t) for t below m. */
    private static void filtered(double[] filter, int m, double[] u) {
        for (int t = 0; t < m; t++) {
            double fr = filter[2 * t];
            double fi = filter[2 * t + 1];
            DoubleVector ur = DoubleVector.fromArray(D, u, 2 * t * L);
            DoubleVector ui = DoubleVector.fromArray(D, u, (2 * t + 1) * L);
            ur.mul(fr).sub(ui.mul(fi)).intoArray(u, 2 * t * L);
            ur.mul(fi).add(ui.mul(fr)).neg().intoArray(u, (2 * t + 1) * L);
        }
    }

    /** a_k = conj(u_k) chirp_k for k below n. */
    private static void unchirped(double[] chirp, int n, double[] u, double[] a) {
        for (int k = 0; k < n; k++) {
            double cr = chirp[2 * k];
            double ci = chirp[2 * k + 1];
            DoubleVector re = DoubleVector.fromArray(D, u, 2 * k * L);
            DoubleVector im = DoubleVector.fromArray(D, u, (2 * k + 1) * L).neg();
            re.mul(cr).sub(im.mul(ci)).intoArray(a, 2 * k * L);
            re.mul(ci).add(im.mul(cr)).intoArray(a, (2 * k + 1) * L);
        }
    }

    @Override
    public void realForward(HalfLengthFft fft, double[] row, double[] spectrum, double[] work, double[] spare) {
        forward(fft.half, row, work, spare);
        int h = fft.h;
        double[] tw = fft.twiddles;
        for (int k = 0; k <= h; k++) {
            int a = 2 * (k == h ? 0 : k) * L;
            int b = 2 * (k == 0 ? 0 : h - k) * L;
            DoubleVector zr = DoubleVector.fromArray(D, row, a);
            DoubleVector zi = DoubleVector.fromArray(D, row, a + L);
            DoubleVector cr = DoubleVector.fromArray(D, row, b);
            DoubleVector ci = DoubleVector.fromArray(D, row, b + L).neg();
            DoubleVector er = zr.add(cr).mul(0.5);
            DoubleVector ei = zi.add(ci).mul(0.5);
            DoubleVector or = zi.sub(ci).mul(0.5);
            DoubleVector oi = zr.sub(cr).mul(-0.5);
            double wr = tw[2 * k];
            double wi = tw[2 * k + 1];
            er.add(or.mul(wr)).sub(oi.mul(wi)).intoArray(spectrum, 2 * k * L);
            ei.add(oi.mul(wr)).add(or.mul(wi)).intoArray(spectrum, (2 * k + 1) * L);
        }
    }

    @Override
    public void realInverse(HalfLengthFft fft, double[] spectrum, double[] real, double[] row, double[] work,
                            double[] spare) {
        int h = fft.h;
        double[] tw = fft.twiddles;
        for (int k = 0; k < h; k++) {
            DoubleVector ar = DoubleVector.fromArray(D, spectrum, 2 * k * L);
            DoubleVector ai = DoubleVector.fromArray(D, spectrum, (2 * k + 1) * L);
            DoubleVector br = DoubleVector.fromArray(D, spectrum, 2 * (h - k) * L);
            DoubleVector bi = DoubleVector.fromArray(D, spectrum, (2 * (h - k) + 1) * L).neg();
            DoubleVector dr = ar.sub(br);
            DoubleVector di = ai.sub(bi);
            double wr = tw[2 * k];
            double wi = -tw[2 * k + 1];
            DoubleVector pr = dr.mul(wr).sub(di.mul(wi));
            DoubleVector pi = dr.mul(wi).add(di.mul(wr));
            ar.add(br).sub(pi).intoArray(row, 2 * k * L);
            ai.add(bi).add(pr).neg().intoArray(row, (2 * k + 1) * L);
        }
        forward(fft.half, row, work, spare);
        for (int j = 0; j < h; j++) {
            DoubleVector.fromArray(D, row, 2 * j * L).intoArray(real, 2 * j * L);
            DoubleVector.fromArray(D, row, (2 * j + 1) * L).neg().intoArray(real, (2 * j + 1) * L);
        }
    }
}
