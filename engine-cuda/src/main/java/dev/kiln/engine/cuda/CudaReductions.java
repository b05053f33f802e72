package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/** Reductions, argmax, softmax and fused softmax cross-entropy: Backend SPI sections 4 and 5 on the device. */
final class CudaReductions {
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final CudaLayout layout;

    CudaReductions(CudaKernels kernels, KernelLauncher launcher, CudaLayout layout) {
        this.kernels = kernels;
        this.launcher = launcher;
        this.layout = layout;
    }

    /** Rows below this count may leave most of the device idle with a block each. */
    static final long FEW_ROWS = 64;
    /** Rows at least this long are split over several blocks when they are few; also the slice length aimed at. */
    static final long LONG_ROW = 1 << 16;
    /** Blocks of the first pass over rows at most: enough to fill a large device several times over. */
    static final long MAX_PART_BLOCKS = 2048;
    /** Threads of the first pass over columns aimed at; fewer outputs than this get a thread per slice. */
    static final long COLUMN_THREADS = 1 << 16;
    /** Elements a column slice holds at least. */
    static final long COLUMN_SLICE = 64;
    /** Slices of a column at most: the second pass reads a column's partials on one thread. */
    static final long MAX_COLUMN_PARTS = 1024;

    /**
     * Rows (inner == 1) get a block each, columns a thread per output reading coalesced across the inner
     * dimension. When that leaves the device mostly idle (few long rows, such as a full reduction, or few long
     * columns) each row or column is cut into slices reduced into double partials, and a second pass of the
     * same kernels in F64 reduces the partials.
     */
    void reduce(ReduceOp op, Tensor x, int axis, Tensor out) {
        long outer = x.shape().outer(axis);
        long n = x.dim(axis);
        long inner = x.shape().inner(axis);
        if (outer * inner == 0) {
            return;
        }
        int max = op == ReduceOp.MAX ? 1 : 0;
        if (inner == 1) {
            long parts = outer < FEW_ROWS ? Math.min((n + LONG_ROW - 1) / LONG_ROW, MAX_PART_BLOCKS / outer) : 1;
            if (parts > 1) {
                reduceInParts(x, outer, n, inner, parts, max, out);
            } else {
                reduceRows(x, outer, n, max, out);
            }
        } else {
            long parts = Math.min(Math.min(n / COLUMN_SLICE, COLUMN_THREADS / (outer * inner)), MAX_COLUMN_PARTS);
            if (parts > 1) {
                reduceInParts(x, outer, n, inner, parts, max, out);
            } else {
                reduceColumns(x, outer, n, inner, max, out);
            }
        }
    }

    private void reduceRows(Tensor x, long outer, long n, int max, Tensor out) {
        launcher.begin().pointer(x).pointer(out).int64(outer).int64(n).int32(max)
                .launch(kernels.function(Kernel.REDUCE_ROWS, x.dtype()), launcher.blocksForRows(outer));
    }

    private void reduceColumns(Tensor x, long outer, long n, long inner, int max, Tensor out) {
        launcher.begin().pointer(x).pointer(out).int64(outer).int64(n).int64(inner).int32(max)
                .launch(kernels.function(Kernel.REDUCE_COLUMNS, x.dtype()), launcher.blocksFor(outer * inner));
    }

    /**
     * out[o, i] = sum or max over j of x[o, j, i] in two passes: {@code reduce_row_parts} (inner == 1) or
     * {@code reduce_column_parts} reduces each of {@code parts} slices of j into double partials
     * [outer, parts, inner], which the rows or columns kernel in F64 then reduces over the parts (converted to
     * out's dtype after).
     */
    private void reduceInParts(Tensor x, long outer, long n, long inner, long parts, int max, Tensor out) {
        int[] partialDims = {Math.toIntExact(outer), Math.toIntExact(parts), Math.toIntExact(inner)};
        try (Tensor partials = Tensor.empty(Shape.of(partialDims), DType.F64, x.backend());
             Tensor wide = out.dtype() == DType.F64 ? null : Tensor.empty(out.shape(), DType.F64, x.backend())) {
            Tensor result = wide == null ? out : wide;
            if (inner == 1) {
                launcher.begin().pointer(x).pointer(partials).int64(outer).int64(n).int64(parts).int32(max)
                        .launch(kernels.function(Kernel.REDUCE_ROW_PARTS, x.dtype()),
                                launcher.blocksForRows(outer * parts));
                reduceRows(partials, outer, parts, max, result);
            } else {
                launcher.begin().pointer(x).pointer(partials).int64(outer).int64(n).int64(inner).int64(parts).int32(max)
                        .launch(kernels.function(Kernel.REDUCE_COLUMN_PARTS, x.dtype()),
                                launcher.blocksFor(outer * parts * inner));
                reduceColumns(partials, outer, parts, inner, max, result);
            }
            if (wide != null) {
                layout.copy(wide, out);
            }
        }
    }

