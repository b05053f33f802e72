package dev.kiln.engine.cuda;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * How the per-channel reductions (batch norm's statistics and backward sums, a convolution's bias gradient) share
 * the device: one block per channel when the channels alone keep it busy or hold too few values to share; else
 * each channel cut into parts of a block each, whose double partial results a second kernel combines.
 */
final class ChannelParts {
    /** Blocks that keep a device busy (8 of 256 threads on each of an H200's 132 multiprocessors, rounded). */
    static final long BUSY_BLOCKS = 1024;
    /** Values a part takes at least, so that a block has work worth its launch. */
    static final long MIN_PART = 16_384;

    private ChannelParts() {
    }

    /**
     * Parts to cut each of {@code channels} channels of {@code perChannel} values into: 1 when the channels alone
     * keep the device busy or hold too few values to share; otherwise enough for about {@link #BUSY_BLOCKS} blocks,
     * each of at least {@link #MIN_PART} values.
     */
    static long of(long channels, long perChannel) {
        if (channels >= BUSY_BLOCKS || perChannel < 2 * MIN_PART) {
            return 1;
        }
        return Math.max(1, Math.min((BUSY_BLOCKS + channels - 1) / channels, perChannel / MIN_PART));
    }

    /** {@code count} doubles on x's device: the parts' partial results, or batch norm's double statistics. */
    static Tensor doubles(Tensor x, long count) {
        return Tensor.empty(Shape.of(Math.toIntExact(count)), DType.F64, x.backend());
    }

    /** out[c] = the sum of channel c's {@code parts} partial sums in {@code partials} [channels * parts]. */
    static void sum(CudaKernels kernels, KernelLauncher launcher, Tensor partials, long channels, long parts,
                    Tensor out) {
        launcher.begin().pointer(partials).int64(channels).int64(parts).pointer(out)
                .launch(kernels.function(Kernel.CHANNEL_SUM_FINISH, out.dtype()), launcher.blocksFor(channels));
    }
}
