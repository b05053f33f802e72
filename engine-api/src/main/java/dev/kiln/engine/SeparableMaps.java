package dev.kiln.engine;

import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * A linear map of one axis given as a host matrix [out, in], applied to every line of a tensor along that axis as one
 * matrix product: {@code x [.., in, ..]} to {@code [.., out, ..]}. A map of several axes that acts on each separately
 * (bilinear, bicubic and trilinear interpolation, adaptive average pooling) is one such product per axis, and its
 * gradient one product with the transposed matrix per axis, instead of an op per output position.
 */
final class SeparableMaps {
    private SeparableMaps() {
    }

    /** {@code x} with {@code m} [out, in] applied along {@code axis} (of size in): the axis becomes out long. */
    static Tensor apply(Tensor x, int axis, double[][] m) {
        return multiply(x, axis, m, false);
    }

    /** {@code g} with {@code m}'s transpose applied along {@code axis} (of size out): {@link #apply}'s gradient. */
    static Tensor applyTransposed(Tensor g, int axis, double[][] m) {
        return multiply(g, axis, m, true);
    }

    /**
     * x viewed as [outer, size, inner]: the last axis ({@code inner} 1) as [outer, size] times the map's transpose,
     * any other as the map times each [size, inner] slice.
     */
    private static Tensor multiply(Tensor x, int axis, double[][] m, boolean transposed) {
        Shape shape = x.shape();
        int outer = Checks.dimension("interpolate", "the axes before " + axis + " of " + shape, shape.outer(axis));
        int inner = Checks.dimension("interpolate", "the axes after " + axis + " of " + shape, shape.inner(axis));
        int size = x.dim(axis);
        int mapped = transposed ? m[0].length : m.length;
        Tensor y = inner == 1
                ? x.reshape(outer, size).matmul(matrix(m, !transposed, x))
                : matrix(m, transposed, x).matmul(x.reshape(outer, size, inner));
        return y.reshape(shape.with(axis, mapped).dims());
    }

    /** {@code m} [out, in], or its transpose [in, out], as a tensor of {@code like}'s dtype on its backend. */
    private static Tensor matrix(double[][] m, boolean transposed, Tensor like) {
        int rows = transposed ? m[0].length : m.length;
        int columns = transposed ? m.length : m[0].length;
        double[] flat = new double[rows * columns];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                flat[r * columns + c] = transposed ? m[c][r] : m[r][c];
            }
        }
        Tensor t = like.emptyLike(Shape.of(rows, columns), like.dtype());
        if (like.dtype() == DType.F64) {
            like.backend().copyFromHost(DoubleBuffer.wrap(flat), t);
        } else {
            float[] floats = new float[flat.length];
            for (int i = 0; i < flat.length; i++) {
                floats[i] = (float) flat[i];
            }
            like.backend().copyFromHost(FloatBuffer.wrap(floats), t);
        }
        return t;
    }
}
