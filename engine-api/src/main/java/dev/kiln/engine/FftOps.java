package dev.kiln.engine;

import java.util.Arrays;

/**
 * The one-axis transforms behind {@link Fft}: the transform axis moved last, one GEMM against a {@link DftMatrix},
 * the axis moved back. A complex tensor is PyTorch's {@code view_as_real} form [..., 2]: its "logical" axes are all
 * but the trailing pair, and {@code dim} counts among them. Composed of recorded ops, so differentiable to any order.
 */
final class FftOps {
    private FftOps() {
    }

    static Tensor rfft(String op, Tensor x, int n, int dim, String norm, boolean onesided) {
        Checks.open(op, x);
        Checks.floating(op, x);
        int a = logicalAxis(op, x, dim, false);
        int length = x.dim(a);
        int points = points(op, n, length);
        int bins = onesided ? points / 2 + 1 : points;
        double scale = scale(op, norm, points, false);
        return Composite.composed(() -> along(x, false, a,
                DftMatrix.realToComplex(x, length, points, bins, scale), true), x);
    }

    static Tensor irfft(String op, Tensor c, int n, int dim, String norm) {
        checkComplex(op, c);
        int a = logicalAxis(op, c, dim, true);
        int length = c.dim(a);
        int points = points(op, n, 2 * (length - 1));
        double scale = scale(op, norm, points, true);
        return Composite.composed(() -> along(c, true, a, DftMatrix.complexToReal(c, length, points, scale), false), c);
    }

    static Tensor fft(String op, Tensor c, int n, int dim, String norm, boolean inverse) {
        checkComplex(op, c);
        int a = logicalAxis(op, c, dim, true);
        int length = c.dim(a);
        int points = points(op, n, length);
        double scale = scale(op, norm, points, inverse);
        return Composite.composed(() -> along(c, true, a,
                DftMatrix.complexToComplex(c, length, points, inverse ? 1 : -1, scale), true), c);
    }

    /**
     * rfft over the last of {@code dims}, then fft over the others (PyTorch's rfftn); s[i] points along dims[i]. An
     * axis named twice is refused, as PyTorch's "FFT dims must be unique", where it would be transformed twice.
     */
    static Tensor rfftn(String op, Tensor x, int[] s, int[] dims, String norm) {
        checkSizes(op, s, dims);
        Axes.distinct(op, x.shape(), dims);
        int last = dims.length - 1;
        return Composite.composed(() -> {
            Tensor y = rfft(op, x, size(s, last), dims[last], norm, true);
            for (int i = last - 1; i >= 0; i--) {
                Tensor previous = y;
                y = fft(op, y, size(s, i), dims[i], norm, false);
                Tensor.releaseIntermediate(previous, x, y);
            }
            return y;
        }, x);
    }

    /** ifft over all of {@code dims} but the last, then irfft over the last (PyTorch's irfftn). */
    static Tensor irfftn(String op, Tensor c, int[] s, int[] dims, String norm) {
        checkSizes(op, s, dims);
        checkComplex(op, c);
        Axes.distinct(op, c.shape().without(c.rank() - 1), dims);
        int last = dims.length - 1;
        return Composite.composed(() -> {
            Tensor y = c;
            for (int i = 0; i < last; i++) {
                Tensor previous = y;
                y = fft(op, y, size(s, i), dims[i], norm, true);
                Tensor.releaseIntermediate(previous, c, y);
            }
            Tensor spectrum = y;
            Tensor out = irfft(op, spectrum, size(s, last), dims[last], norm);
            Tensor.releaseIntermediate(spectrum, c, out);
            return out;
        }, c);
    }

    /**
     * {@code x} transformed along logical axis {@code a} by {@code matrix} ([in, out], complex sides as pairs of
     * columns): the axis moved last, the leading axes flattened into the rows of one GEMM, and moved back.
     */
    static Tensor along(Tensor x, boolean complexIn, int a, Tensor matrix, boolean complexOut) {
        int rank = x.rank() - (complexIn ? 1 : 0);
        Tensor moved = a == rank - 1 ? x : x.movedim(a, rank - 1);
        int[] lead = Arrays.copyOf(moved.shape().dims(), rank - 1);
        int rows = (int) Shape.of(lead).size();
        Tensor product = moved.reshape(rows, matrix.dim(0)).matmul(matrix);
        int[] dims = Arrays.copyOf(lead, rank + (complexOut ? 1 : 0));
        dims[rank - 1] = complexOut ? matrix.dim(1) / 2 : matrix.dim(1);
        if (complexOut) {
            dims[rank] = 2;
        }
        Tensor shaped = product.reshape(dims);
        return a == rank - 1 ? shaped : shaped.movedim(rank - 1, a);
    }

    /** Refuses a tensor that is not PyTorch's view_as_real form of a complex one: F32 or F64 [..., 2], rank >= 2. */
    static void checkComplex(String op, Tensor c) {
        Checks.open(op, c);
        Checks.floating(op, c);
        if (c.rank() < 2 || c.dim(c.rank() - 1) != 2) {
            throw new IllegalArgumentException(op + ": expects a complex tensor in view_as_real form [..., 2] (a last"
                    + " axis of 2: real, imaginary) of rank 2 or more, got shape " + c.shape());
        }
    }

    /** Axis {@code dim} among x's logical axes (all but a complex tensor's trailing pair). */
    static int logicalAxis(String op, Tensor x, int dim, boolean complex) {
        Shape logical = complex ? x.shape().without(x.rank() - 1) : x.shape();
        if (logical.rank() == 0) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 1 dimension, got shape " + x.shape());
        }
        return Axes.axis(op, logical, dim);
    }

    /**
     * The factor of a transform of n points: norm "backward" (or null) scales the inverse by 1 / n, "forward" the
     * forward transform, "ortho" both by 1 / sqrt(n), as PyTorch's norm modes.
     */
    static double scale(String op, String norm, int n, boolean inverse) {
        if (norm == null || norm.equals("backward")) {
            return inverse ? 1.0 / n : 1;
        }
        if (norm.equals("forward")) {
            return inverse ? 1 : 1.0 / n;
        }
        if (norm.equals("ortho")) {
            return 1 / Math.sqrt(n);
        }
        throw new IllegalArgumentException(op + ": norm must be \"backward\", \"forward\" or \"ortho\" (or null for"
                + " \"backward\"), got \"" + norm + "\"");
    }

    /** n points, or {@code fallback} where n is -1 (PyTorch's None). */
    private static int points(String op, int n, int fallback) {
        int points = n == -1 ? fallback : n;
        if (points < 1) {
            throw new IllegalArgumentException(op + ": the number of points must be at least 1, got " + points
                    + (n == -1 ? " from the input's length" : "") + " (n -1 takes it from the input)");
        }
        return points;
    }

    private static int size(int[] s, int i) {
        return s == null ? -1 : s[i];
    }

    private static void checkSizes(String op, int[] s, int[] dims) {
        if (dims.length == 0) {
            throw new IllegalArgumentException(op + ": needs at least one dim, got none");
        }
        if (s != null && s.length != dims.length) {
            throw new IllegalArgumentException(op + ": s " + Arrays.toString(s) + " must name one size per dim "
                    + Arrays.toString(dims));
        }
    }
}
