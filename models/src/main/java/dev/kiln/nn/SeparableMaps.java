package dev.kiln.nn;

import static dev.kiln.nn.Module.consume;
import static dev.kiln.nn.Module.releaseConsumed;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * Linear maps of images that act on rows and columns separately, as two matrix products: each plane X
 * [height, width] of x [batch, channels, height, width] becomes {@code rows X columns^T}. Adaptive average pooling
 * and bilinear upsampling are such maps (a window's mean is the mean of its columns' means; an interpolated pixel
 * interpolates interpolated rows), so they run as two GEMMs, whose gradient is two more, instead of an operation per
 * window or a gather per output position.
 */
final class SeparableMaps {
    private SeparableMaps() {
    }

    /**
     * x [batch, channels, height, width] mapped plane by plane: rows [outH, height], columns [outW, width] (host
     * matrices, row-major) to [batch, channels, outH, outW].
     */
    static Tensor apply(Tensor x, double[][] rows, double[][] columns) {
        int batch = x.dim(0);
        int channels = x.dim(1);
        int height = x.dim(2);
        int width = x.dim(3);
        Tensor columnsT = matrix(columns, width, true, x);
        Tensor rowsOfX = x.reshape(batch * channels * height, width);
        Tensor widened = rowsOfX.matmul(columnsT);
        releaseConsumed(rowsOfX, widened, x);
        releaseConsumed(columnsT, widened);
        Tensor planes = widened.reshape(batch * channels, height, columns.length);
        releaseConsumed(widened, planes);
        Tensor rowsMatrix = matrix(rows, height, false, x);
        Tensor mapped = rowsMatrix.matmul(planes);
        releaseConsumed(rowsMatrix, mapped);
        releaseConsumed(planes, mapped);
        Tensor y = mapped.reshape(batch, channels, rows.length, columns.length);
        releaseConsumed(mapped, y);
        return y;
    }

    /**
     * x [batch, channels, height, width] mapped along its rows alone: rows [outH, height] (a host matrix, row-major)
     * to [batch, channels, outH, width], one matrix product.
     */
    static Tensor applyToRows(Tensor x, double[][] rows) {
        int batch = x.dim(0);
        int channels = x.dim(1);
        Tensor rowsMatrix = matrix(rows, x.dim(2), false, x);
        Tensor planes = x.reshape(batch * channels, x.dim(2), x.dim(3));
        Tensor mapped = rowsMatrix.matmul(planes);
        releaseConsumed(planes, mapped, x);
        releaseConsumed(rowsMatrix, mapped);
        Tensor y = mapped.reshape(batch, channels, rows.length, x.dim(3));
        releaseConsumed(mapped, y);
        return y;
    }

    /**
     * {@code m} [out, in] as a tensor of {@code like}'s dtype on its backend, or its transpose [in, out] when
     * {@code transposed}.
     */
    private static Tensor matrix(double[][] m, int in, boolean transposed, Tensor like) {
        int out = m.length;
        double[] flat = new double[out * in];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                flat[transposed ? i * out + o : o * in + i] = m[o][i];
            }
        }
        int[] dims = transposed ? new int[] {in, out} : new int[] {out, in};
        Tensor t = like.dtype() == DType.F32 ? Tensor.fromArray(floats(flat), dims) : Tensor.fromArray(flat, dims);
        return consume(t, onHost -> onHost.to(like.backend()));
    }

    private static float[] floats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    /** [out, in]: row o averages PyTorch's adaptive pooling window o of {@code in} positions. */
    static double[][] averaging(int in, int out) {
        double[][] m = new double[out][in];
        for (int o = 0; o < out; o++) {
            int start = AdaptivePool2d.windowStart(o, in, out);
            int end = AdaptivePool2d.windowEnd(o, in, out);
            for (int i = start; i < end; i++) {
                m[o][i] = 1.0 / (end - start);
            }
        }
        return m;
    }
}
