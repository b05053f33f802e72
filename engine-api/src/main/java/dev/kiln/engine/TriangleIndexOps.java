package dev.kiln.engine;

/**
 * PyTorch's {@code triu_indices} and {@code tril_indices}: the coordinates of a triangle of an n x m matrix, made on
 * the host (they depend on the sizes alone) as I64 [2, k], rows then columns, in row-major order.
 */
final class TriangleIndexOps {
    private TriangleIndexOps() {
    }

    /**
     * The (i, j) with {@code j - i >= offset} ({@code lower}: {@code j - i <= offset}) of an n x m matrix, on the
     * default backend.
     */
    static Tensor indices(String op, int n, int m, int offset, boolean lower) {
        if (n < 0 || m < 0) {
            throw new IllegalArgumentException(op + ": the row and column counts must be >= 0, got " + n + " and " + m);
        }
        long count = 0;
        for (int i = 0; i < n; i++) {
            count += Math.max(0, last(i, m, offset, lower) - first(i, offset, lower) + 1);
        }
        int k = Checks.dimension(op, "the number of indices", count);
        long[] coordinates = new long[2 * k];
        int at = 0;
        for (int i = 0; i < n; i++) {
            for (int j = first(i, offset, lower); j <= last(i, m, offset, lower); j++) {
                coordinates[at] = i;
                coordinates[k + at] = j;
                at++;
            }
        }
        return Tensor.fromArray(coordinates, 2, k);
    }

    private static int first(int row, int offset, boolean lower) {
        return lower ? 0 : (int) Math.min(Integer.MAX_VALUE, Math.max(0, (long) row + offset));
    }

    private static int last(int row, int m, int offset, boolean lower) {
        return lower ? (int) Math.max(-1, Math.min(m - 1, (long) row + offset)) : m - 1;
    }
}
