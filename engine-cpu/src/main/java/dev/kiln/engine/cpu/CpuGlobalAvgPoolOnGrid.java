package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.nio.FloatBuffer;

/**
 * The pooling of {@link dev.kiln.engine.Backend#staticInt8GlobalAvgPoolConv2d} in one pass over the input: each
 * channel's grid values back to their q values less the zero point ({@code rint(x * (1 / scale))}, exact), summed in
 * an int, times {@code 1 / n} in float, rounded half to even ({@link Math#rint}) and written back as a grid value. The
 * SPI's composite makes six passes and two reductions (a ResNet-18 head, [8, 512, 2, 2]: 0.2 ms of reductions alone
 * before this).
 */
final class CpuGlobalAvgPoolOnGrid {
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
        parallel.forRange(planes, n, (s, e) -> {
            float[] plane = new float[n];
            for (int p = s; p < e; p++) {
                in.get(io + p * n, plane, 0, n);
                int sum = 0;
                for (int i = 0; i < n; i++) {
                    sum += (int) Math.rint(plane[i] * inverse);
                }
                os.put(oo + p, (float) Math.rint(sum * multiplier) * scale);
            }
        });
    }
}
