package dev.kiln.engine;

/**
 * Products with sparse matrices, PyTorch's {@code torch.sparse}: sparse x dense by the backend's
 * {@link Backend#sparseMatmulAdd} and {@link Backend#sparseCsrMatmulAdd} (by default composed of a row gather, a
 * product and an index add, so every backend runs them), sparse x sparse from a pattern found on the host, with
 * gradients of Tensor ops, to any order.
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
        checkDense(op, values, a.rows(), a.cols(), dense);
        Tensor out = dense.fullLike(0, Shape.of(a.rows(), dense.dim(1)));
        dense.backend().sparseMatmulAdd(a.rowIndex(), a.colIndex(), values, dense, out);
        out.record(op, new Tensor[] {values, dense}, Node.differentiable(g -> new Tensor[] {
            values.requiresGrad() ? valuesGradient(a, dense, g) : null,
            dense.requiresGrad() ? mm(a.transpose(), g) : null}));
        return out;
    }

    /** Dense is [cols, k] of the values' dtype and backend. */
    private static void checkDense(String op, Tensor values, int rows, int cols, Tensor dense) {
        Checks.sameBackend(op, values, dense);
        if (dense.rank() != 2 || dense.dim(0) != cols) {
            throw new IllegalArgumentException(op + ": dense must be [" + cols + ", k] for sparse [" + rows + ", "
                    + cols + "], got " + dense.shape());
        }
        if (dense.dtype() != values.dtype()) {
            throw new IllegalArgumentException(op + ": dense must be " + values.dtype() + " as the sparse values, got "
                    + dense.dtype());
        }
    }

    /** The gradient of a's values: entry j's is the dot product of g's row rows[j] and dense's row cols[j]. */
    private static Tensor valuesGradient(SparseCoo a, Tensor dense, Tensor g) {
        return g.indexSelect(0, a.rowIndex()).mul(dense.indexSelect(0, a.colIndex())).sum(1, false);
    }

    /**
     * {@code a @ dense} of a matrix in compressed rows: a [n, m] times a dense [m, k] gives a dense [n, k] (PyTorch's
     * {@code torch.sparse.mm} of a CSR tensor), by the backend's {@link Backend#sparseCsrMatmulAdd}. Gradients flow to
     * {@code dense} and to a's values (PyTorch 1.13's gradient of a CSR leaf, on a's pattern, holds these values), to
     * any order.
     *
     * @throws IllegalArgumentException when dense is not [a.cols(), k], or its dtype or backend is not a's values'
     * @throws IllegalStateException when a (its indices or values) or dense is closed
     */
    public static Tensor mm(SparseCsr a, Tensor dense) {
        String op = "Sparse.mm";
        Tensor values = a.values();
        Checks.open(op, a.crowIndices(), a.rowIndex(), a.colIndices(), values, dense);
        checkDense(op, values, a.rows(), a.cols(), dense);
        Tensor out = dense.fullLike(0, Shape.of(a.rows(), dense.dim(1)));
        dense.backend().sparseCsrMatmulAdd(a.crowIndices(), a.rowIndex(), a.colIndices(), values, dense, out);
        // The backward pass works entry by entry: the transpose is not in compressed rows.
        SparseCoo entries = a.toSparseCoo();
        out.record(op, new Tensor[] {values, dense}, Node.differentiable(g -> new Tensor[] {
            values.requiresGrad() ? valuesGradient(entries, dense, g) : null,
            dense.requiresGrad() ? mm(entries.transpose(), g) : null}));
        return out;
    }

    /**
     * {@code beta * input + alpha * (a @ dense)}: input broadcasts to [n, k] (PyTorch's {@code torch.sparse.addmm} and
     * {@code torch.addmm} of a CSR tensor); input is ignored, NaNs included, when beta is 0, as in PyTorch. Gradients
     * flow to input, dense and a's values.
     *
     * @throws IllegalArgumentException as {@link #mm(SparseCsr, Tensor)}, or when input does not broadcast to [n, k]
     */
    public static Tensor addmm(Tensor input, SparseCsr a, Tensor dense, double beta, double alpha) {
        return scaledSum("Sparse.addmm", input, mm(a, dense), beta, alpha);
    }

    /** {@link #addmm(Tensor, SparseCsr, Tensor, double, double)} of a matrix in coordinate form. */
    public static Tensor addmm(Tensor input, SparseCoo a, Tensor dense, double beta, double alpha) {
        return scaledSum("Sparse.addmm", input, mm(a, dense), beta, alpha);
    }

    private static Tensor scaledSum(String op, Tensor input, Tensor product, double beta, double alpha) {
        Checks.open(op, input);
        Checks.sameBackend(op, input, product);
        int[] dims = input.shape().dims();
        int n = product.dim(0);
        int k = product.dim(1);
        boolean broadcasts = dims.length <= 2 && (dims.length < 1 || dims[dims.length - 1] == 1
                || dims[dims.length - 1] == k) && (dims.length < 2 || dims[0] == 1 || dims[0] == n);
        if (!broadcasts || input.dtype() != product.dtype()) {
            throw new IllegalArgumentException(op + ": input must broadcast to [" + n + ", " + k + "] in "
                    + product.dtype() + ", got " + input.dtype() + " " + input.shape());
        }
        Tensor scaled = alpha == 1 ? product : product.mul(alpha);
        if (beta == 0) {
            // Selected away, not multiplied by 0 (NaNs stay out), yet in the graph: its gradient is PyTorch's zeros.
            return input.requiresGrad() ? Tensor.where(scaled.fullLike(1, Shape.scalar()), scaled, input) : scaled;
        }
        return scaled.add(beta == 1 ? input : input.mul(beta));
    }

    /**
     * {@code a @ b} of two sparse matrices in coordinate form, a [n, m] and b [m, k], entries in any order and
     * positions repeated: a coalesced [n, k] (PyTorch's {@code torch.sparse.mm(coo, coo)}), one entry wherever a row of
     * a meets a column of b through some m, even if its terms cancel, as PyTorch's. The pattern is found on the host;
     * the values are a gather, a product and an index add of Tensor ops, so gradients flow to both matrices' values
     * (PyTorch's sparse gradients, on each pattern), to any order. Close the result (or its scope) to free it.
     *
     * @throws IllegalArgumentException when a.cols() != b.rows(), or the values' dtypes or backends differ
     */
    public static SparseCoo mm(SparseCoo a, SparseCoo b) {
        checkPair("Sparse.mm", a.values(), a.rows(), a.cols(), b.values(), b.rows(), b.cols());
        SparseProductPattern pattern = SparseProductPattern.of(a.rowIndex().toLongArray(),
                a.colIndex().toLongArray(), a.rows(), b.rowIndex().toLongArray(), b.colIndex().toLongArray(),
                b.rows(), b.cols());
        return product(pattern, a.values(), b.values(), a.rows(), b.cols());
    }

    /**
     * {@code a @ b} of two matrices in compressed rows, a [n, m] and b [m, k]: a [n, k] in compressed rows, the entries
     * and gradients of {@link #mm(SparseCoo, SparseCoo)} (PyTorch 1.13 computes CSR x CSR only when built with MKL).
     *
     * @throws IllegalArgumentException when a.cols() != b.rows(), or the values' dtypes or backends differ
     */
    public static SparseCsr mm(SparseCsr a, SparseCsr b) {
        checkPair("Sparse.mm", a.values(), a.rows(), a.cols(), b.values(), b.rows(), b.cols());
        SparseProductPattern pattern = SparseProductPattern.of(a.rowIndex().toLongArray(),
                a.colIndices().toLongArray(), a.rows(), b.rowIndex().toLongArray(), b.colIndices().toLongArray(),
                b.rows(), b.cols());
        SparseCoo entries = product(pattern, a.values(), b.values(), a.rows(), b.cols());
        Tensor crow = SparseCsr.upload(SparseCsr.compress(pattern.rows, a.rows()), pattern.rows.length + 1,
                a.values().backend());
        return SparseCsr.assembled(crow, entries.colIndex(), entries.rowIndex(), entries.values(), a.rows(), b.cols(),
                java.util.List.of(crow::close, entries::close));
    }

    private static void checkPair(String op, Tensor aValues, int aRows, int aCols, Tensor bValues, int bRows,
                                  int bCols) {
        Checks.open(op, aValues, bValues);
        Checks.sameBackend(op, aValues, bValues);
        if (aCols != bRows) {
            throw new IllegalArgumentException(op + ": b must be [" + aCols + ", k] for a [" + aRows + ", " + aCols
                    + "], got [" + bRows + ", " + bCols + "]");
        }
        if (aValues.dtype() != bValues.dtype()) {
            throw new IllegalArgumentException(op + ": b's values must be " + aValues.dtype() + " as a's, got "
                    + bValues.dtype());
        }
    }

    /** The product's values summed from its pairs; the result owns every temporary its backward pass reads. */
    private static SparseCoo product(SparseProductPattern pattern, Tensor aValues, Tensor bValues, int n, int k) {
        Backend backend = aValues.backend();
        int count = pattern.rows.length;
        Tensor pairA = SparseCsr.upload(pattern.pairA, aValues.dim(0), backend);
        Tensor pairB = SparseCsr.upload(pattern.pairB, bValues.dim(0), backend);
        Tensor pairOut = SparseCsr.upload(pattern.pairOut, count, backend);
        Tensor left = aValues.indexSelect(0, pairA);
        Tensor right = bValues.indexSelect(0, pairB);
        Tensor terms = left.mul(right);
        Tensor zeros = aValues.fullLike(0, Shape.of(count));
        Tensor values = zeros.indexAdd(0, pairOut, terms);
        Tensor rows = SparseCsr.upload(pattern.rows, n, backend);
        Tensor cols = SparseCsr.upload(pattern.cols, k, backend);
        return SparseCoo.assembled(rows, cols, values, n, k, true,
                java.util.List.of(rows, cols, values, zeros, terms, left, right, pairA, pairB, pairOut));
    }
}
