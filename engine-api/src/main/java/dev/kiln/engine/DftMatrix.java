package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Discrete Fourier transforms of one axis as real matrices, built on the host and uploaded to a tensor's backend, so
 * that a transform is one GEMM ({@code [rows, in] x [in, out]}) on every backend, differentiable as a matmul. A
 * complex value is a (real, imaginary) pair of adjacent columns, as PyTorch's {@code view_as_real}. Input positions at
 * or past the signal length {@code n} get zero rows, which is PyTorch's trimming; positions past the input's length
 * have no row, which is its zero padding. Angles come from a table of {@code 2 pi r / n} for r = jk mod n, exact in
 * the index product where {@code 2 pi jk / n} would lose digits for large jk. Cost: O(in * out) to build and upload,
 * O(rows * in * out) to apply, against FFT's O(rows * n log n); fine for n up to a few thousand.
 */
final class DftMatrix {
    private final int n;
    private final double[] cos;
    private final double[] sin;

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
        DftMatrix t = new DftMatrix(n);
        double[] w = new double[length * 2 * bins];
        for (int j = 0; j < Math.min(length, n); j++) {
            for (int k = 0; k < bins; k++) {
                int r = t.index(j, k);
                w[(j * bins + k) * 2] = scale * t.cos[r];
                w[(j * bins + k) * 2 + 1] = -scale * t.sin[r];
            }
        }
        return upload(like, w, length, 2 * bins);
    }

    /**
     * Complex input of {@code length} points to the n bins of an n-point transform, forward ({@code sign} -1) or
     * inverse (+1): [2 length, 2 n], {@code X_k = scale * sum_j x_j e^{sign 2 pi i jk / n}}.
     */
    static Tensor complexToComplex(Tensor like, int length, int n, int sign, double scale) {
        DftMatrix t = new DftMatrix(n);
        int cols = 2 * n;
        double[] w = new double[2 * length * cols];
        for (int j = 0; j < Math.min(length, n); j++) {
            for (int k = 0; k < n; k++) {
                int r = t.index(j, k);
                double c = scale * t.cos[r];
                double s = sign * scale * t.sin[r];
                w[2 * j * cols + 2 * k] = c;
                w[2 * j * cols + 2 * k + 1] = s;
                w[(2 * j + 1) * cols + 2 * k] = -s;
                w[(2 * j + 1) * cols + 2 * k + 1] = c;
            }
        }
        return upload(like, w, 2 * length, cols);
    }

    /**
     * {@code length} complex bins of a one-sided spectrum to the n real points of its inverse: [2 length, n],
     * {@code x_j = scale * sum_k c_k Re(X_k e^{2 pi i jk / n})} over k up to n / 2, with c_k = 2 for the bins that
     * stand for a conjugate pair and 1 for bin 0 and bin n / 2 of an even n, whose imaginary parts get zero weights
     * (their sines vanish), as PyTorch's irfft ignores them.
     */
    static Tensor complexToReal(Tensor like, int length, int n, double scale) {
        DftMatrix t = new DftMatrix(n);
        double[] w = new double[2 * length * n];
        for (int k = 0; k < Math.min(length, n / 2 + 1); k++) {
            double weight = k == 0 || 2 * k == n ? scale : 2 * scale;
            for (int j = 0; j < n; j++) {
                int r = t.index(j, k);
                w[2 * k * n + j] = weight * t.cos[r];
                w[(2 * k + 1) * n + j] = -weight * t.sin[r];
            }
        }
        return upload(like, w, 2 * length, n);
    }

    private int index(int j, int k) {
        return (int) ((long) j * k % n);
    }

    private static Tensor upload(Tensor like, double[] values, int rows, int cols) {
        Tensor w = like.emptyLike(Shape.of(rows, cols), like.dtype());
        if (like.dtype() == DType.F64) {
            like.backend().copyFromHost(DoubleBuffer.wrap(values), w);
        } else {
            float[] floats = new float[values.length];
            for (int i = 0; i < values.length; i++) {
                floats[i] = (float) values[i];
            }
            like.backend().copyFromHost(FloatBuffer.wrap(floats), w);
        }
        return w;
    }
}
