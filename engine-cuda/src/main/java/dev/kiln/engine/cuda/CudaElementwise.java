package dev.kiln.engine.cuda;

import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;

/** Element-wise functions with broadcasting: Backend SPI section 3 on the device. */
final class CudaElementwise {
    /** Rows up to which {@link #biasActivationBackward} runs as one kernel: 8,192 rows are 1,024 per warp. */
    private static final long FUSED_BACKWARD_ROWS = 8192;

    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final CudaLayout layout;

    CudaElementwise(CudaKernels kernels, KernelLauncher launcher, CudaLayout layout) {
        this.kernels = kernels;
        this.launcher = launcher;
        this.layout = layout;
    }

    void unary(UnaryOp op, double param, Tensor x, Tensor out) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().int32(op.ordinal()).float64(param).pointer(x).pointer(out).int64(n)
                .launch(kernels.function(Kernel.UNARY, x.dtype()), launcher.blocksFor(n));
    }

    void unaryBackward(UnaryOp op, double param, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        long n = gradX.size();
        if (n == 0) {
            return;
        }
        launcher.begin().int32(op.ordinal()).float64(param).pointer(x).pointer(y).pointer(gradY).pointer(gradX)
                .int64(n).launch(kernels.function(Kernel.UNARY_BACKWARD, x.dtype()), launcher.blocksFor(n));
    }

    void biasActivation(UnaryOp op, double param, Tensor x, Tensor bias, Tensor out) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().int32(op.ordinal()).float64(param).pointer(x).pointer(bias).pointer(out).int64(n / bias.dim(0))
                .int64(bias.dim(0)).launch(kernels.function(Kernel.BIAS_ACTIVATION, out.dtype()), launcher.blocksFor(n));
    }

    /**
     * Whether {@link #biasActivationBackward} suits y [rows, cols]: its kernel gives each column one thread
     * that walks the rows, right for a batch of rows; longer columns are faster as unary backward and the
     * column reduction, which cuts them into slices.
     */
    boolean fusesBiasActivationBackward(Tensor y) {
        long cols = y.dim(y.rank() - 1);
        return cols == 0 || y.size() / cols <= FUSED_BACKWARD_ROWS;
    }

    void biasActivationBackward(UnaryOp op, double param, Tensor y, Tensor gradY, Tensor gradPre, Tensor gradBias) {
        long n = y.size();
        if (n == 0) {
            if (gradBias != null) {
                layout.fill(gradBias, 0);
            }
            return;
        }
        long cols = y.dim(y.rank() - 1);
        launcher.begin().int32(op.ordinal()).float64(param).pointer(y).pointer(gradY).pointer(gradPre).pointer(gradBias)
                .int64(n / cols).int64(cols).launch(kernels.function(Kernel.BIAS_ACTIVATION_BACKWARD, y.dtype()),
                        launcher.blocksForRows((cols + 31) / 32));
    }

    /** {@code out = x} rounded to bfloat16, kept as F32 (both F32). */
    void roundToBfloat16(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || x.size() != out.size()) {
            throw new IllegalArgumentException("roundToBfloat16: F32 in and out of one size, got " + x.dtype() + " "
                    + x.shape() + " and " + out.dtype() + " " + out.shape());
        }
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(x).pointer(out).int64(n)
                .launch(kernels.function(Kernel.ROUND_BF16, DType.F32), launcher.blocksFor(n));
    }

    /** out [batch, channels, ...] = op(out + bias[channel]) in place; bias may be null. */
    void channelBiasActivation(UnaryOp op, double param, Tensor out, Tensor bias) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        long channels = out.dim(1);
        launcher.begin().int32(op.ordinal()).float64(param).pointer(out).pointer(bias).int64(out.dim(0)).int64(channels)
                .int64(n / out.dim(0) / channels)
                .launch(kernels.function(Kernel.CHANNEL_BIAS_ACTIVATION, out.dtype()), launcher.blocksFor(n));
    }

    /** gradPre = gradY * op'(pre) from y [batch, channels, ...], and gradBias [channels] its sums (null: none). */
    void channelActivationBackward(UnaryOp op, double param, Tensor y, Tensor gradY, Tensor gradPre, Tensor gradBias) {
        long channels = y.dim(1);
        if (y.size() == 0) {
            if (gradBias != null) {
                layout.fill(gradBias, 0);
            }
            return;
        }
        long spatial = y.size() / y.dim(0) / channels;
        long parts = ChannelParts.of(channels, y.dim(0) * spatial);
        if (parts == 1) {
            launcher.begin().int32(op.ordinal()).float64(param).pointer(y).pointer(gradY).pointer(gradPre)
                    .pointer(gradBias).int64(y.dim(0)).int64(channels).int64(spatial)
                    .launch(kernels.function(Kernel.CHANNEL_ACTIVATION_BACKWARD, y.dtype()),
                            launcher.blocksForRows(channels));
            return;
        }
        try (Tensor partials = gradBias == null ? null : ChannelParts.doubles(y, channels * parts)) {
            launcher.begin().int32(op.ordinal()).float64(param).pointer(y).pointer(gradY).pointer(gradPre)
                    .int64(y.dim(0)).int64(channels).int64(spatial).int64(parts).pointer(partials)
                    .launch(kernels.function(Kernel.CHANNEL_ACTIVATION_BACKWARD_PARTS, y.dtype()),
                            launcher.blocksForRows(channels * parts));
            if (gradBias != null) {
                ChannelParts.sum(kernels, launcher, partials, channels, parts, gradBias);
            }
        }
    }

    void affine(Tensor x, double scale, double shift, Tensor out) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(x).float64(scale).float64(shift).pointer(out).int64(n)
                .launch(kernels.function(Kernel.AFFINE, x.dtype()), launcher.blocksFor(n));
    }

    void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        if (a.shape().equals(out.shape()) && b.shape().equals(out.shape())) {
            launcher.begin().int32(op.ordinal()).pointer(a).pointer(b).pointer(out).int64(n)
                    .launch(kernels.function(Kernel.BINARY_SAME_SHAPE, out.dtype()), launcher.blocksFor(n));
            return;
        }
        BroadcastPlan plan = new BroadcastPlan(op.name().toLowerCase(java.util.Locale.ROOT), out.shape(), a.shape(),
                b.shape());
        launcher.begin().int32(op.ordinal()).pointer(a).pointer(b).pointer(out).int64(n).int32(plan.rank)
                .struct(plan.dims).struct(plan.strides[0]).struct(plan.strides[1])
                .launch(kernels.function(Kernel.BINARY, out.dtype()), launcher.blocksFor(n));
    }

    /**
     * A condition of another dtype becomes a 0/1 mask of out's, so that one kernel serves every case. The
     * mask is cond != 0 taken in cond's own dtype: converting first would turn 0.5 into an integer 0, or an
     * F64 1e-300 into an F32 0, and flip the choice that the CPU backend makes.
     */
    void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        long n = out.size();
        if (n == 0) {
            return;
        }
        Tensor c = cond;
        if (cond.dtype() != out.dtype()) {
            Tensor zero = Tensor.empty(Shape.of(), cond.dtype(), out.backend());
            Tensor mask = Tensor.empty(cond.shape(), cond.dtype(), out.backend());
            try {
                layout.fill(zero, 0);
                binary(BinaryOp.NE, cond, zero, mask);
                c = Tensor.empty(cond.shape(), out.dtype(), out.backend());
                layout.copy(mask, c);
            } finally {
                zero.close();
                mask.close();
            }
        }
        try {
            BroadcastPlan plan = new BroadcastPlan("where", out.shape(), c.shape(), a.shape(), b.shape());
            launcher.begin().pointer(c).pointer(a).pointer(b).pointer(out).int64(n).int32(plan.rank)
                    .struct(plan.dims).struct(plan.strides[0]).struct(plan.strides[1]).struct(plan.strides[2])
                    .launch(kernels.function(Kernel.WHERE, out.dtype()), launcher.blocksFor(n));
        } finally {
            if (c != cond) {
                c.close();
            }
        }
    }

    /** {@code out = x} rounded to IEEE half, kept as F32 (both F32). */
    void roundToHalf(Tensor x, Tensor out) {
        if (x.dtype() != DType.F32 || out.dtype() != DType.F32 || x.size() != out.size()) {
            throw new IllegalArgumentException("roundToHalf: F32 in and out of one size, got " + x.dtype() + " "
                    + x.shape() + " and " + out.dtype() + " " + out.shape());
        }
        long n = out.size();
        if (n == 0) {
            return;
        }
        launcher.begin().pointer(x).pointer(out).int64(n)
                .launch(kernels.function(Kernel.ROUND_HALF, DType.F32), launcher.blocksFor(n));
    }
}
