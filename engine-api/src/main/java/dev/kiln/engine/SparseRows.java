package dev.kiln.engine;

import java.util.List;

/**
 * A tensor [rows, cols] sparse in its rows and dense along them, PyTorch's hybrid COO tensor with one sparse and one
 * dense dimension ({@code sparse_dim() == 1}, {@code dense_dim() == 1}), what {@code Embedding(sparse=True)} leaves in
 * its weight's {@code grad}: entry j is the row {@code values[j]} [cols] at row {@code indices[0, j]}. Entries may
 * repeat a row, whose values then add up, as in PyTorch, until {@link #coalesce} sums them. Kept apart from
 * {@link SparseCoo}, the matrix of single elements that {@link Sparse#mm} multiplies: a row costs one index here, and
 * an update gathers and scatters whole rows. Every operation is composed of Tensor ops, so it runs on the values'
 * backend; {@link #toDense} and {@link #coalesce} pass gradients back to the values. {@link #close} gives back what
 * this tensor made; the indices and values given to {@link #of} stay the caller's.
 */
public final class SparseRows implements AutoCloseable {
    private final Tensor rowIndex;
    private final Tensor values;
    private final int rows;
    private final boolean coalesced;
    /** The tensors this one made, which {@link #close} closes: none where it shares another's. */
    private final List<Tensor> owned;

    private SparseRows(Tensor rowIndex, Tensor values, int rows, boolean coalesced, List<Tensor> owned) {
        this.rowIndex = rowIndex;
        this.values = values;
        this.rows = rows;
        this.coalesced = coalesced;
        this.owned = owned;
    }

