"""Prints SparseCsrPyTorchParityTest: PyTorch 1.13's compressed sparse rows and sparse x sparse products, in F32 and
F64. A dense [4, 5] with zeros (row 1 empty) and the uncoalesced [4, 5] of sparse_mm.py (unsorted, repeated
positions) through to_sparse_csr(): crow_indices, col_indices, values, to_dense(). torch.sparse.mm of the CSR leaf
with a dense [5, 3] and torch.sparse.addmm(input [1, 3], csr, dense, beta=0.5, alpha=-1.5), with the gradients of a
weighted sum to the dense operand, the input and the CSR leaf (its gradient's values, on its pattern).
torch.sparse.mm of the uncoalesced COO [4, 5] (values through sparse_coo_tensor) and a COO [5, 3] with a repeated
position: the result's indices and values (each row's columns sorted, as Kiln's; PyTorch leaves them in its
accumulation's order) and the gradients of a weighted sum of its to_dense() to both values.
This PyTorch has no CSR x CSR product on the CPU (it needs MKL), so the CSR x CSR case compares with the COO product's
to_sparse_csr().
"""
import torch

torch.manual_seed(11)
DENSE_MATRIX = [[0.0, 1.5, 0.0, -0.5, 0.0], [0.0] * 5, [2.0, 0.0, 0.0, 0.0, 0.25], [0.0, -1.0, 3.0, 0.0, 0.75]]
INDICES = [[2, 0, 3, 2, 1, 0, 2, 3, 0], [1, 4, 0, 1, 1, 2, 1, 3, 4]]
B_INDICES = [[4, 0, 1, 3, 1, 2, 4, 0], [2, 1, 0, 2, 0, 1, 0, 0]]
VALUES = (torch.rand(9, dtype=torch.float64) * 4 - 2).tolist()
B_VALUES = (torch.rand(8, dtype=torch.float64) * 4 - 2).tolist()
OPERAND = (torch.rand(5, 3, dtype=torch.float64) * 2 - 1).tolist()
INPUT = (torch.rand(1, 3, dtype=torch.float64) * 2 - 1).tolist()
WEIGHTS = (torch.rand(4, 3, dtype=torch.float64) * 2 - 1).tolist()


def flat(rows):
    return [v for row in rows for v in row] if isinstance(rows[0], list) else rows


def java(values, dtype):
    parts = [repr(float(torch.tensor(v, dtype=dtype))) for v in flat(values)]
    lines, line = [], ""
    for p in parts:
        if len(line) + len(p) + 2 > 96:
            lines.append(line)
            line = ""
        line += p + ", "
    lines.append(line)
    return "\n                ".join(l.rstrip() for l in lines).rstrip(",")


def longs(values):
    return ", ".join(str(int(v)) for v in flat(values))


def csr_products(dtype):
    csr = torch.tensor(DENSE_MATRIX, dtype=dtype).to_sparse_csr()
    leaf = csr.detach().requires_grad_(True)
    dense = torch.tensor(OPERAND, dtype=dtype, requires_grad=True)
    out = torch.sparse.mm(leaf, dense)
    (out * torch.tensor(WEIGHTS, dtype=dtype)).sum().backward()
    items = [("MM", out.detach().tolist()), ("MM_DENSE_GRAD", dense.grad.tolist()),
             ("MM_VALUES_GRAD", leaf.grad.values().tolist())]
    leaf = csr.detach().requires_grad_(True)
    dense = torch.tensor(OPERAND, dtype=dtype, requires_grad=True)
    bias = torch.tensor(INPUT, dtype=dtype, requires_grad=True)
    out = torch.sparse.addmm(bias, leaf, dense, beta=0.5, alpha=-1.5)
    (out * torch.tensor(WEIGHTS, dtype=dtype)).sum().backward()
    grad = leaf.grad
    # The gradient of a CSR leaf through addmm is dense here; its values are those at the leaf's positions.
    pattern_grad = grad.values() if grad.layout == torch.sparse_csr else grad[csr.to_dense() != 0]
    items += [("ADDMM", out.detach().tolist()), ("ADDMM_DENSE_GRAD", dense.grad.tolist()),
              ("ADDMM_INPUT_GRAD", bias.grad.tolist()), ("ADDMM_VALUES_GRAD", pattern_grad.tolist())]
    return items


def coo_product(dtype):
    a_values = torch.tensor(VALUES, dtype=dtype, requires_grad=True)
    b_values = torch.tensor(B_VALUES, dtype=dtype, requires_grad=True)
    a = torch.sparse_coo_tensor(torch.tensor(INDICES), a_values, (4, 5))
    b = torch.sparse_coo_tensor(torch.tensor(B_INDICES), b_values, (5, 3))
    out = torch.sparse.mm(a, b)
    (out.to_dense() * torch.tensor(WEIGHTS, dtype=dtype)).sum().backward()
    # Flagged coalesced, but each row's columns come in the order of PyTorch's accumulation: sorted here, as Kiln's.
    indices = out.indices()
    order = torch.argsort(indices[0] * 3 + indices[1])
    csr = out.detach().to_sparse_csr()
    return indices[:, order].tolist(), csr.crow_indices().tolist(), [
        ("PRODUCT_VALUES", out.detach().values()[order].tolist()), ("PRODUCT_A_GRAD", a_values.grad.tolist()),
        ("PRODUCT_B_GRAD", b_values.grad.tolist())]