    void argmax(Tensor x, int axis, Tensor out) {
        long outer = x.shape().outer(axis);
        long inner = x.shape().inner(axis);
        if (outer * inner == 0) {
            return;
        }
        launcher.begin().pointer(x).pointer(out).int64(outer).int64(x.dim(axis)).int64(inner)
                .launch(kernels.function(Kernel.ARGMAX, x.dtype()), launcher.blocksFor(outer * inner));
    }

    void accumulateHits(Tensor scores, Tensor labels, Tensor hits) {
        if (scores.rank() != 2 || scores.dim(1) == 0 || labels.dtype() != DType.I64 || labels.size() != scores.dim(0)
                || hits.dtype() != DType.I64 || hits.size() != 1) {
            throw new IllegalArgumentException("accumulateHits: scores " + scores.shape() + ", labels " + labels.dtype()
                    + " " + labels.shape() + " and hits " + hits.dtype() + " " + hits.shape()
                    + ": expected [rows, classes >= 1], I64 [rows] and one I64 element");
        }
        long rows = scores.dim(0);
        if (rows == 0) {
            return;
        }
        launcher.begin().pointer(scores).pointer(labels).pointer(hits).int64(rows).int64(scores.dim(1))
                .launch(kernels.function(Kernel.ACCUMULATE_HITS, scores.dtype()), launcher.blocksFor(rows));
    }

    void softmax(Tensor x, boolean log, Tensor out) {
        long cols = x.dim(x.rank() - 1);
        long rows = cols == 0 ? 0 : x.size() / cols;
        if (rows == 0) {
            return;
        }
        launcher.begin().pointer(x).pointer(out).int64(rows).int64(cols).int32(log ? 1 : 0)
                .launch(kernels.function(Kernel.SOFTMAX, x.dtype()), launcher.blocksForRows(rows));
    }

    void softmaxBackward(Tensor y, Tensor gradY, boolean log, Tensor gradX) {
        long cols = y.dim(y.rank() - 1);
        long rows = cols == 0 ? 0 : y.size() / cols;
        if (rows == 0) {
            return;
        }
        launcher.begin().pointer(y).pointer(gradY).pointer(gradX).int64(rows).int64(cols).int32(log ? 1 : 0)
                .launch(kernels.function(Kernel.SOFTMAX_BACKWARD, y.dtype()), launcher.blocksForRows(rows));
    }

    void crossEntropy(Tensor logits, Tensor targets, Tensor losses, Tensor probs) {
        long rows = logits.dim(0);
        long cols = logits.dim(1);
        if (rows == 0) {
            return;
        }
        Tensor t = layout.asInt64(targets);
        try {
            launcher.begin().pointer(logits).pointer(t).pointer(losses).pointer(probs).int64(rows).int64(cols)
                    .launch(kernels.function(Kernel.CROSS_ENTROPY, logits.dtype()), launcher.blocksForRows(rows));
        } finally {
            CudaLayout.closeIfCopy(t, targets);
        }
    }

    void crossEntropyBackward(Tensor probs, Tensor targets, Tensor gradLosses, double scale, Tensor gradLogits) {
        long rows = probs.dim(0);
        long cols = probs.dim(1);
        if (rows * cols == 0) {
            return;
        }
        Tensor t = layout.asInt64(targets);
        try {
            launcher.begin().pointer(probs).pointer(t).pointer(gradLosses).float64(scale).pointer(gradLogits)
                    .int64(rows).int64(cols).int64(gradLosses.size() == 1 ? 0 : 1)
                    .launch(kernels.function(Kernel.CROSS_ENTROPY_BACKWARD, probs.dtype()),
                            launcher.blocksFor(rows * cols));
        } finally {
            CudaLayout.closeIfCopy(t, targets);
        }
    }
}
