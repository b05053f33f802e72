package dev.kiln.engine;

/**
 * PyTorch's {@code tril} and {@code triu}: the lower or upper triangle of the matrices in the last two axes, every
 * other element 0 (NaN too: a selection, not a product), any dtype. Element (i, j) is in the lower triangle when
 * {@code j - i <= k}, in the upper one when {@code j - i >= k} (k = 0: the main diagonal, k &gt; 0 above it). Composed
 * of a comparison of a row index with a column index (i + k, m ints, against j, n ints, both uploaded from the host)
 * into an [m, n] mask, and {@code where}; the gradient is the same selection of the output's gradient.
 */
final class TriangleOps {
    private TriangleOps() {
    }

    static Tensor triangle(String op, Tensor x, int k, boolean lower) {
        Checks.open(op, x);
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 2 dimensions (matrices in the last"
                    + " two), got shape " + x.shape());
        }
        Tensor mask = mask(x, k, lower);
        Tensor out = Composite.untracked(() -> select(mask, x));
        out.recordWithSaved(op, new Tensor[] {x}, Node.differentiable(
                g -> new Tensor[] {Node.createsGraph() ? select(mask, g) : Composite.untracked(() -> select(mask, g))}), mask);
        return out;
    }

    private static Tensor select(Tensor mask, Tensor t) {
        return Tensor.where(mask, t, ElementwiseOps.scalarLike(t, 0));
    }

    /** 1 at (i, j) of [m, n] in the triangle, else 0 (I32). */
    private static Tensor mask(Tensor x, int k, boolean lower) {
        int m = x.dim(-2);
        int n = x.dim(-1);
        // Beyond [-m, n] every k keeps all or nothing, as the nearest end of that range does: i + k fits an int.
        int shift = (int) Math.max(-m, Math.min(n, (long) k));
        int[] diagonal = new int[m];
        for (int i = 0; i < m; i++) {
            diagonal[i] = i + shift;
        }
        int[] columns = new int[n];
        for (int j = 0; j < n; j++) {
            columns[j] = j;
        }
        return Composite.untracked(() -> ElementwiseOps.binary(lower ? BinaryOp.LE : BinaryOp.GE,
                HostValues.ints(x, columns, 1, n), HostValues.ints(x, diagonal, m, 1)));
    }
}
