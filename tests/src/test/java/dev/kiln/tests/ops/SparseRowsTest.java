package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.SparseRows;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SparseRows}, PyTorch's hybrid COO tensor of one sparse and one dense dimension: coalesce and toDense against
 * PyTorch 1.13's values for {@code torch.sparse_coo_tensor([[2, 0, 2, 1]], values, (4, 2))}, their gradients against
 * finite differences in F64 (a repeated row included), and the refusals.
 */
class SparseRowsTest {
    /** Rows of a [4, 2] tensor: row 2 twice, row 3 never. */
    private static final long[] ROWS = {2, 0, 2, 1};
    private static final double[] VALUES = {0.7, -1.3, 0.4, 2.1, -0.6, 1.5, 0.2, 0.3};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static SparseRows rows(Tensor values) {
        return SparseRows.of(Tensor.fromArray(ROWS, 1, 4), values, 4);
    }

    @Test
    void coalesceSumsRepeatedRowsAndSortsThemAsPyTorch() {
        SparseRows s = rows(Tensor.fromArray(VALUES, 4, 2));
        assertFalse(s.isCoalesced());
        assertEquals(4, s.nnz());
        assertEquals(1, s.sparseDim());
        assertEquals(1, s.denseDim());
        SparseRows c = s.coalesce();
        assertTrue(c.isCoalesced());
        assertSame(c, c.coalesce());
        assertArrayEquals(new long[] {0, 1, 2}, c.indices().toLongArray());
        assertArrayEquals(new double[] {0.4, 2.1, 0.2, 0.3, 0.1, 0.2}, c.values().toDoubleArray(), 1e-15);
        assertArrayEquals(new double[] {0.4, 2.1, 0.2, 0.3, 0.1, 0.2, 0, 0}, s.toDense().toDoubleArray(), 1e-15);
        assertEquals("[4, 2]", s.shape().toString());
    }

    @Test
    void coalesceAndToDenseGradientsMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 4, 2).requiresGrad(true);
        GradCheck.check("SparseRows.coalesce", in -> rows(in[0]).coalesce().values(), values);
        GradCheck.check("SparseRows.toDense", in -> rows(in[0]).toDense(), values);
    }

    @Test
    void withValuesKeepsTheRowsAndValuesInGathersThem() {
        SparseRows c = rows(Tensor.fromArray(VALUES, 4, 2)).coalesce();
        SparseRows doubled = c.withValues(c.values().mul(2));
        assertTrue(doubled.isCoalesced());
        assertArrayEquals(new double[] {0.8, 4.2, 0.4, 0.6, 0.2, 0.4, 0, 0}, doubled.toDense().toDoubleArray(), 1e-15);
        Tensor dense = Tensor.fromArray(new double[] {1, 2, 3, 4, 5, 6, 7, 8}, 4, 2);
        assertArrayEquals(new double[] {1, 2, 3, 4, 5, 6}, c.valuesIn(dense).toDoubleArray(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> c.withValues(Tensor.zeros(DType.F64, 2, 2)));
        assertTrue(e.getMessage().contains("[3, 2]") && e.getMessage().contains("[2, 2]"), e.getMessage());
    }

    /** PyTorch: "t() expects a tensor with <= 2 sparse and 0 dense dimensions, but got 1 sparse and 1 dense". */
    @Test
    void transposeIsRefusedAsInPyTorch() {
        SparseRows s = rows(Tensor.fromArray(VALUES, 4, 2));
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, s::transpose);
        assertTrue(e.getMessage().contains("1 sparse and 1 dense"), e.getMessage());
    }

    @Test
    void ofRefusesBadIndicesAndValues() {
        Tensor values = Tensor.fromArray(VALUES, 4, 2);
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class,
                () -> SparseRows.of(Tensor.fromArray(new long[] {0, 4, 1, 2}, 1, 4), values, 4));
        assertTrue(range.getMessage().contains("4") && range.getMessage().contains("[0, 4)"), range.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> SparseRows.of(Tensor.fromArray(ROWS, 2, 2), values, 4));
        assertTrue(shape.getMessage().contains("[1, nnz]") && shape.getMessage().contains("[2, 2]"),
                shape.getMessage());
        IllegalArgumentException count = assertThrows(IllegalArgumentException.class,
                () -> SparseRows.of(Tensor.fromArray(ROWS, 1, 4), Tensor.zeros(DType.F64, 3, 2), 4));
        assertTrue(count.getMessage().contains("[4, cols]") && count.getMessage().contains("[3, 2]"),
                count.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SparseRows.of(Tensor.fromArray(new int[] {0, 1, 2, 3}, 1, 4), values, 4));
    }
}
