package dev.kiln.engine;

import java.util.List;

/**
 * A sparse matrix [rows, cols] in coordinate form, PyTorch's {@code torch.sparse_coo_tensor(indices, values, size)}
 * with two sparse dimensions: entry j holds {@code values[j]} at row {@code indices[0, j]}, column
 * {@code indices[1, j]}. Entries may repeat a position, whose values then add up, as in PyTorch, until
 * {@link #coalesce} sums them. The values may require grad: {@link #toDense}, {@link #coalesce} and
 * {@link Sparse#mm} pass gradients back to them (PyTorch's gradient of a sparse input, which keeps its pattern, is
 * this gradient of its values). Every operation is composed of Tensor ops, so it runs on the values' backend.
 * {@link #close} gives back what the matrix made (a matrix made outside every scope holds it until then); the
 * indices and values given to {@link #of} stay the caller's.
 */
public final class SparseCoo implements AutoCloseable {
    private final Tensor rowIndex;
    private final Tensor colIndex;
    private final Tensor values;
    private final int rows;
    private final int cols;
    private final boolean coalesced;
    /** The tensors this matrix made, which {@link #close} closes: none where it shares another matrix's. */
    private final List<Tensor> owned;

    private SparseCoo(Tensor rowIndex, Tensor colIndex, Tensor values, int rows, int cols, boolean coalesced,
                      List<Tensor> owned) {
        this.rowIndex = rowIndex;
        this.colIndex = colIndex;
        this.values = values;
        this.rows = rows;
        this.cols = cols;
        this.coalesced = coalesced;
        this.owned = owned;
    }

