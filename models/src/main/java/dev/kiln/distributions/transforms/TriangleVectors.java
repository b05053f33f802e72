package dev.kiln.distributions.transforms;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * The elements of square matrices below a diagonal as vectors and back, in row-major order (PyTorch's
 * {@code tril_matrix_to_vec} and {@code vec_to_tril_matrix}): with offset k the elements (i, j) with j < i + k + 1,
 * so k = -1 is the strict lower triangle. Both are index selections, so gradients flow through them.
 */
final class TriangleVectors {
    private TriangleVectors() {
    }

    /** How many elements of an n x n matrix lie below diagonal {@code k}. */
    static int count(int n, int k) {
        int count = 0;
        for (int i = 0; i < n; i++) {
            count += Math.max(0, Math.min(n, i + k + 1));
        }
        return count;
    }

    /** The elements of [..., n, n] below diagonal {@code k}: [..., count(n, k)]. */
    static Tensor toVector(Tensor matrices, int k) {
        int n = matrices.dim(-1);
        long[] positions = new long[count(n, k)];
        int next = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < Math.min(n, i + k + 1); j++) {
                positions[next++] = (long) i * n + j;
            }
        }
        return flatten(matrices).indexSelect(-1, indices(positions, matrices));
    }

    /** [..., count(n, k)] vectors as [..., n, n] matrices, zero on and above diagonal k + 1. */
    static Tensor toMatrix(Tensor vectors, int n, int k) {
        int size = vectors.dim(-1);
        long[] sources = new long[n * n];
        // Elements outside the triangle take the zero appended after the vector.
        Arrays.fill(sources, size);
        int next = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < Math.min(n, i + k + 1); j++) {
                sources[i * n + j] = next++;
            }
        }
        Tensor padded = F.pad(vectors, 0, 1);
        int[] dims = Arrays.copyOf(vectors.shape().dims(), vectors.rank() + 1);
        dims[vectors.rank() - 1] = n;
        dims[vectors.rank()] = n;
        return padded.indexSelect(-1, indices(sources, vectors)).reshape(dims);
    }

    private static Tensor flatten(Tensor matrices) {
        int[] dims = Arrays.copyOf(matrices.shape().dims(), matrices.rank() - 1);
        dims[dims.length - 1] = matrices.dim(-1) * matrices.dim(-2);
        return matrices.reshape(dims);
    }

    private static Tensor indices(long[] values, Tensor like) {
        return Tensor.fromArray(values, values.length).to(like.backend());
    }
}
