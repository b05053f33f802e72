package dev.kiln.engine.cuda;

import dev.kiln.engine.Tensor;

/**
 * Layer normalisation over the last axis with our kernels (layernorm.cu), x viewed as [rows, features]: forward one
 * block per row (statistics in double, then the normalised, scaled values); backward one block per row for the
 * input's gradient, then the weight's and bias's gradients by a column reduction over parts of
 * {@value #ROWS_PER_PART} rows, whose partial sums one thread per feature adds in order.
 */
final class CudaLayerNorm {
    /** Rows a thread of the column reduction sums: [3584, 64] makes 112 parts, 7,168 threads. */
    static final int ROWS_PER_PART = 32;

    private final CudaKernels kernels;
    private final KernelLauncher launcher;

    CudaLayerNorm(CudaKernels kernels, KernelLauncher launcher) {
        this.kernels = kernels;
        this.launcher = launcher;
    }

    /** The SPI's layerNorm. */
    void forward(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        long features = x.dim(-1);
        long rows = x.size() / features;
        launcher.begin().pointer(x).pointer(weight).pointer(bias).float64(eps).pointer(out).pointer(mean)
                .pointer(rstd).int64(rows).int64(features)
                .launch(kernels.function(Kernel.LN_FORWARD, x.dtype()), launcher.blocksForRows(rows));
    }

    /**
     * The SPI's layerNormBackward: the row kernel always runs, as it also works out each row's mean in double (the
     * saved one is rounded to x's dtype) for the column reduction.
     */
    void backward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, Tensor gradX, Tensor gradWeight,
                  Tensor gradBias) {
        long features = x.dim(-1);
        long rows = x.size() / features;
        try (Tensor exactMean = ChannelParts.doubles(x, rows)) {
            launcher.begin().pointer(gradOut).pointer(x).pointer(mean).pointer(rstd).pointer(weight).pointer(gradX)
                    .pointer(exactMean).int64(rows).int64(features)
                    .launch(kernels.function(Kernel.LN_BACKWARD_INPUT, x.dtype()), launcher.blocksForRows(rows));
            if (gradWeight == null && gradBias == null) {
                return;
            }
            long parts = (rows + ROWS_PER_PART - 1) / ROWS_PER_PART;
            try (Tensor partials = ChannelParts.doubles(x, 2 * parts * features)) {
                launcher.begin().pointer(gradOut).pointer(x).pointer(exactMean).pointer(rstd).int64(rows)
                        .int64(features).int64(ROWS_PER_PART).pointer(partials)
                        .launch(kernels.function(Kernel.LN_BACKWARD_PARAMS_PARTS, x.dtype()),
                                launcher.blocksFor(parts * features));
                launcher.begin().pointer(partials).int64(parts).int64(features).pointer(gradWeight).pointer(gradBias)
                        .launch(kernels.function(Kernel.LN_BACKWARD_PARAMS_FINISH, x.dtype()),
                                launcher.blocksFor(features));
            }
        }
    }
}