def constants(dtype):
    name = "F32" if dtype == torch.float32 else "F64"
    csr = torch.tensor(DENSE_MATRIX, dtype=dtype).to_sparse_csr()
    from_coo = torch.sparse_coo_tensor(torch.tensor(INDICES), torch.tensor(VALUES, dtype=dtype), (4, 5)) \
        .to_sparse_csr()
    indices, crow, product = coo_product(dtype)
    items = [("CSR_VALUES", csr.values().tolist()), ("CSR_DENSE", csr.to_dense().tolist()),
             ("FROM_COO_VALUES", from_coo.values().tolist()), ("FROM_COO_DENSE", from_coo.to_dense().tolist())]
    items += csr_products(dtype) + product
    entries = ",\n".join('            "%s", new double[] {\n                %s}' % (n, java(v, dtype)) for n, v in items)
    facts = (csr.crow_indices().tolist(), csr.col_indices().tolist(), from_coo.crow_indices().tolist(),
             from_coo.col_indices().tolist(), indices, crow)
    return "    private static final Map<String, double[]> %s = Map.ofEntries(\n%s);" % (
        name, entries.replace('            "', '            Map.entry("').replace('}', '})')), facts


f32, facts = constants(torch.float32)
f64, _ = constants(torch.float64)
csr_crow, csr_col, coo_crow, coo_col, product_indices, product_crow = facts

