package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The complex DFT of n points as a real [2n, 2n] matrix, built on the host and uploaded to a tensor's backend, so that
 * a batch of transforms is one GEMM on every backend: the leaves of {@link FactoredFft}, {@link Backend#fft}'s default.
 * A complex value is a (real, imaginary) pair of adjacent columns, as PyTorch's {@code view_as_real}. Angles come from
 * {@link UnitRoots}, exact in the index product jk.
 *
 * <p>Cost: O(n^2) to build (about 5 ms for n = 1024) and to upload (0.1 ms on the CPU), O(rows * n^2) to apply. The
 * host arrays of the last {@value #CACHED} tables of up to {@value #CACHED_ELEMENTS} elements (16 MB in F64), these
 * matrices and {@link ComplexFactor}'s, are kept, so that a loop over one shape builds its tables once and only
 * uploads them.
 */
final class DftMatrix {
    private static final int CACHED = 16;
    private static final int CACHED_ELEMENTS = 1 << 21;
    private static final Map<Key, Object> HOST = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Key, Object> eldest) {
            return size() > CACHED;
        }
    });

    /** What determines a matrix's host array. */
    private record Key(String kind, int n, double scale, DType dtype) {
    }

    private DftMatrix() {
    }

    /**
     * x [..., n, 2] times the n-point complex DFT matrix of {@code sign} (-1 forward, +1 inverse) and {@code scale}:
     * a new tensor of x's shape, one GEMM of x's rows. Call with gradients off.
     */
    static Tensor product(Tensor x, int sign, double scale) {
        int n = x.dim(x.rank() - 2);
        int rows = Math.toIntExact(x.size() / (2L * n));
        return x.reshape(rows, 2 * n).matmul(complexToComplex(x, n, sign, scale)).reshape(x.shape().dims());
    }

    /**
     * The n-point transform of complex input, forward ({@code sign} -1) or inverse (+1): [2 n, 2 n],
     * {@code X_k = scale * sum_j x_j e^{sign 2 pi i jk / n}}.
     */
    private static Tensor complexToComplex(Tensor like, int n, int sign, double scale) {
        String kind = sign < 0 ? "complex forward" : "complex inverse";
        int cols = 2 * n;
        return upload(like, new Key(kind, n, scale, like.dtype()), cols, cols, () -> {
            UnitRoots t = UnitRoots.of(n);
            double[] w = new double[cols * cols];
            for (int j = 0; j < n; j++) {
                for (int k = 0, r = 0; k < n; k++, r = t.next(r, j)) {
                    double c = scale * t.cos(r);
                    double s = sign * scale * t.sin(r);
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
     * A [rows, cols] table on {@code like}'s backend in its dtype, its host array built by {@code values} unless kept
     * under ({@code kind}, n, scale, dtype) from an earlier call.
     */
    static Tensor upload(Tensor like, String kind, int n, double scale, int rows, int cols, Supplier<double[]> values) {
        return upload(like, new Key(kind, n, scale, like.dtype()), rows, cols, values);
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
