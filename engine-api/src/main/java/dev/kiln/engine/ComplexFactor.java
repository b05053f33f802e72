package dev.kiln.engine;

import java.util.List;
import java.util.function.Supplier;

/**
 * A complex factor {@code w = u + iv} applied to complex tensors [..., 2] of (real, imaginary) pairs by three real
 * element-wise ops: {@code a w = a * p + swap(a) * q} with {@code p = (u, u)}, {@code q = (-v, v)} and swap(a) the pair
 * reversed. The factors of {@link FactoredFft}: its twiddles and Bluestein's chirp, built on the host and uploaded
 * (kept as {@link DftMatrix} keeps its matrices), and a transformed chirp computed on the backend.
 */
final class ComplexFactor {
    private final Tensor p;
    private final Tensor q;

    private ComplexFactor(Tensor p, Tensor q) {
        this.p = p;
        this.q = q;
    }

    /** The factor of the complex values w [..., 2]. */
    static ComplexFactor of(Tensor w) {
        int last = w.rank() - 1;
        Tensor real = w.narrow(last, 0, 1);
        Tensor imaginary = w.narrow(last, 1, 1);
        return new ComplexFactor(Tensor.cat(List.of(real, real), last),
                Tensor.cat(List.of(imaginary.neg(), imaginary), last));
    }

    /** a [..., 2] times this factor, broadcast as element-wise ops broadcast. */
    Tensor times(Tensor a) {
        return a.mul(p).add(a.flip(a.rank() - 1).mul(q));
    }

    /** The twiddles of n = n1 n2 points, [n2, n1, 2]: {@code e^{s 2 pi i j2 k1 / n}} at [j2, k1]. */
    static ComplexFactor twiddles(Tensor like, int n1, int n2, int sign) {
        int n = n1 * n2;
        return fromHost(like, "twiddles of " + n1, n, sign, new int[] {n2, n1, 2}, () -> {
            UnitRoots roots = UnitRoots.of(n);
            double[] angles = new double[2 * n];
            for (int j2 = 0; j2 < n2; j2++) {
                for (int k1 = 0, r = 0; k1 < n1; k1++, r = roots.next(r, j2)) {
                    angles[2 * (j2 * n1 + k1)] = roots.cos(r);
                    angles[2 * (j2 * n1 + k1) + 1] = sign * roots.sin(r);
                }
            }
            return angles;
        });
    }

    /** Bluestein's chirp of n points, [n, 2]: {@code c_j = e^{s pi i j^2 / n}}. */
    static ComplexFactor chirp(Tensor like, int n, int sign) {
        return fromHost(like, "chirp", n, sign, new int[] {n, 2}, () -> chirpValues(n, sign, false));
    }

    /**
     * Bluestein's convolution kernel of n points on a circle of m, [1, m, 2]: {@code conj(c_j)} at j and m - j for j
     * below n, zeros between.
     */
    static Tensor chirpKernel(Tensor like, int n, int m, int sign) {
        String kind = "chirp kernel of " + m + (sign < 0 ? " forward" : " inverse");
        Tensor kernel = DftMatrix.upload(like, kind, n, 1, 1, 2 * m, () -> {
            double[] conjugate = chirpValues(n, sign, true);
            double[] values = new double[2 * m];
            System.arraycopy(conjugate, 0, values, 0, 2 * n);
            for (int j = 1; j < n; j++) {
                values[2 * (m - j)] = conjugate[2 * j];
                values[2 * (m - j) + 1] = conjugate[2 * j + 1];
            }
            return values;
        });
        return kernel.reshape(1, m, 2);
    }

    /** {@code e^{s pi i j^2 / n}} for j below n as pairs, or their conjugates: the angle read at j^2 mod 2n of 2n. */
    private static double[] chirpValues(int n, int sign, boolean conjugate) {
        UnitRoots roots = UnitRoots.of(2 * n);
        double[] values = new double[2 * n];
        for (int j = 0; j < n; j++) {
            int r = roots.indexOfProduct(j, j);
            values[2 * j] = roots.cos(r);
            values[2 * j + 1] = (conjugate ? -sign : sign) * roots.sin(r);
        }
        return values;
    }

    /**
     * The factor of the host pairs {@code pairs} gives, in like's dtype on its backend, shaped {@code dims}: p and q
     * built once into one table [2, pairs] and uploaded together.
     */
    private static ComplexFactor fromHost(Tensor like, String kind, int n, int sign, int[] dims,
            Supplier<double[]> pairs) {
        int values = Math.toIntExact(Shape.of(dims).size());
        String key = kind + (sign < 0 ? " forward" : " inverse");
        Tensor table = DftMatrix.upload(like, key, n, 1, 2, values, () -> spread(pairs.get()));
        return new ComplexFactor(table.narrow(0, 0, 1).reshape(dims), table.narrow(0, 1, 1).reshape(dims));
    }

    /** The pairs (u, v) as the row of p's pairs (u, u) followed by the row of q's (-v, v). */
    private static double[] spread(double[] pairs) {
        double[] out = new double[2 * pairs.length];
        for (int i = 0; i < pairs.length; i += 2) {
            double u = pairs[i];
            double v = pairs[i + 1];
            out[i] = u;
            out[i + 1] = u;
            out[pairs.length + i] = -v;
            out[pairs.length + i + 1] = v;
        }
        return out;
    }
}