    /**
     * The tensor [rows, cols] of the rows {@code values} [nnz, cols] (F32 or F64) at {@code indices} [1, nnz] (I64),
     * uncoalesced, as PyTorch's {@code torch.sparse_coo_tensor(indices, values, (rows, cols))}. The indices are checked
     * here, once (read on the host unless their range is known).
     *
     * @throws IllegalArgumentException naming the expected and actual dtype, shape, or index and its range
     */
    public static SparseRows of(Tensor indices, Tensor values, int rows) {
        String op = "SparseRows.of";
        Checks.open(op, indices, values);
        Checks.sameBackend(op, indices, values);
        if (indices.dtype() != DType.I64) {
            throw new IllegalArgumentException(op + ": indices must be I64, got " + indices.dtype());
        }
        if (!values.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": values must be F32 or F64, got " + values.dtype());
        }
        if (indices.rank() != 2 || indices.dim(0) != 1) {
            throw new IllegalArgumentException(op + ": indices must be [1, nnz], got " + indices.shape());
        }
        int nnz = indices.dim(1);
        if (values.rank() != 2 || values.dim(0) != nnz) {
            throw new IllegalArgumentException(op + ": values must be [" + nnz + ", cols] for indices "
                    + indices.shape() + ", got " + values.shape());
        }
        if (rows < 0) {
            throw new IllegalArgumentException(op + ": rows must not be negative, got " + rows);
        }
        Long outside = Checks.firstOutside(indices, rows);
        if (outside != null) {
            throw new IllegalArgumentException(op + ": row index " + outside + " is out of range [0, " + rows + ")");
        }
        Tensor rowIndex;
        try (Tensor flat = indices.reshape(nnz)) {
            rowIndex = flat.copy().withValueRange(0, rows - 1L);
        }
        return new SparseRows(rowIndex, values, rows, false, List.of(rowIndex));
    }

    /** No entries (PyTorch's sparse gradient after {@code zero_()}): coalesced, owning its tensors. */
    static SparseRows empty(int rows, int cols, DType dtype, Backend backend) {
        Tensor rowIndex = Tensor.empty(Shape.of(0), DType.I64, backend);
        Tensor values = Tensor.empty(Shape.of(0, cols), dtype, backend);
        return new SparseRows(rowIndex, values, rows, true, List.of(rowIndex, values));
    }

    /**
     * The tensor of these row indices (I64 [nnz], in range, their range recorded) and values [nnz, cols], closing
     * {@code owned} when closed.
     */
    static SparseRows assembled(Tensor rowIndex, Tensor values, int rows, boolean coalesced, List<Tensor> owned) {
        return new SparseRows(rowIndex, values, rows, coalesced, owned);
    }

    /** The number of rows. */
    public int rows() {
        return rows;
    }

    /** The length of each row. */
    public int cols() {
        return values.dim(1);
    }

    /** The shape [rows, cols]. */
    public Shape shape() {
        return Shape.of(rows, cols());
    }

    /** The number of sparse dimensions, 1: the rows (PyTorch's {@code sparse_dim()}). */
    public int sparseDim() {
        return 1;
    }

    /** The number of dense dimensions, 1: along a row (PyTorch's {@code dense_dim()}). */
    public int denseDim() {
        return 1;
    }

    /** The number of stored rows (PyTorch's {@code _nnz()}), repeated rows counted each time. */
    public int nnz() {
        return values.dim(0);
    }

    /** The stored rows [nnz, cols], in the order of {@link #indices} (PyTorch's {@code _values()}). */
    public Tensor values() {
        return values;
    }

    /** The row of each entry, [1, nnz] (I64; PyTorch's {@code _indices()}), a new tensor. */
    public Tensor indices() {
        return rowIndex.reshape(1, nnz());
    }

    /** The row of each entry, [nnz] (I64), its range recorded: this tensor's own, not to be closed. */
    Tensor rowIndex() {
        return rowIndex;
    }

    /** Whether the rows are sorted without repeats: {@link #coalesce}'s, an embedding's gradient of one pass. */
    public boolean isCoalesced() {
        return coalesced;
    }

    /**
     * This tensor with its rows sorted and repeats summed into one (PyTorch's {@code coalesce}); this one itself when
     * already coalesced. The row indices are read on the host (their number depends on them, as in PyTorch); the
     * values' gradient flows back to every entry summed. Its {@link #close} closes its summed values too.
     */
    public SparseRows coalesce() {
        if (coalesced) {
            return this;
        }
        UniqueValues unique = rowIndex.unique(true, false);
        int count = unique.values().dim(0);
        // The zeros and the inverse stay with the result: the sum's backward pass reads them.
        Tensor zeros = values.fullLike(0, Shape.of(count, cols()));
        Tensor inverse = unique.inverse().withValueRange(0, count - 1L);
        Tensor summed = zeros.indexAdd(0, inverse, values);
        Tensor newRows = unique.values().withValueRange(0, rows - 1L);
        return new SparseRows(newRows, summed, rows, true, List.of(newRows, summed, zeros, inverse));
    }

    /** The dense tensor [rows, cols] of the values' dtype, repeated rows summed (PyTorch's {@code to_dense}). */
    public Tensor toDense() {
        Tensor zeros = values.fullLike(0, shape());
        return nnz() == 0 ? zeros : zeros.indexAdd(0, rowIndex, values);
    }

    /**
     * Refused, as PyTorch refuses {@code t()} of a tensor with a dense dimension: the transpose would be sparse along
     * its columns, which this form cannot hold. Transpose {@link #toDense()}.
     *
     * @throws UnsupportedOperationException always
     */
    public SparseRows transpose() {
        throw new UnsupportedOperationException("SparseRows.transpose: " + this + " has 1 sparse and 1 dense"
                + " dimension; a transpose needs 2 sparse and 0 dense dimensions (PyTorch refuses it too); transpose"
                + " toDense() instead");
    }

    /**
     * The tensor of these rows holding {@code newValues} [nnz, cols] instead (PyTorch's
     * {@code torch.sparse_coo_tensor(g._indices(), newValues, g.size())}); coalesced when this one is. It shares this
     * one's row indices and owns nothing: close neither while it is in use.
     *
     * @throws IllegalArgumentException naming the expected and actual shape when {@code newValues} is not [nnz, cols]
     */
    public SparseRows withValues(Tensor newValues) {
        String op = "SparseRows.withValues";
        Checks.open(op, newValues);
        if (!newValues.shape().equals(values.shape())) {
            throw new IllegalArgumentException(op + ": values must be " + values.shape() + " for " + this + ", got "
                    + newValues.shape());
        }
        Checks.compatible(op, values, newValues);
        return new SparseRows(rowIndex, newValues, rows, coalesced, List.of());
    }

    /**
     * The rows of {@code dense} [rows, cols] at this tensor's entries, [nnz, cols] in entry order (PyTorch's
     * {@code dense.sparse_mask(g)._values()} for a coalesced {@code g}).
     *
     * @throws IllegalArgumentException naming both shapes when {@code dense} is not [rows, cols]
     */
    public Tensor valuesIn(Tensor dense) {
        String op = "SparseRows.valuesIn";
        Checks.open(op, dense);
        Checks.sameBackend(op, dense, values);
        if (!dense.shape().equals(shape())) {
            throw new IllegalArgumentException(op + ": dense tensor " + dense.shape() + " must be " + shape() + " for "
                    + this);
        }
        return dense.indexSelect(0, rowIndex);
    }

    /**
     * Closes the tensors this one made: its index copy, and a {@link #coalesce}'s summed values; not the values given
     * to {@link #of}. Closing twice does nothing more.
     */
    @Override
    public void close() {
        owned.forEach(Tensor::close);
    }

    @Override
    public String toString() {
        return "SparseRows[" + rows + ", " + cols() + "] nnz=" + nnz() + " " + values.dtype();
    }

    /** The entries of {@code a}, then those of {@code b} (one shape, dtype and backend), uncoalesced; owns its tensors. */
    static SparseRows concatenated(SparseRows a, SparseRows b) {
        Tensor rowIndex = Tensor.cat(List.of(a.rowIndex, b.rowIndex), 0).withValueRange(0, a.rows - 1L);
        Tensor values = Tensor.cat(List.of(a.values, b.values), 0);
        return new SparseRows(rowIndex, values, a.rows, false, List.of(rowIndex, values));
    }
}
