package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Sparse;
import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link SparseCoo} and {@link Sparse#mm}: gradients against finite differences in F64 (repeated positions included),
 * the structure of coalesce, transpose and empty matrices, and the refusals. PyTorch's values are
 * {@link SparsePyTorchParityTest}'s.
 */
class SparseCooTest {
    /** A [3, 4] matrix of five entries, two at position (2, 1), unsorted. */
    private static final long[] INDICES = {2, 0, 2, 1, 0, 1, 3, 1, 0, 2};
    private static final double[] VALUES = {0.7, -1.3, 0.4, 2.1, -0.6};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static SparseCoo matrix(Tensor values) {
        return SparseCoo.of(Tensor.fromArray(INDICES, 2, 5), values, 3, 4);
    }

    private static Tensor uniform(long seed, int... dims) {
        java.util.Random r = new java.util.Random(seed);
        double[] v = new double[java.util.Arrays.stream(dims).reduce(1, (a, b) -> a * b)];
        for (int i = 0; i < v.length; i++) {
            v[i] = r.nextDouble() * 2 - 1;
        }
        return Tensor.fromArray(v, dims);
    }

    @Test
    void productGradientsMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        Tensor dense = uniform(1, 4, 3).requiresGrad(true);
        GradCheck.check("Sparse.mm", in -> Sparse.mm(matrix(in[0]), in[1]), values, dense);
        Tensor denseT = uniform(2, 3, 2).requiresGrad(true);
        GradCheck.check("Sparse.mm of the transpose", in -> Sparse.mm(matrix(in[0]).transpose(), in[1]), values,
                denseT);
    }

    /** The product is bilinear: each input's gradient depends on the other, through the recorded backward. */
    @Test
    void productSecondDerivativesMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        Tensor dense = uniform(3, 4, 2).requiresGrad(true);
        DoubleBackwardTest.checkSecondOrder("Sparse.mm", in -> Sparse.mm(matrix(in[0]), in[1]), values, dense);
    }

    @Test
    void coalesceAndToDenseGradientsMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        GradCheck.check("SparseCoo.coalesce", in -> matrix(in[0]).coalesce().values(), values);
        GradCheck.check("SparseCoo.toDense", in -> matrix(in[0]).toDense(), values);
    }

    @Test
    void productEqualsTheDenseProduct() {
        SparseCoo a = matrix(Tensor.fromArray(VALUES, 5));
        Tensor dense = uniform(4, 4, 6);
        assertArrayEquals(a.toDense().matmul(dense).toDoubleArray(), Sparse.mm(a, dense).toDoubleArray(), 1e-15);
    }

    @Test
    void coalesceSortsAndSumsRepeatedPositions() {
        SparseCoo a = matrix(Tensor.fromArray(VALUES, 5));
        assertFalse(a.isCoalesced());
        assertEquals(5, a.nnz());
        SparseCoo c = a.coalesce();
        assertTrue(c.isCoalesced());
        assertSame(c, c.coalesce());
        assertEquals(4, c.nnz());
        assertArrayEquals(new long[] {0, 0, 1, 2, 2, 3, 0, 1}, c.indices().toLongArray());
        assertArrayEquals(new double[] {-0.6, -1.3, 2.1, 1.1}, c.values().toDoubleArray(), 1e-15);
        assertArrayEquals(a.toDense().toDoubleArray(), c.toDense().toDoubleArray(), 1e-15);
    }

    @Test
    void transposeSwapsTheAxes() {
        SparseCoo t = matrix(Tensor.fromArray(VALUES, 5)).transpose();
        assertEquals(4, t.rows());
        assertEquals(3, t.cols());
        assertFalse(t.isCoalesced());
        assertArrayEquals(matrix(Tensor.fromArray(VALUES, 5)).toDense().transpose(0, 1).toDoubleArray(),
                t.toDense().toDoubleArray(), 0);
        assertArrayEquals(new long[] {0, 1, 2, 3, 1, 2, 0, 0}, t.coalesce().indices().toLongArray());
    }

    @Test
    void anEmptyMatrixGivesZeros() {
        SparseCoo a = SparseCoo.of(Tensor.zeros(DType.I64, 2, 0), Tensor.zeros(DType.F32, 0), 3, 2);
        assertEquals(0, a.coalesce().nnz());
        assertArrayEquals(new float[6], a.toDense().toFloatArray());
        Tensor out = Sparse.mm(a, Tensor.ones(DType.F32, 2, 5));
        assertArrayEquals(new int[] {3, 5}, out.shape().dims());
        assertArrayEquals(new float[15], out.toFloatArray());
    }

    @Test
    void indicesFromABackendTensorAreCheckedToo() {
        Tensor indices = Tensor.fromArray(new double[] {0, 1, 1, 2}, 2, 2).to(DType.I64);
        assertEquals("SparseCoo.of: column index 2 of entry 1 is out of range [0, 2) for size [2, 2]",
                refusal(() -> SparseCoo.of(indices, Tensor.ones(DType.F32, 2), 2, 2)));
    }

    @Test
    void badInputsAreRefusedNamingExpectedAndActual() {
        Tensor v = Tensor.ones(DType.F32, 5);
        Tensor idx = Tensor.fromArray(INDICES, 2, 5);
        assertEquals("SparseCoo.of: row index 3 of entry 2 is out of range [0, 3) for size [3, 4]",
                refusal(() -> SparseCoo.of(Tensor.fromArray(new long[] {2, 0, 3, 1, 0, 1, 3, 1, 0, 2}, 2, 5), v,
                        3, 4)));
        assertEquals("SparseCoo.of: column index -1 of entry 0 is out of range [0, 4) for size [3, 4]",
                refusal(() -> SparseCoo.of(Tensor.fromArray(new long[] {2, 0, 2, 1, 0, -1, 3, 1, 0, 2}, 2, 5), v,
                        3, 4)));
        assertEquals("SparseCoo.of: indices must be I64, got F32",
                refusal(() -> SparseCoo.of(idx.to(DType.F32), v, 3, 4)));
        assertEquals("SparseCoo.of: indices must be [2, nnz], got [10]",
                refusal(() -> SparseCoo.of(idx.reshape(10), v, 3, 4)));
        assertEquals("SparseCoo.of: values must be [nnz], got [5, 1]",
                refusal(() -> SparseCoo.of(idx, v.reshape(5, 1), 3, 4)));
        assertEquals("SparseCoo.of: values must be [5] for indices [2, 5], got [4]",
                refusal(() -> SparseCoo.of(idx, Tensor.ones(DType.F32, 4), 3, 4)));
        assertEquals("SparseCoo.of: values must be F32 or F64, got I64",
                refusal(() -> SparseCoo.of(idx, Tensor.ones(DType.I64, 5), 3, 4)));
        SparseCoo a = SparseCoo.of(idx, v, 3, 4);
        assertEquals("Sparse.mm: dense must be [4, k] for sparse [3, 4], got [3, 2]",
                refusal(() -> Sparse.mm(a, Tensor.ones(DType.F32, 3, 2))));
        assertEquals("Sparse.mm: dense must be F32 as the sparse values, got F64",
                refusal(() -> Sparse.mm(a, Tensor.ones(DType.F64, 4, 2))));
    }

    /**
     * A matrix made outside every scope (a graph built once, before the training steps) gives back all it made when
     * closed: its index copies, coalesce's sums, and at once the views and keys of() and coalesce() read; a transpose
     * shares its matrix's indices and closes nothing of them.
     */
    @Test
    void aMatrixMadeOutsideEveryScopeGivesItsMemoryBackWhenClosed() {
        Scope.outside(() -> {
            BytesInUse.settle();
            long before = Engine.get().backend().bytesInUse();
            Tensor indices = Tensor.fromArray(INDICES, 2, 5);
            Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
            try (SparseCoo a = SparseCoo.of(indices, values, 3, 4); SparseCoo c = a.coalesce();
                 SparseCoo t = a.transpose()) {
                assertEquals(4, c.nnz());
                assertEquals(3, t.cols());
            }
            indices.close();
            values.close();
            assertEquals(before, Engine.get().backend().bytesInUse());
            return null;
        });
    }

    /**
     * A matrix whose index copies were closed (by its scope's end, or by close()) is refused by name, F32 and F64,
     * rather than read from freed memory; the values and the dense operand are still open.
     */
    @Test
    void aMatrixWhoseIndicesWereClosedIsRefused() {
        Tensor indices = Tensor.fromArray(INDICES, 2, 5);
        for (DType dtype : new DType[] {DType.F32, DType.F64}) {
            Tensor values = Tensor.ones(dtype, 5);
            Tensor dense = Tensor.ones(dtype, 4, 2);
            SparseCoo a;
            try (Scope inner = Scope.open()) {
                a = SparseCoo.of(indices, values, 3, 4);
            }
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> Sparse.mm(a, dense));
            assertTrue(e.getMessage().startsWith("Sparse.mm: tensor [5] I64 is closed"), e.getMessage());
        }
    }

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }
}
