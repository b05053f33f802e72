package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.nio.FloatBuffer;

/**
 * The pooling of {@link dev.kiln.engine.Backend#staticInt8GlobalAvgPoolConv2d} in one pass over the input: each
 * channel's grid values back to their q values less the zero point ({@code rint(x * (1 / scale))}, exact), summed,
 * times {@code 1 / n} in float, rounded half to even and written back as a grid value, whole planes at a time in
 * chunks of about {@link Chunks#SIZE} values (a bulk read per plane of four costs more than its arithmetic). The
 * SPI's composite makes six passes and two reductions (a ResNet-18 head, [8, 512, 2, 2]: 0.2 ms of reductions alone
 * before this).
 */
final class CpuGlobalAvgPoolOnGrid {
    /** 1.5 * 2^23, as {@link CpuRequantizedAdd}'s. */
    private static final float ROUNDER = 12582912f;
    /** Float sums whole numbers of magnitude up to 255 exactly while they stay below 2^24: 65,793 of them. */
    private static final int EXACT_IN_FLOAT = 65_793;
    private final Parallel parallel;

    CpuGlobalAvgPoolOnGrid(Parallel parallel) {
        this.parallel = parallel;
    }

    /** out [batch, channels, 1, 1] = the pooled grid values of input [batch, channels, height, width]. */
    void pool(Tensor input, Uint8Grid grid, Tensor out) {
        int planes = input.dim(0) * input.dim(1);
        int n = input.dim(2) * input.dim(3);
        float scale = grid.scale();
        float inverse = 1f / scale;
        float multiplier = 1f / n;
        FloatBuffer in = CpuElementwise.f32(input);
        FloatBuffer os = CpuElementwise.f32(out);
        int io = CpuElementwise.offset(input);
        int oo = CpuElementwise.offset(out);
        int perChunk = Math.max(1, Chunks.SIZE / n);
        parallel.forRange(planes, n, (s, e) -> {
            float[] chunk = new float[perChunk * n];
            float[] means = new float[perChunk];
            for (int p = s; p < e; p += perChunk) {
                int count = Math.min(perChunk, e - p);
                in.get(io + p * n, chunk, 0, count * n);
                pool(chunk, means, count, n, inverse, multiplier, scale);
                os.put(oo + p, means, 0, count);
            }
        });
    }

    /**
     * means[j] = the pooled grid value of plane j of the {@code count} planes of n values in chunk, rounding in float:
     * t plus and minus 1.5 * 2^23 is t rounded half to even for |t| up to 2^22 (here at most 255). The whole numbers
     * add up exactly and the sum becomes a float once, as PyTorch's integer sum does.
     */
    private static void pool(float[] chunk, float[] means, int count, int n, float inverse, float multiplier,
                             float scale) {
        for (int j = 0; j < count; j++) {
            float sum = n <= EXACT_IN_FLOAT ? floatSum(chunk, j * n, n, inverse)
                    : (float) intSum(chunk, j * n, n, inverse);
            means[j] = ((sum * multiplier + ROUNDER) - ROUNDER) * scale;
        }
    }

    /** The sum of the n q values less the zero point from {@code from}, in float (exact for n up to 65,793). */
    private static float floatSum(float[] chunk, int from, int n, float inverse) {
        float sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += (chunk[i] * inverse + ROUNDER) - ROUNDER;
        }
        return sum;
    }

    /**
     * As {@link #floatSum} in an int, exact for longer planes, whose float sums drifted past 2^24; 40% slower than
     * the float sum (the conversions), so only there.
     */
    private static int intSum(float[] chunk, int from, int n, float inverse) {
        int sum = 0;
        for (int i = from; i < from + n; i++) {
            sum += (int) ((chunk[i] * inverse + ROUNDER) - ROUNDER);
        }
        return sum;
    }
}