    /**
     * The matrix [rows, cols] of {@code values} [nnz] (F32 or F64) at {@code indices} [2, nnz] (I64; row, then column),
     * uncoalesced as PyTorch's. The indices are checked here, once (read on the host unless their range is known, as
     * for {@link Tensor#fromArray(long[], int...)}), so that later products read them without checking.
     *
     * @throws IllegalArgumentException naming the expected and actual dtype, shape, or index and its range
     */
    public static SparseCoo of(Tensor indices, Tensor values, int rows, int cols) {
        String op = "SparseCoo.of";
        Checks.open(op, indices, values);
        Checks.sameBackend(op, indices, values);
        if (indices.dtype() != DType.I64) {
            throw new IllegalArgumentException(op + ": indices must be I64, got " + indices.dtype());
        }
        if (!values.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": values must be F32 or F64, got " + values.dtype());
        }
        if (indices.rank() != 2 || indices.dim(0) != 2) {
            throw new IllegalArgumentException(op + ": indices must be [2, nnz], got " + indices.shape());
        }
        if (values.rank() != 1) {
            throw new IllegalArgumentException(op + ": values must be [nnz], got " + values.shape());
        }
        int nnz = indices.dim(1);
        if (values.dim(0) != nnz) {
            throw new IllegalArgumentException(op + ": values must be [" + nnz + "] for indices " + indices.shape()
                    + ", got " + values.shape());
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": size [" + rows + ", " + cols + "] must not be negative");
        }
        checkRange(op, indices, rows, cols);
        Tensor rowIndex = indexRow(indices, 0, rows);
        Tensor colIndex = indexRow(indices, 1, cols);
        return new SparseCoo(rowIndex, colIndex, values, rows, cols, false, List.of(rowIndex, colIndex));
    }

    /** Row {@code row} of indices [2, nnz] copied into a tensor [nnz] of its own, its values in [0, size). */
    private static Tensor indexRow(Tensor indices, int row, int size) {
        try (Tensor narrowed = indices.narrow(0, row, 1); Tensor flat = narrowed.reshape(indices.dim(1))) {
            return flat.copy().withValueRange(0, size - 1L);
        }
    }

    /** Each row index in [0, rows), each column index in [0, cols); a known range spares reading them. */
    private static void checkRange(String op, Tensor indices, int rows, int cols) {
        long[] known = indices.knownValueRange();
        if (known != null && known[0] >= 0 && known[1] < Math.min(rows, cols)) {
            return;
        }
        long[] flat = indices.toLongArray();
        int nnz = flat.length / 2;
        for (int j = 0; j < flat.length; j++) {
            boolean isRow = j < nnz;
            int limit = isRow ? rows : cols;
            if (flat[j] < 0 || flat[j] >= limit) {
                throw new IllegalArgumentException(op + ": " + (isRow ? "row" : "column") + " index " + flat[j]
                        + " of entry " + (isRow ? j : j - nnz) + " is out of range [0, " + limit + ") for size ["
                        + rows + ", " + cols + "]");
            }
        }
    }

    /** The number of rows. */
    public int rows() {
        return rows;
    }

    /** The number of columns. */
    public int cols() {
        return cols;
    }

    /** The number of stored entries (PyTorch's {@code _nnz()}), repeated positions counted each time. */
    public int nnz() {
        return values.dim(0);
    }

    /** The stored values [nnz], in the order of {@link #indices} (PyTorch's {@code _values()}). */
    public Tensor values() {
        return values;
    }

    /** The positions [2, nnz] (I64): row indices, then column indices (PyTorch's {@code _indices()}). */
    public Tensor indices() {
        return Tensor.stack(List.of(rowIndex, colIndex), 0);
    }

    /** Whether the entries are sorted by row, then column, without repeats: true only for {@link #coalesce}'s. */
    public boolean isCoalesced() {
        return coalesced;
    }

    /** The row index of each entry [nnz] (I64), its range recorded. */
    Tensor rowIndex() {
        return rowIndex;
    }

    /** The column index of each entry [nnz] (I64), its range recorded. */
    Tensor colIndex() {
        return colIndex;
    }

    /**
     * This matrix with its entries sorted by row, then column, and those at one position summed into one (PyTorch's
     * {@code coalesce}); this one itself when already coalesced. The positions are read on the host (their number
     * depends on them, as in PyTorch); the values' gradient flows back to every entry summed. Its {@link #close}
     * closes its summed values too.
     */
    public SparseCoo coalesce() {
        if (coalesced) {
            return this;
        }
        if (nnz() == 0) {
            return new SparseCoo(rowIndex, colIndex, values, rows, cols, true, List.of());
        }
        Tensor width = rowIndex.fullLike(cols, Shape.scalar());
        Tensor rowStarts = ElementwiseOps.integerArithmetic(BinaryOp.MUL, rowIndex, width);
        Tensor keys = ElementwiseOps.integerArithmetic(BinaryOp.ADD, rowStarts, colIndex);
        UniqueValues positions = keys.unique(true, false);
        int count = positions.values().dim(0);
        // The zeros and the inverse stay with the result: the sum's backward pass reads them.
        Tensor zeros = values.fullLike(0, Shape.of(count));
        Tensor inverse = positions.inverse().withValueRange(0, count - 1L);
        Tensor summed = zeros.indexAdd(0, inverse, values);
        Tensor newRows = positions.values().floorDivide(width).withValueRange(0, rows - 1L);
        Tensor newCols = positions.values().remainder(width).withValueRange(0, cols - 1L);
        closeAll(width, rowStarts, keys, positions.values(), positions.counts());
        return new SparseCoo(newRows, newCols, summed, rows, cols, true,
                List.of(newRows, newCols, summed, zeros, inverse));
    }

    private static void closeAll(Tensor... tensors) {
        for (Tensor t : tensors) {
            if (t != null) {
                t.close();
            }
        }
    }

    /** The dense matrix [rows, cols] of the values' dtype, repeated positions summed (PyTorch's {@code to_dense}). */
    public Tensor toDense() {
        return values.fullLike(0, Shape.of(rows, cols)).indexPut(List.of(rowIndex, colIndex), values, true);
    }

    /**
     * The transposed matrix [cols, rows], sharing this one's values (PyTorch's {@code t()}); uncoalesced, as
     * PyTorch's, since its entries are sorted by column.
     */
    public SparseCoo transpose() {
        return new SparseCoo(colIndex, rowIndex, values, cols, rows, false, List.of());
    }

    /**
     * Closes the tensors this matrix made: its index copies, and a {@link #coalesce}'s summed values; not the values
     * given to {@link #of}, nor, for a {@link #transpose}, its matrix's indices, which it shares. Closing twice does
     * nothing more.
     */
    @Override
    public void close() {
        owned.forEach(Tensor::close);
    }

    @Override
    public String toString() {
        return "SparseCoo[" + rows + ", " + cols + "] nnz=" + nnz() + " " + values.dtype();
    }

    /**
     * This matrix in compressed sparse rows, coalesced first (PyTorch's {@code to_sparse_csr()}); see
     * {@link SparseCsr#fromCoo}.
     */
    public SparseCsr toSparseCsr() {
        return SparseCsr.fromCoo(this);
    }

    /**
     * The matrix of these index tensors (I64 [nnz], in range, their ranges recorded) and values, closing
     * {@code owned} (none for a view of another matrix's tensors; a product's temporaries for its result).
     */
    static SparseCoo assembled(Tensor rowIndex, Tensor colIndex, Tensor values, int rows, int cols,
                               boolean coalesced, List<Tensor> owned) {
        return new SparseCoo(rowIndex, colIndex, values, rows, cols, coalesced, owned);
    }

    /**
     * The matrix of these positions holding {@code newValues} [nnz] instead (PyTorch's
     * {@code torch.sparse_coo_tensor(m._indices(), newValues, m.size())}, what an optimizer's update builds); coalesced
     * when this one is. It shares this matrix's indices and owns nothing: close neither while it is in use.
     *
     * @throws IllegalArgumentException naming the expected and actual shape when {@code newValues} is not [nnz]
     */
    public SparseCoo withValues(Tensor newValues) {
        Checks.open("SparseCoo.withValues", newValues);
        if (!newValues.shape().equals(values.shape())) {
            throw new IllegalArgumentException("SparseCoo.withValues: values must be " + values.shape() + " for " + this
                    + ", got " + newValues.shape());
        }
        Checks.compatible("SparseCoo.withValues", values, newValues);
        return new SparseCoo(rowIndex, colIndex, newValues, rows, cols, coalesced, List.of());
    }

    /**
     * The elements of {@code dense} [rows, cols] at this matrix's positions, [nnz] in entry order (PyTorch's
     * {@code dense.sparse_mask(m)._values()} for a coalesced {@code m}).
     *
     * @throws IllegalArgumentException naming both shapes when {@code dense} is not [rows, cols]
     */
    public Tensor valuesIn(Tensor dense) {
        String op = "SparseCoo.valuesIn";
        Checks.open(op, dense);
        Checks.sameBackend(op, dense, values);
        if (dense.rank() != 2 || dense.dim(0) != rows || dense.dim(1) != cols) {
            throw new IllegalArgumentException(op + ": dense tensor " + dense.shape() + " must be [" + rows + ", " + cols
                    + "] for " + this);
        }
        try (Tensor positions = flatPositions(); Tensor flat = dense.view(0, Shape.of(rows * cols))) {
            return flat.indexSelect(0, positions);
        }
    }

    /** Each entry's position in the row-major elements of a dense [rows, cols], I64 [nnz], its range recorded. */
    Tensor flatPositions() {
        try (Tensor width = rowIndex.fullLike(cols, Shape.scalar());
             Tensor rowStarts = ElementwiseOps.integerArithmetic(BinaryOp.MUL, rowIndex, width)) {
            return ElementwiseOps.integerArithmetic(BinaryOp.ADD, rowStarts, colIndex)
                    .withValueRange(0, Math.max(0, (long) rows * cols - 1));
        }
    }

    /** The entries of {@code a}, then those of {@code b} (one size, dtype and backend), uncoalesced; owns its tensors. */
    static SparseCoo concatenated(SparseCoo a, SparseCoo b) {
        Tensor rowIndex = Tensor.cat(List.of(a.rowIndex, b.rowIndex), 0).withValueRange(0, a.rows - 1L);
        Tensor colIndex = Tensor.cat(List.of(a.colIndex, b.colIndex), 0).withValueRange(0, a.cols - 1L);
        Tensor values = Tensor.cat(List.of(a.values, b.values), 0);
        return new SparseCoo(rowIndex, colIndex, values, a.rows, a.cols, false, List.of(rowIndex, colIndex, values));
    }
}
