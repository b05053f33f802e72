package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * {@link Backend#fft}'s default: the complex DFT of n points as a real [2n, 2n] matrix, built on the host and
 * uploaded to a tensor's backend, so that a batch of transforms is one GEMM on every backend. A complex value is a
 * (real, imaginary) pair of adjacent columns, as PyTorch's {@code view_as_real}. Angles come from a table of
 * {@code 2 pi r / n} with r = jk mod n, exact in the index product where {@code 2 pi jk / n} would lose digits for
 * large jk (r walks jk mod n by additions).
 *
 * <p>Cost: O(n^2) to build (about 5 ms for n = 1024) and to upload (0.1 ms on the CPU), O(rows * n^2) to apply,
 * against an FFT's O(rows * n log n); fine for n up to a few thousand. The host arrays of the last
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
    private record Key(String kind, int n, double scale, DType dtype) {
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
     * {@link Backend#fft}'s default: x [..., n, 2] times the n-point complex DFT matrix of the direction's sign, as
     * one GEMM of x's rows, written into out.
     */
    static void transform(Tensor x, boolean inverse, double scale, Tensor out) {
        int n = x.dim(x.rank() - 2);
        int rows = Math.toIntExact(x.size() / (2L * n));
        try (Scope scope = Scope.open(); Autograd.Guard off = Autograd.noGrad()) {
            Tensor product = x.reshape(rows, 2 * n).matmul(complexToComplex(x, n, inverse ? 1 : -1, scale));
            out.backend().copy(product.reshape(out.shape().dims()), out);
        }
    }

    /**
     * The n-point transform of complex input, forward ({@code sign} -1) or inverse (+1): [2 n, 2 n],
     * {@code X_k = scale * sum_j x_j e^{sign 2 pi i jk / n}}.
     */
    private static Tensor complexToComplex(Tensor like, int n, int sign, double scale) {
        String kind = sign < 0 ? "complex forward" : "complex inverse";
        int cols = 2 * n;
        return upload(like, new Key(kind, n, scale, like.dtype()), cols, cols, () -> {
            DftMatrix t = new DftMatrix(n);
            double[] w = new double[cols * cols];
            for (int j = 0; j < n; j++) {
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
