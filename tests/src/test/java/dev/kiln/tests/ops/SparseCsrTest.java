package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Sparse;
import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.SparseCsr;
import dev.kiln.engine.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * {@link SparseCsr}, {@link Sparse#mm(SparseCsr, Tensor)}, {@link Sparse#addmm} and the sparse x sparse products:
 * gradients against finite differences in F64, structure, and the refusals in PyTorch's words. PyTorch's values are
 * {@link SparseCsrPyTorchParityTest}'s.
 */
class SparseCsrTest {
    /** A [3, 4] matrix of five entries, row 1 empty: (0, 1), (0, 3), (2, 0), (2, 2), (2, 3). */
    private static final long[] CROW = {0, 2, 2, 5};
    private static final long[] COL = {1, 3, 0, 2, 3};
    private static final double[] VALUES = {0.7, -1.3, 0.4, 2.1, -0.6};
    /** A [4, 2] in coordinate form with a repeated position, for the sparse x sparse products. */
    private static final long[] B_INDICES = {3, 0, 1, 3, 2, 1, 0, 1, 0, 1};
    private static final double[] B_VALUES = {0.9, -0.2, 1.4, 0.3, -0.8};

    private Scope scope;

    @BeforeEach
    void openScope() {
        scope = Scope.open();
    }

    @AfterEach
    void closeScope() {
        scope.close();
    }

    private static SparseCsr matrix(Tensor values) {
        return SparseCsr.of(Tensor.fromArray(CROW, 4), Tensor.fromArray(COL, 5), values, 3, 4);
    }

    private static SparseCoo other(Tensor values) {
        return SparseCoo.of(Tensor.fromArray(B_INDICES, 2, 5), values, 4, 2);
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
    void productAndAddmmGradientsMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        Tensor dense = uniform(1, 4, 3).requiresGrad(true);
        GradCheck.check("Sparse.mm of a CSR", in -> Sparse.mm(matrix(in[0]), in[1]), values, dense);
        Tensor input = uniform(2, 3, 1).requiresGrad(true);
        GradCheck.check("Sparse.addmm of a CSR", in -> Sparse.addmm(in[2], matrix(in[0]), in[1], 0.5, -2), values,
                dense, input);
    }

    @Test
    void productSecondDerivativesMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        Tensor dense = uniform(3, 4, 2).requiresGrad(true);
        DoubleBackwardTest.checkSecondOrder("Sparse.mm of a CSR", in -> Sparse.mm(matrix(in[0]), in[1]), values,
                dense);
    }

    @Test
    void conversionsAndToDenseGradientsMatchFiniteDifferences() {
        Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        GradCheck.check("SparseCsr.toDense", in -> matrix(in[0]).toDense(), values);
        // The mask keeps the zeros zero under the finite differences' steps: the pattern depends on the values.
        Tensor mask = matrix(Tensor.ones(DType.F64, 5)).toDense();
        Tensor dense = uniform(6, 3, 4).requiresGrad(true);
        GradCheck.check("SparseCsr.fromDense", in -> SparseCsr.fromDense(in[0].mul(mask)).values(), dense);
        Tensor cooValues = Tensor.fromArray(B_VALUES, 5).requiresGrad(true);
        GradCheck.check("SparseCoo.toSparseCsr", in -> other(in[0]).toSparseCsr().values(), cooValues);
    }

    @Test
    void sparseTimesSparseGradientsMatchFiniteDifferences() {
        Tensor a = Tensor.fromArray(VALUES, 5).requiresGrad(true);
        Tensor b = Tensor.fromArray(B_VALUES, 5).requiresGrad(true);
        GradCheck.check("Sparse.mm of COO and COO", in -> Sparse.mm(matrix(in[0]).toSparseCoo(), other(in[1]))
                .values(), a, b);
        GradCheck.check("Sparse.mm of CSR and CSR", in -> Sparse.mm(matrix(in[0]), other(in[1]).toSparseCsr())
                .values(), a, b);
        DoubleBackwardTest.checkSecondOrder("Sparse.mm of COO and COO", in -> Sparse.mm(matrix(in[0])
                .toSparseCoo(), other(in[1])).toDense(), a, b);
    }

    @Test
    void productsEqualTheDenseProducts() {
        SparseCsr a = matrix(Tensor.fromArray(VALUES, 5));
        Tensor dense = uniform(4, 4, 6);
        assertArrayEquals(a.toDense().matmul(dense).toDoubleArray(), Sparse.mm(a, dense).toDoubleArray(), 1e-15);
        SparseCoo b = other(Tensor.fromArray(B_VALUES, 5));
        double[] expected = a.toDense().matmul(b.toDense()).toDoubleArray();
        assertArrayEquals(expected, Sparse.mm(a.toSparseCoo(), b).toDense().toDoubleArray(), 1e-15);
        assertArrayEquals(expected, Sparse.mm(a, b.toSparseCsr()).toDense().toDoubleArray(), 1e-15);
        Tensor a32 = a.values().to(DType.F32);
        Tensor dense32 = dense.to(DType.F32);
        assertArrayEquals(a.toDense().matmul(dense).toFloatArray(), Sparse.mm(matrix(a32), dense32).toFloatArray(),
                1e-6f);
    }

    /** The entries are structural, as PyTorch's: (0, 0) of [[1, 1]] times [[1], [-1]] holds an explicit 0. */
    @Test
    void aProductWhoseTermsCancelKeepsItsEntry() {
        SparseCoo a = SparseCoo.of(Tensor.fromArray(new long[] {0, 0, 0, 1}, 2, 2), Tensor.fromArray(
                new double[] {1, 1}, 2), 1, 2);
        SparseCoo b = SparseCoo.of(Tensor.fromArray(new long[] {0, 1, 0, 0}, 2, 2), Tensor.fromArray(
                new double[] {1, -1}, 2), 2, 1);
        SparseCoo out = Sparse.mm(a, b);
        assertTrue(out.isCoalesced());
        assertArrayEquals(new long[] {0, 0}, out.indices().toLongArray());
        assertArrayEquals(new double[] {0}, out.values().toDoubleArray());
    }

    @Test
    void conversionsKeepTheStructure() {
        SparseCsr a = matrix(Tensor.fromArray(VALUES, 5));
        SparseCsr back = SparseCsr.fromDense(a.toDense());
        assertArrayEquals(CROW, back.crowIndices().toLongArray());
        assertArrayEquals(COL, back.colIndices().toLongArray());
        assertArrayEquals(VALUES, back.values().toDoubleArray(), 0);
        SparseCoo coo = a.toSparseCoo();
        assertArrayEquals(new long[] {0, 0, 2, 2, 2, 1, 3, 0, 2, 3}, coo.indices().toLongArray());
        SparseCsr fromCoo = coo.toSparseCsr();
        assertArrayEquals(CROW, fromCoo.crowIndices().toLongArray());
        assertArrayEquals(COL, fromCoo.colIndices().toLongArray());
        SparseCsr empty = SparseCsr.fromDense(Tensor.zeros(DType.F32, 2, 3));
        assertEquals(0, empty.nnz());
        assertArrayEquals(new long[] {0, 0, 0}, empty.crowIndices().toLongArray());
        assertArrayEquals(new float[10], Sparse.mm(empty, Tensor.ones(DType.F32, 3, 5)).toFloatArray());
    }

    @Test
    void badInputsAreRefusedInPyTorchsWords() {
        Tensor v = Tensor.ones(DType.F32, 5);
        Tensor col = Tensor.fromArray(COL, 5);
        assertEquals("SparseCsr.of: `crow_indices[..., 0] == 0` is not satisfied: got 1",
                refusal(() -> SparseCsr.of(Tensor.fromArray(new long[] {1, 2, 2, 5}, 4), col, v, 3, 4)));
        assertEquals("SparseCsr.of: `crow_indices[..., -1] == nnz` is not satisfied: got 4 for nnz 5",
                refusal(() -> SparseCsr.of(Tensor.fromArray(new long[] {0, 2, 2, 4}, 4), col, v, 3, 4)));
        assertEquals("SparseCsr.of: `0 <= crow_indices[..., 1:] - crow_indices[..., :-1] <= ncols` is not satisfied:"
                + " row 1 runs from 3 to 2 with ncols 4",
                refusal(() -> SparseCsr.of(Tensor.fromArray(new long[] {0, 3, 2, 5}, 4), col, v, 3, 4)));
        assertEquals("SparseCsr.of: `0 <= col_indices < ncols` is not satisfied: column 4 of entry 1 (row 0) for"
                + " ncols 4", refusal(() -> SparseCsr.of(Tensor.fromArray(CROW, 4),
                        Tensor.fromArray(new long[] {1, 4, 0, 2, 3}, 5), v, 3, 4)));
        assertEquals("SparseCsr.of: col_indices of each row must be sorted and distinct, as PyTorch's are: row 2 has"
                + " column 2 then 2 (entries 3 and 4)", refusal(() -> SparseCsr.of(Tensor.fromArray(CROW, 4),
                        Tensor.fromArray(new long[] {1, 3, 0, 2, 2}, 5), v, 3, 4)));
        assertEquals("SparseCsr.of: crow_indices.shape[-1] must be equal to the number of rows + 1 (=4), but got 5",
                refusal(() -> SparseCsr.of(Tensor.fromArray(new long[] {0, 2, 2, 5, 5}, 5), col, v, 3, 4)));
        assertEquals("SparseCsr.of: col_indices.shape[-1] must be equal to nnz (=4) as defined by values.shape[0],"
                + " but got 5", refusal(() -> SparseCsr.of(Tensor.fromArray(CROW, 4), col,
                        Tensor.ones(DType.F32, 4), 3, 4)));
        assertEquals("SparseCsr.of: crow_indices and col_indices must be I64, got F32 and I64",
                refusal(() -> SparseCsr.of(Tensor.fromArray(CROW, 4).to(DType.F32), col, v, 3, 4)));
        SparseCsr a = SparseCsr.of(Tensor.fromArray(CROW, 4), col, v, 3, 4);
        assertEquals("Sparse.mm: dense must be [4, k] for sparse [3, 4], got [3, 2]",
                refusal(() -> Sparse.mm(a, Tensor.ones(DType.F32, 3, 2))));
        assertEquals("Sparse.addmm: input must broadcast to [3, 2] in F32, got F32 [2, 2]",
                refusal(() -> Sparse.addmm(Tensor.ones(DType.F32, 2, 2), a, Tensor.ones(DType.F32, 4, 2), 1, 1)));
        assertEquals("Sparse.mm: b must be [4, k] for a [3, 4], got [3, 4]", refusal(() -> Sparse.mm(a, a)));
        assertEquals("Sparse.mm: b's values must be F32 as a's, got F64", refusal(() -> Sparse.mm(a.toSparseCoo(),
                other(Tensor.fromArray(B_VALUES, 5)))));
    }

    /** beta 0 ignores the input, NaNs included, as PyTorch's addmm. */
    @Test
    void addmmWithBetaZeroIgnoresTheInput() {
        SparseCsr a = matrix(Tensor.fromArray(VALUES, 5));
        Tensor dense = uniform(5, 4, 2);
        Tensor nan = Tensor.fromArray(new double[] {Double.NaN, Double.NaN}, 1, 2);
        assertArrayEquals(Sparse.mm(a, dense).mul(3).toDoubleArray(), Sparse.addmm(nan, a, dense, 0, 3)
                .toDoubleArray(), 1e-15);
    }

    /**
     * Matrices made outside every scope give back all they made when closed: the index copies and row index of of(),
     * what fromDense() and toSparseCsr() made, and a product's result with its temporaries.
     */
    @Test
    void matricesMadeOutsideEveryScopeGiveTheirMemoryBackWhenClosed() {
        Scope.outside(() -> {
            BytesInUse.settle();
            long before = Engine.get().backend().bytesInUse();
            Tensor crow = Tensor.fromArray(CROW, 4);
            Tensor col = Tensor.fromArray(COL, 5);
            Tensor values = Tensor.fromArray(VALUES, 5).requiresGrad(true);
            Tensor dense = Tensor.fromArray(VALUES, 5, 1);
            Tensor bIndices = Tensor.fromArray(B_INDICES, 2, 5);
            try (SparseCsr a = SparseCsr.of(crow, col, values, 3, 4); SparseCsr d = SparseCsr.fromDense(dense);
                 SparseCoo b = SparseCoo.of(bIndices, values, 4, 2); SparseCsr bc = b.toSparseCsr();
                 SparseCsr p = Sparse.mm(a, bc)) {
                assertEquals(5, d.nnz());
                assertEquals(3, p.rows());
            }
            for (Tensor t : new Tensor[] {crow, col, values, dense, bIndices}) {
                t.close();
            }
            assertEquals(before, Engine.get().backend().bytesInUse());
            return null;
        });
    }

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    /**
     * beta 0 still gives the input a gradient, of zeros, as PyTorch's addmm (grad * beta): an optimizer then steps it
     * (momentum, weight decay) as PyTorch's would, where a missing gradient would skip it. Its NaNs stay ignored.
     */
    @Test
    void addmmWithBetaZeroGivesTheInputAZeroGradient() {
        SparseCsr a = matrix(Tensor.fromArray(VALUES, 5));
        Tensor dense = uniform(7, 4, 2);
        Tensor input = Tensor.fromArray(new double[] {Double.NaN, 1}, 1, 2).requiresGrad(true);
        Tensor out = Sparse.addmm(input, a, dense, 0, 2);
        assertArrayEquals(Sparse.mm(a, dense).mul(2).toDoubleArray(), out.toDoubleArray(), 1e-15);
        out.sum().backward();
        assertArrayEquals(new double[] {0, 0}, input.grad().toDoubleArray(), 0);
        Tensor cooInput = Tensor.ones(DType.F64, 3, 1).requiresGrad(true);
        Sparse.addmm(cooInput, a.toSparseCoo(), dense, 0, 1).sum().backward();
        assertArrayEquals(new double[] {0, 0, 0}, cooInput.grad().toDoubleArray(), 0);
    }
}