print('''package dev.kiln.tests.ops;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Sparse;
import dev.kiln.engine.SparseCoo;
import dev.kiln.engine.SparseCsr;
import dev.kiln.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Generated by models/src/test/pytorch/sparse_csr.py (PyTorch 1.13): compressed sparse rows from a dense [4, 5] and
 * from an uncoalesced COO, {@link Sparse#mm(SparseCsr, Tensor)} and {@link Sparse#addmm} with the gradients of a
 * weighted sum, and the sparse x sparse products (COO, and CSR against PyTorch's COO product in compressed rows) with
 * the gradients of both values; F32 to 1e-5 relative, F64 to 1e-12.
 */
class SparseCsrPyTorchParityTest {
    private static final double[] DENSE_MATRIX = {
                %s};
    private static final long[] INDICES = {%s};
    private static final long[] B_INDICES = {%s};
    private static final double[] VALUES = {
                %s};
    private static final double[] B_VALUES = {
                %s};
    private static final double[] OPERAND = {
                %s};
    private static final double[] INPUT = {
                %s};
    private static final double[] WEIGHTS = {
                %s};
    private static final long[] CSR_CROW = {%s};
    private static final long[] CSR_COL = {%s};
    private static final long[] FROM_COO_CROW = {%s};
    private static final long[] FROM_COO_COL = {%s};
    private static final long[] PRODUCT_INDICES = {%s};
    private static final long[] PRODUCT_CROW = {%s};
%s
%s

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void toSparseCsrFromDenseAndFromCooMatchesPyTorch(DType dtype) {
        try (Scope s = Scope.open()) {
            SparseCsr a = SparseCsr.fromDense(Tensor.fromArray(DENSE_MATRIX, 4, 5).to(dtype));
            assertArrayEquals(CSR_CROW, a.crowIndices().toLongArray(), "crow_indices");
            assertArrayEquals(CSR_COL, a.colIndices().toLongArray(), "col_indices");
            close(dtype, "values", expected(dtype, "CSR_VALUES"), a.values());
            close(dtype, "to dense", expected(dtype, "CSR_DENSE"), a.toDense());
            SparseCsr b = coo(VALUES, INDICES, 4, 5, dtype).toSparseCsr();
            assertArrayEquals(FROM_COO_CROW, b.crowIndices().toLongArray(), "crow_indices from COO");
            assertArrayEquals(FROM_COO_COL, b.colIndices().toLongArray(), "col_indices from COO");
            close(dtype, "values from COO", expected(dtype, "FROM_COO_VALUES"), b.values());
            close(dtype, "to dense from COO", expected(dtype, "FROM_COO_DENSE"), b.toDense());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void productAndAddmmAndTheirGradientsMatchPyTorch(DType dtype) {
        try (Scope s = Scope.open()) {
            SparseCsr a = leaf(dtype);
            Tensor dense = Tensor.fromArray(OPERAND, 5, 3).to(dtype).requiresGrad(true);
            Tensor out = Sparse.mm(a, dense);
            out.mul(Tensor.fromArray(WEIGHTS, 4, 3).to(dtype)).sum().backward();
            close(dtype, "mm", expected(dtype, "MM"), out);
            close(dtype, "mm dense gradient", expected(dtype, "MM_DENSE_GRAD"), dense.grad());
            close(dtype, "mm values gradient", expected(dtype, "MM_VALUES_GRAD"), a.values().grad());
        }
        try (Scope s = Scope.open()) {
            SparseCsr a = leaf(dtype);
            Tensor dense = Tensor.fromArray(OPERAND, 5, 3).to(dtype).requiresGrad(true);
            Tensor input = Tensor.fromArray(INPUT, 1, 3).to(dtype).requiresGrad(true);
            Tensor out = Sparse.addmm(input, a, dense, 0.5, -1.5);
            out.mul(Tensor.fromArray(WEIGHTS, 4, 3).to(dtype)).sum().backward();
            close(dtype, "addmm", expected(dtype, "ADDMM"), out);
            close(dtype, "addmm dense gradient", expected(dtype, "ADDMM_DENSE_GRAD"), dense.grad());
            close(dtype, "addmm input gradient", expected(dtype, "ADDMM_INPUT_GRAD"), input.grad());
            close(dtype, "addmm values gradient", expected(dtype, "ADDMM_VALUES_GRAD"), a.values().grad());
        }
    }

    @ParameterizedTest
    @EnumSource(value = DType.class, names = {"F32", "F64"})
    void sparseTimesSparseAndItsGradientsMatchPyTorch(DType dtype) {
        try (Scope s = Scope.open()) {
            SparseCoo a = coo(VALUES, INDICES, 4, 5, dtype);
            SparseCoo b = coo(B_VALUES, B_INDICES, 5, 3, dtype);
            SparseCoo out = Sparse.mm(a, b);
            assertArrayEquals(PRODUCT_INDICES, out.indices().toLongArray(), "product indices");
            close(dtype, "product values", expected(dtype, "PRODUCT_VALUES"), out.values());
            out.toDense().mul(Tensor.fromArray(WEIGHTS, 4, 3).to(dtype)).sum().backward();
            close(dtype, "a's values gradient", expected(dtype, "PRODUCT_A_GRAD"), a.values().grad());
            close(dtype, "b's values gradient", expected(dtype, "PRODUCT_B_GRAD"), b.values().grad());
        }
        try (Scope s = Scope.open()) {
            SparseCsr out = Sparse.mm(coo(VALUES, INDICES, 4, 5, dtype).toSparseCsr(),
                    coo(B_VALUES, B_INDICES, 5, 3, dtype).toSparseCsr());
            assertArrayEquals(PRODUCT_CROW, out.crowIndices().toLongArray(), "CSR product crow_indices");
            Tensor cols = Tensor.fromArray(PRODUCT_INDICES, 2, PRODUCT_INDICES.length / 2).narrow(0, 1, 1);
            assertArrayEquals(cols.toLongArray(), out.colIndices().toLongArray(), "CSR product col_indices");
            close(dtype, "CSR product values", expected(dtype, "PRODUCT_VALUES"), out.values());
        }
    }

    /** The CSR of DENSE_MATRIX, its values a leaf that requires grad, as PyTorch's {@code requires_grad_()}. */
    private static SparseCsr leaf(DType dtype) {
        SparseCsr a = SparseCsr.fromDense(Tensor.fromArray(DENSE_MATRIX, 4, 5).to(dtype));
        return SparseCsr.of(a.crowIndices(), a.colIndices(), a.values().detach().requiresGrad(true), 4, 5);
    }

    private static SparseCoo coo(double[] values, long[] indices, int rows, int cols, DType dtype) {
        return SparseCoo.of(Tensor.fromArray(indices, 2, values.length),
                Tensor.fromArray(values, values.length).to(dtype).requiresGrad(true), rows, cols);
    }

    private static double[] expected(DType dtype, String name) {
        return (dtype == DType.F32 ? F32 : F64).get(name);
    }

    private static void close(DType dtype, String what, double[] expected, Tensor actual) {
        double[] got = actual.toDoubleArray();
        assertEquals(expected.length, got.length, what + " size");
        double relative = dtype == DType.F32 ? 1e-5 : 1e-12;
        for (int i = 0; i < got.length; i++) {
            assertEquals(expected[i], got[i], relative * (1 + Math.abs(expected[i])), what + " " + dtype + " at " + i);
        }
    }
}''' % (java(DENSE_MATRIX, torch.float64), longs(INDICES), longs(B_INDICES), java(VALUES, torch.float64),
        java(B_VALUES, torch.float64), java(OPERAND, torch.float64), java(INPUT, torch.float64),
        java(WEIGHTS, torch.float64), longs(csr_crow), longs(csr_col), longs(coo_crow), longs(coo_col),
        longs(product_indices), longs(product_crow), f32, f64))
