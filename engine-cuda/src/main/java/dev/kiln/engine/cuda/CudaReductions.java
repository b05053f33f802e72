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

    /**
     * Rows (inner == 1) get a block each, or, when there are fewer than {@link #FEW_ROWS} rows of at least
     * {@link #LONG_ROW} elements (a full reduction is one row), several blocks each and a second pass;
     * otherwise one thread per output reads coalesced columns.
     */
    void reduce(ReduceOp op, Tensor x, int axis, Tensor out) {
        long outer = x.shape().outer(axis);
        long n = x.dim(axis);
        long inner = x.shape().inner(axis);
        if (outer * inner == 0) {
            return;
        }
        int max = op == ReduceOp.MAX ? 1 : 0;
        if (inner == 1 && outer < FEW_ROWS && n >= LONG_ROW) {
            reduceFewLongRows(x, outer, n, max, out);
        } else if (inner == 1) {
            launcher.begin().pointer(x).pointer(out).int64(outer).int64(n).int32(max)
                    .launch(kernels.function(Kernel.REDUCE_ROWS, x.dtype()), launcher.blocksForRows(outer));
        } else {
            launcher.begin().pointer(x).pointer(out).int64(outer).int64(n).int64(inner).int32(max)
                    .launch(kernels.function(Kernel.REDUCE_COLUMNS, x.dtype()), launcher.blocksFor(outer * inner));
        }
    }

    /** Rows below this count may leave most of the device idle with a block each. */
    static final long FEW_ROWS = 64;
    /** Rows at least this long are split over several blocks when they are few; also the slice length aimed at. */
    static final long LONG_ROW = 1 << 16;
    /** Blocks of the first pass at most: enough to fill a large device several times over. */
    static final long MAX_PART_BLOCKS = 2048;

    /**
     * out[o] = sum or max of x[o, 0..n) in two passes: each row is cut into slices of about {@link #LONG_ROW}
     * reduced by a block each into double partials [outer, parts], which one block per row then reduces.
     */
    private void reduceFewLongRows(Tensor x, long outer, long n, int max, Tensor out) {
        long parts = Math.max(1, Math.min((n + LONG_ROW - 1) / LONG_ROW, MAX_PART_BLOCKS / outer));
        int rows = Math.toIntExact(outer);
        try (Tensor partials = Tensor.empty(Shape.of(rows, Math.toIntExact(parts)), DType.F64, x.backend());
             Tensor sums = out.dtype() == DType.F64 ? null : Tensor.empty(Shape.of(rows), DType.F64, x.backend())) {
            launcher.begin().pointer(x).pointer(partials).int64(outer).int64(n).int64(parts).int32(max)
                    .launch(kernels.function(Kernel.REDUCE_ROW_PARTS, x.dtype()), launcher.blocksForRows(outer * parts));
            Tensor rowResults = sums == null ? out : sums;
            launcher.begin().pointer(partials).pointer(rowResults).int64(outer).int64(parts).int32(max)
                    .launch(kernels.function(Kernel.REDUCE_ROWS, DType.F64), launcher.blocksForRows(outer));
            if (sums != null) {
                layout.copy(sums, out);
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

    void crossEntropyBackward(Tensor probs, Tensor targets, Tensor gradLosses, Tensor gradLogits) {
        long rows = probs.dim(0);
        long cols = probs.dim(1);
        if (rows * cols == 0) {
            return;
        }
        Tensor t = layout.asInt64(targets);
        try {
            launcher.begin().pointer(probs).pointer(t).pointer(gradLosses).pointer(gradLogits).int64(rows).int64(cols)
                    .launch(kernels.function(Kernel.CROSS_ENTROPY_BACKWARD, probs.dtype()),
                            launcher.blocksFor(rows * cols));
        } finally {
            CudaLayout.closeIfCopy(t, targets);
        }
    }
}
