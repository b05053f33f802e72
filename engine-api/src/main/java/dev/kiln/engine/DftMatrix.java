package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Discrete Fourier transforms of one axis as real matrices, built on the host and uploaded to a tensor's backend, so
 * that a transform is one GEMM ({@code [rows, in] x [in, out]}) on every backend, differentiable as a matmul. A
 * complex value is a (real, imaginary) pair of adjacent columns, as PyTorch's {@code view_as_real}. Input positions at
 * or past the signal length {@code n} get zero rows, which is PyTorch's trimming; positions past the input's length
 * have no row, which is its zero padding. Angles come from a table of {@code 2 pi r / n} with r = jk mod n, exact in
 * the index product where {@code 2 pi jk / n} would lose digits for large jk (r walks jk mod n by additions).
 *
 * <p>Cost: O(in * out) to build (about 5 ms for 1024 x 1026) and to upload (0.1 ms on the CPU), O(rows * in * out) to
 * apply, against an FFT's O(rows * n log n); fine for n up to a few thousand. The host arrays of the last
 * {@value #CACHED} matrices of up to {@value #CACHED_ELEMENTS} elements (16 MB in F64) are kept, so that a loop over one
 * shape builds its matrices once and only uploads them.
 */
final class DftMatrix {
    private static final int CACHED = 8;
    private static final int CACHED_ELEMENTS = 1 << 21;
    private static final Map<Key, Object> HOST = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
            return size() > CACHED;
        }
    });

    private final int n;
    private final double[] cos;
    private final double[] sin;

    /** What determines a matrix's host array. */
    private record Key(String kind, int length, int n, int bins, double scale, DType dtype) {
    }

    private DftMatrix(int n) {
        this.n = n;
        cos = new double[n];
        sin = new double[n];
        for (int r = 0; r < n; r++) {
            double angle = 2 * Math.PI * r / n;
            cos[r] = Math.cos(angle);
            sin[r] = Math.sin(angle);
        }
    }

    /**
     * Real input of {@code length} points to {@code bins} complex bins of an n-point forward transform:
     * [length, 2 bins], {@code X_k = scale * sum_j x_j e^{-2 pi i jk / n}}.
     */
    static Tensor realToComplex(Tensor like, int length, int n, int bins, double scale) {
        return upload(like, new Key("real to complex", length, n, bins, scale, like.dtype()), length, 2 * bins, () -> {
            DftMatrix t = new DftMatrix(n);
            double[] w = new double[length * 2 * bins];
            for (int j = 0; j < Math.min(length, n); j++) {
                for (int k = 0, r = 0; k < bins; k++, r = t.next(r, j)) {
                    w[(j * bins + k) * 2] = scale * t.cos[r];
                    w[(j * bins + k) * 2 + 1] = -scale * t.sin[r];
                }
            }
            return w;
        });
    }

    /**
     * Complex input of {@code length} points to the n bins of an n-point transform, forward ({@code sign} -1) or
     * inverse (+1): [2 length, 2 n], {@code X_k = scale * sum_j x_j e^{sign 2 pi i jk / n}}.
     */
    static Tensor complexToComplex(Tensor like, int length, int n, int sign, double scale) {
        String kind = sign < 0 ? "complex forward" : "complex inverse";
        int cols = 2 * n;
        return upload(like, new Key(kind, length, n, n, scale, like.dtype()), 2 * length, cols, () -> {
            DftMatrix t = new DftMatrix(n);
            double[] w = new double[2 * length * cols];
            for (int j = 0; j < Math.min(length, n); j++) {
                for (int k = 0, r = 0; k < n; k++, r = t.next(r, j)) {
                    double c = scale * t.cos[r];
                    double s = sign * scale * t.sin[r];
                    w[2 * j * cols + 2 * k] = c;
                    w[2 * j * cols + 2 * k + 1] = s;
                    w[(2 * j + 1) * cols + 2 * k] = -s;
                    w[(2 * j + 1) * cols + 2 * k + 1] = c;
                }
            }
            return w;
        });
    }

    /**
     * {@code length} complex bins of a one-sided spectrum to the n real points of its inverse: [2 length, n],
     * {@code x_j = scale * sum_k c_k Re(X_k e^{2 pi i jk / n})} over k up to n / 2, with c_k = 2 for the bins that
     * stand for a conjugate pair and 1 for bin 0 and bin n / 2 of an even n, whose imaginary parts get zero weights
     * (their sines vanish), as PyTorch's irfft ignores them.
     */
    static Tensor complexToReal(Tensor like, int length, int n, double scale) {
        return upload(like, new Key("complex to real", length, n, n, scale, like.dtype()), 2 * length, n, () -> {
            DftMatrix t = new DftMatrix(n);
            double[] w = new double[2 * length * n];
            for (int k = 0; k < Math.min(length, n / 2 + 1); k++) {
                double weight = k == 0 || 2 * k == n ? scale : 2 * scale;
                for (int j = 0, r = 0; j < n; j++, r = t.next(r, k)) {
                    w[2 * k * n + j] = weight * t.cos[r];
                    w[(2 * k + 1) * n + j] = -weight * t.sin[r];
                }
            }
            return w;
        });
    }

    /** The table index after r for a step below n: (r + step) mod n, so that a loop over k walks jk mod n. */
    private int next(int r, int step) {
        int s = r + step;
        return s >= n ? s - n : s;
    }

    /** The matrix of {@code key} on {@code like}'s backend, its host array built by {@code values} unless kept. */
    private static Tensor upload(Tensor like, Key key, int rows, int cols, Supplier<double[]> values) {
        long elements = (long) rows * cols;
        if (elements > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(key.kind() + " DFT of " + key.n() + " points: its matrix of " + rows
                    + " x " + cols + " elements is beyond the " + Integer.MAX_VALUE + " an array holds");
        }
        Object host = elements > CACHED_ELEMENTS ? host(key, values)
                : HOST.computeIfAbsent(key, k -> host(k, values));
        Tensor w = like.emptyLike(Shape.of(rows, cols), like.dtype());
        like.backend().copyFromHost(host instanceof double[] d ? DoubleBuffer.wrap(d) : FloatBuffer.wrap((float[]) host),
                w);
        return w;
    }

    private static Object host(Key key, Supplier<double[]> values) {
        return key.dtype() == DType.F64 ? values.get() : floats(values.get());
    }

    private static float[] floats(double[] values) {
        float[] floats = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            floats[i] = (float) values[i];
        }
        return floats;
    }
}
