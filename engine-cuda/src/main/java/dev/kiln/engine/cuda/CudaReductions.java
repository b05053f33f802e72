package dev.kiln.engine.cuda;

import dev.kiln.engine.ReduceOp;
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

    /** Rows (inner == 1) get a block each; otherwise one thread per output reads coalesced columns. */
    void reduce(ReduceOp op, Tensor x, int axis, Tensor out) {
        long outer = x.shape().outer(axis);
        long n = x.dim(axis);
        long inner = x.shape().inner(axis);
        if (outer * inner == 0) {
            return;
        }
        int max = op == ReduceOp.MAX ? 1 : 0;
        if (inner == 1) {
            launcher.begin().pointer(x).pointer(out).int64(outer).int64(n).int32(max)
                    .launch(kernels.function(Kernel.REDUCE_ROWS, x.dtype()), launcher.blocksForRows(outer));
        } else {
            launcher.begin().pointer(x).pointer(out).int64(outer).int64(n).int64(inner).int32(max)
                    .launch(kernels.function(Kernel.REDUCE_COLUMNS, x.dtype()), launcher.blocksFor(outer * inner));
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
