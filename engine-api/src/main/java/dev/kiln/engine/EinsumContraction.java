package dev.kiln.engine;

import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * One step of an einsum: two terms multiplied and summed over the labels they share, as one GEMM, batched over the
 * shared labels that something later needs. With the first term's other labels as the rows (m), the second's as the
 * columns (n) and the summed ones as the inner dimension (k), the first is viewed as [batch, m, k] or, transposed,
 * [batch, k, m], and the second as [batch, k, n] or [batch, n, k]; GEMM's transpose flags read either layout in place,
 * so a term is copied into one ({@code permute}) only where its axes fit neither. Which term comes first, and whose
 * axis order the batch and inner labels follow, are chosen to copy the fewest elements, counting a last step's result
 * that would need a permute into the output's order.
 */
final class EinsumContraction {
    private final EinsumTerm first;
    private final EinsumTerm second;
    private final int[] batch;
    private final int[] inner;
    private final int[] rows;
    private final int[] columns;

    private EinsumContraction(EinsumTerm first, EinsumTerm second, EinsumTerm orderFrom, BitSet kept) {
        this.first = first;
        this.second = second;
        this.batch = Arrays.stream(orderFrom.labels()).filter(l -> first.has(l) && second.has(l) && kept.get(l))
                .toArray();
        this.inner = Arrays.stream(orderFrom.labels()).filter(l -> first.has(l) && second.has(l) && !kept.get(l))
                .toArray();
        this.rows = Arrays.stream(first.labels()).filter(l -> !second.has(l)).toArray();
        this.columns = Arrays.stream(second.labels()).filter(l -> !first.has(l)).toArray();
    }

    /**
     * {@code a} times {@code b} summed over the labels they share that {@code kept} lacks, with axes labelled batch,
     * rows, columns; {@code output} is the einsum's output labels where this is the last step, else null.
     */
    static EinsumTerm contract(EinsumTerm a, EinsumTerm b, BitSet kept, int[] output) {
        EinsumContraction[] candidates = {new EinsumContraction(a, b, a, kept), new EinsumContraction(a, b, b, kept),
                new EinsumContraction(b, a, b, kept), new EinsumContraction(b, a, a, kept)};
        EinsumContraction best = candidates[0];
        for (EinsumContraction c : candidates) {
            if (c.copied(output) < best.copied(output)) {
                best = c;
            }
        }
        return best.run();
    }

    /** Elements this layout copies: terms that fit neither GEMM layout, and a result out of the output's order. */
    private long copied(int[] output) {
        long copied = 0;
        if (!first.isIn(firstLayout(false)) && !first.isIn(firstLayout(true))) {
            copied += first.tensor().size();
        }
        if (!second.isIn(secondLayout(false)) && !second.isIn(secondLayout(true))) {
            copied += second.tensor().size();
        }
        if (output != null && !Arrays.equals(resultLabels(), output)) {
            copied += size(batch) * size(rows) * size(columns);
        }
        return copied;
    }

    private EinsumTerm run() {
        boolean transposeFirst = !first.isIn(firstLayout(false)) && first.isIn(firstLayout(true));
        boolean transposeSecond = !second.isIn(secondLayout(false)) && second.isIn(secondLayout(true));
        EinsumTerm x = first.arranged(firstLayout(transposeFirst));
        EinsumTerm y = second.arranged(secondLayout(transposeSecond));
        int m = dimension("rows", rows);
        int n = dimension("columns", columns);
        int k = dimension("summed", inner);
        Tensor xm = x.tensor().reshape(matrix(transposeFirst ? k : m, transposeFirst ? m : k));
        Tensor ym = y.tensor().reshape(matrix(transposeSecond ? n : k, transposeSecond ? k : n));
        Tensor product = MatmulOps.matmul(xm, transposeFirst, ym, transposeSecond);
        int[] labels = resultLabels();
        Tensor result = product.reshape(Arrays.stream(labels).map(l -> first.has(l) ? first.size(l) : second.size(l))
                .toArray());
        x.release(xm, result);
        y.release(ym, result);
        Tensor.releaseIntermediate(product, null, result);
        return new EinsumTerm(result, labels, null);
    }

    /** The first term's axes as [batch, m, k], or [batch, k, m] transposed. */
    private int[] firstLayout(boolean transposed) {
        return transposed ? concat(batch, inner, rows) : concat(batch, rows, inner);
    }

    /** The second term's axes as [batch, k, n], or [batch, n, k] transposed. */
    private int[] secondLayout(boolean transposed) {
        return transposed ? concat(batch, columns, inner) : concat(batch, inner, columns);
    }

    private int[] resultLabels() {
        return concat(batch, rows, columns);
    }

    /** A GEMM operand's dims: [rows, columns], after the batch where there is one. */
    private int[] matrix(int matrixRows, int matrixColumns) {
        return batch.length == 0 ? new int[] {matrixRows, matrixColumns}
                : new int[] {dimension("batch", batch), matrixRows, matrixColumns};
    }

    private int dimension(String what, int[] labels) {
        return Checks.dimension("einsum", "the " + what + " axes of a product", size(labels));
    }

    private long size(int[] labels) {
        long size = 1;
        for (int l : labels) {
            size *= first.has(l) ? first.size(l) : second.size(l);
        }
        return size;
    }

    private static int[] concat(int[] a, int[] b, int[] c) {
        return IntStream.concat(IntStream.concat(Arrays.stream(a), Arrays.stream(b)), Arrays.stream(c)).toArray();
    }
}
