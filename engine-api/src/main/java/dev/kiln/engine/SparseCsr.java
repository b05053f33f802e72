package dev.kiln.engine;

import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * A sparse matrix [rows, cols] in compressed sparse rows, PyTorch's {@code torch.sparse_csr_tensor(crow_indices,
 * col_indices, values, size)}: row i holds the entries {@code crowIndices[i]} to {@code crowIndices[i + 1] - 1}, entry
 * j being {@code values[j]} at column {@code colIndices[j]}, the columns of a row increasing. The values may require
 * grad: {@link #toDense}, {@link Sparse#mm} and {@link Sparse#addmm} pass gradients back to them (PyTorch 1.13's
 * gradient of a CSR leaf, on its pattern, holds these values). Every operation is composed of Tensor ops or the
 * backend's {@link Backend#sparseCsrMatmulAdd}, so it runs on the values' backend. {@link #close} gives back what the
 * matrix made; the tensors given to {@link #of} stay the caller's.
 */
public final class SparseCsr implements AutoCloseable {
    private final Tensor crowIndices;
    private final Tensor colIndices;
    /** The row of each entry [nnz] (I64), for the gradients and for backends that work entry by entry. */
    private final Tensor rowIndex;
    private final Tensor values;
    private final int rows;
    private final int cols;
    /** What this matrix made, which {@link #close} closes: index copies, or the coalesced matrix it came from. */
    private final List<Runnable> owned;

    private SparseCsr(Tensor crowIndices, Tensor colIndices, Tensor rowIndex, Tensor values, int rows, int cols,
                      List<Runnable> owned) {
        this.crowIndices = crowIndices;
        this.colIndices = colIndices;
        this.rowIndex = rowIndex;
        this.values = values;
        this.rows = rows;
        this.cols = cols;
        this.owned = owned;
    }

    /**
     * The matrix [rows, cols] of {@code values} [nnz] (F32 or F64) with {@code crowIndices} [rows + 1] and
     * {@code colIndices} [nnz] (both I64), checked once on the host as PyTorch's {@code sparse_csr_tensor} checks them,
     * its messages quoted.
     *
     * @throws IllegalArgumentException naming the expected and actual dtype or length, or the row and entry that break
     * {@code crow_indices[0] == 0}, {@code crow_indices[-1] == nnz}, non-decreasing crow_indices,
     * {@code 0 <= col_indices < ncols}, or columns sorted and distinct within a row
     */
    public static SparseCsr of(Tensor crowIndices, Tensor colIndices, Tensor values, int rows, int cols) {
        String op = "SparseCsr.of";
        Checks.open(op, crowIndices, colIndices, values);
        Checks.sameBackend(op, crowIndices, values);
        Checks.sameBackend(op, colIndices, values);
        checkTypes(op, crowIndices, colIndices, values, rows, cols);
        long[] crow = crowIndices.toLongArray();
        long[] col = colIndices.toLongArray();
        checkStructure(op, crow, col, cols);
        int nnz = col.length;
        Tensor crowCopy = crowIndices.copy().withValueRange(0, nnz);
        Tensor colCopy = colIndices.copy().withValueRange(0, cols - 1L);
        Tensor rowIndex = upload(rowsOfEntries(crow, nnz), rows, values.backend());
        return new SparseCsr(crowCopy, colCopy, rowIndex, values, rows, cols, List.of(crowCopy::close, colCopy::close, rowIndex::close));
    }

    private static void checkTypes(String op, Tensor crowIndices, Tensor colIndices, Tensor values, int rows,
                                   int cols) {
        if (crowIndices.dtype() != DType.I64 || colIndices.dtype() != DType.I64) {
            throw new IllegalArgumentException(op + ": crow_indices and col_indices must be I64, got "
                    + crowIndices.dtype() + " and " + colIndices.dtype());
        }
        if (!values.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": values must be F32 or F64, got " + values.dtype());
        }
        if (crowIndices.rank() != 1 || colIndices.rank() != 1 || values.rank() != 1) {
            throw new IllegalArgumentException(op + ": crow_indices, col_indices and values must be 1-D, got "
                    + crowIndices.shape() + ", " + colIndices.shape() + " and " + values.shape());
        }
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException(op + ": size [" + rows + ", " + cols + "] must not be negative");
        }
        if (crowIndices.dim(0) != rows + 1) {
            throw new IllegalArgumentException(op + ": crow_indices.shape[-1] must be equal to the number of rows + 1"
                    + " (=" + (rows + 1) + "), but got " + crowIndices.dim(0));
        }
        if (colIndices.dim(0) != values.dim(0)) {
            throw new IllegalArgumentException(op + ": col_indices.shape[-1] must be equal to nnz (=" + values.dim(0)
                    + ") as defined by values.shape[0], but got " + colIndices.dim(0));
        }
    }

    /** PyTorch's invariants of compressed rows, each refusal naming the row or entry that breaks it. */
    private static void checkStructure(String op, long[] crow, long[] col, int cols) {
        int nnz = col.length;
        if (crow[0] != 0) {
            throw new IllegalArgumentException(op + ": `crow_indices[..., 0] == 0` is not satisfied: got " + crow[0]);
        }
        if (crow[crow.length - 1] != nnz) {
            throw new IllegalArgumentException(op + ": `crow_indices[..., -1] == nnz` is not satisfied: got "
                    + crow[crow.length - 1] + " for nnz " + nnz);
        }
        for (int i = 0; i + 1 < crow.length; i++) {
            if (crow[i + 1] < crow[i] || crow[i + 1] - crow[i] > cols) {
                throw new IllegalArgumentException(op + ": `0 <= crow_indices[..., 1:] - crow_indices[..., :-1] <= "
                        + "ncols` is not satisfied: row " + i + " runs from " + crow[i] + " to " + crow[i + 1]
                        + " with ncols " + cols);
            }
        }
        for (int i = 0; i + 1 < crow.length; i++) {
            for (int j = (int) crow[i]; j < crow[i + 1]; j++) {
                if (col[j] < 0 || col[j] >= cols) {
                    throw new IllegalArgumentException(op + ": `0 <= col_indices < ncols` is not satisfied: column "
                            + col[j] + " of entry " + j + " (row " + i + ") for ncols " + cols);
                }
                if (j > crow[i] && col[j] <= col[j - 1]) {
                    throw new IllegalArgumentException(op + ": col_indices of each row must be sorted and distinct,"
                            + " as PyTorch's are: row " + i + " has column " + col[j - 1] + " then " + col[j]
                            + " (entries " + (j - 1) + " and " + j + ")");
                }
            }
        }
    }

    /** The row of each of the nnz entries that compressed rows {@code crow} describe. */
    private static long[] rowsOfEntries(long[] crow, int nnz) {
        long[] row = new long[nnz];
        for (int i = 0; i + 1 < crow.length; i++) {
            for (int j = (int) crow[i]; j < crow[i + 1]; j++) {
                row[j] = i;
            }
        }
        return row;
    }

    /** An I64 tensor of {@code data} on {@code backend}, its values known to lie in [0, size). */
    static Tensor upload(long[] data, int size, Backend backend) {
        Tensor t = Tensor.empty(Shape.of(data.length), DType.I64, backend);
        backend.copyFromHost(LongBuffer.wrap(data), t);
        return t.withValueRange(0, size - 1L);
    }

    /**
     * {@code dense} [rows, cols] (F32 or F64) in compressed rows, its non-zero elements in row-major order (PyTorch's
     * {@code dense.to_sparse_csr()}); the positions are read on the host. The values are gathered from dense, so
     * gradients flow back to it (PyTorch 1.13 has no backward for {@code to_sparse_csr}).
     *
     * @throws IllegalArgumentException when dense is not a floating matrix
     */
    public static SparseCsr fromDense(Tensor dense) {
        String op = "SparseCsr.fromDense";
        Checks.open(op, dense);
        if (dense.rank() != 2 || !dense.dtype().isFloating()) {
            throw new IllegalArgumentException(op + ": dense must be an F32 or F64 matrix [rows, cols], got "
                    + dense.dtype() + " " + dense.shape());
        }
        long[] positions;
        try (Tensor nonzero = dense.nonzero()) {
            positions = nonzero.toLongArray();
        }
        int rows = dense.dim(0);
        int cols = dense.dim(1);
        int nnz = positions.length / 2;
        long[] row = new long[nnz];
        long[] col = new long[nnz];
        long[] flat = new long[nnz];
        for (int j = 0; j < nnz; j++) {
            row[j] = positions[2 * j];
            col[j] = positions[2 * j + 1];
            flat[j] = row[j] * cols + col[j];
        }
        Backend backend = dense.backend();
        Tensor rowIndex = upload(row, rows, backend);
        Tensor colIndex = upload(col, cols, backend);
        Tensor flatIndex = upload(flat, rows * cols, backend);
        Tensor flatDense = dense.reshape(rows * cols);
        Tensor values = flatDense.indexSelect(0, flatIndex);
        Tensor crow = upload(compress(row, rows), nnz + 1, backend);
        // The flat view and index stay with the values: their backward pass reads them.
        return new SparseCsr(crow, colIndex, rowIndex, values, rows, cols, List.of(crow::close, colIndex::close,
                rowIndex::close, values::close, flatIndex::close, flatDense::close));
    }

    /** The compressed rows [rows + 1] of entries whose rows, {@code row}, do not decrease. */
    static long[] compress(long[] row, int rows) {
        long[] crow = new long[rows + 1];
        for (long r : row) {
            crow[(int) r + 1]++;
        }
        for (int i = 0; i < rows; i++) {
            crow[i + 1] += crow[i];
        }
        return crow;
    }

    /**
     * {@code coo} in compressed rows (PyTorch's {@code coo.to_sparse_csr()}): coalesced first, repeated positions
     * summed; the gradient of the values flows back to coo's.
     */
    public static SparseCsr fromCoo(SparseCoo coo) {
        SparseCoo coalesced = coo.coalesce();
        long[] row = coalesced.rowIndex().toLongArray();
        Tensor crow = upload(compress(row, coo.rows()), row.length + 1, coalesced.values().backend());
        List<Runnable> owned = new ArrayList<>(List.of(crow::close));
        if (coalesced != coo) {
            owned.add(coalesced::close);
        }
        return new SparseCsr(crow, coalesced.colIndex(), coalesced.rowIndex(), coalesced.values(), coo.rows(),
                coo.cols(), owned);
    }

    /**
     * The matrix of these parts (in range and consistent, their ranges recorded), {@code owned} closing what its
     * maker made for it.
     */
    static SparseCsr assembled(Tensor crowIndices, Tensor colIndices, Tensor rowIndex, Tensor values, int rows,
                               int cols, List<Runnable> owned) {
        return new SparseCsr(crowIndices, colIndices, rowIndex, values, rows, cols, owned);
    }

    /** The number of rows. */
    public int rows() {
        return rows;
    }

    /** The number of columns. */
    public int cols() {
        return cols;
    }

    /** The number of stored entries (PyTorch's {@code _nnz()}). */
    public int nnz() {
        return values.dim(0);
    }

    /** Where each row's entries begin [rows + 1] (I64), the last being nnz (PyTorch's {@code crow_indices()}). */
    public Tensor crowIndices() {
        return crowIndices;
    }

    /** The column of each entry [nnz] (I64), increasing within a row (PyTorch's {@code col_indices()}). */
    public Tensor colIndices() {
        return colIndices;
    }

    /** The stored values [nnz] (PyTorch's {@code values()}). */
    public Tensor values() {
        return values;
    }

    /** The row of each entry [nnz] (I64), its range recorded. */
    Tensor rowIndex() {
        return rowIndex;
    }

    /** The dense matrix [rows, cols] of the values' dtype (PyTorch's {@code to_dense}); gradients flow to the values. */
    public Tensor toDense() {
        return values.fullLike(0, Shape.of(rows, cols)).indexPut(List.of(rowIndex, colIndices), values, true);
    }

    /**
     * This matrix in coordinate form, coalesced, sharing its indices and values (PyTorch's {@code to_sparse()}); it
     * lives as long as this one.
     */
    public SparseCoo toSparseCoo() {
        return SparseCoo.assembled(rowIndex, colIndices, values, rows, cols, true, List.of());
    }

    /** Closes what this matrix made; not the tensors given to {@link #of}. Closing twice does nothing more. */
    @Override
    public void close() {
        owned.forEach(Runnable::run);
    }

    @Override
    public String toString() {
        return "SparseCsr[" + rows + ", " + cols + "] nnz=" + nnz() + " " + values.dtype();
    }
}
