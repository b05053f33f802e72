package dev.kiln.engine;

/**
 * Products with sparse matrices, PyTorch's {@code torch.sparse}: composed of Tensor ops (a row gather, a broadcast
 * product and an index add), so they run on every backend and differentiate to any order.
 */
public final class Sparse {
    private Sparse() {
    }

    /**
     * {@code a @ dense}: a sparse [n, m] times a dense [m, k] gives a dense [n, k] (PyTorch's {@code torch.sparse.mm}),
     * repeated positions of a summed. Gradients flow to {@code dense} and to a's values (PyTorch's sparse gradient of a,
     * on a's pattern, holds these values). Work and memory grow with nnz * k, not n * m.
     *
     * @throws IllegalArgumentException when dense is not [a.cols(), k], or its dtype or backend is not a's values'
     */
    public static Tensor mm(SparseCoo a, Tensor dense) {
        String op = "Sparse.mm";
        Tensor values = a.values();
        Checks.open(op, values, dense);
        Checks.sameBackend(op, values, dense);
        if (dense.rank() != 2 || dense.dim(0) != a.cols()) {
            throw new IllegalArgumentException(op + ": dense must be [" + a.cols() + ", k] for sparse [" + a.rows()
                    + ", " + a.cols() + "], got " + dense.shape());
        }
        if (dense.dtype() != values.dtype()) {
            throw new IllegalArgumentException(op + ": dense must be " + values.dtype() + " as the sparse values, got "
                    + dense.dtype());
        }
        int k = dense.dim(1);
        Tensor scaled = dense.indexSelect(0, a.colIndex()).mul(values.reshape(a.nnz(), 1));
        return dense.fullLike(0, Shape.of(a.rows(), k)).indexAdd(0, a.rowIndex(), scaled);
    }
}
