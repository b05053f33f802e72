package dev.kiln.engine;

/**
 * Products with sparse matrices, PyTorch's {@code torch.sparse}: the backend's {@link Backend#sparseMatmulAdd} (by
 * default composed of a row gather, a product and an index add, so every backend runs it), with gradients of Tensor
 * ops, to any order.
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
     * @throws IllegalStateException when a (its indices or values) or dense is closed
     */
    public static Tensor mm(SparseCoo a, Tensor dense) {
        String op = "Sparse.mm";
        Tensor values = a.values();
        // The backend reads the index copies unchecked: closed (by a scope's end, or close()) they are freed memory.
        Checks.open(op, a.rowIndex(), a.colIndex(), values, dense);
        Checks.sameBackend(op, values, dense);
        if (dense.rank() != 2 || dense.dim(0) != a.cols()) {
            throw new IllegalArgumentException(op + ": dense must be [" + a.cols() + ", k] for sparse [" + a.rows()
                    + ", " + a.cols() + "], got " + dense.shape());
        }
        if (dense.dtype() != values.dtype()) {
            throw new IllegalArgumentException(op + ": dense must be " + values.dtype() + " as the sparse values, got "
                    + dense.dtype());
        }
        Tensor out = dense.fullLike(0, Shape.of(a.rows(), dense.dim(1)));
        dense.backend().sparseMatmulAdd(a.rowIndex(), a.colIndex(), values, dense, out);
        out.record(op, new Tensor[] {values, dense}, Node.differentiable(g -> new Tensor[] {
            values.requiresGrad() ? valuesGradient(a, dense, g) : null,
            dense.requiresGrad() ? mm(a.transpose(), g) : null}));
        return out;
    }

    /** The gradient of a's values: entry j's is the dot product of g's row rows[j] and dense's row cols[j]. */
    private static Tensor valuesGradient(SparseCoo a, Tensor dense, Tensor g) {
        return g.indexSelect(0, a.rowIndex()).mul(dense.indexSelect(0, a.colIndex())).sum(1, false);
    }
}
