package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.nio.FloatBuffer;

/**
 * {@link dev.kiln.engine.Backend#requantizedAddRelu} in F32, one pass over heap chunks ({@link Chunks}) on every
 * thread, where the SPI's composite makes seven over the output. It clamps before it rounds, which gives the same
 * value because the bounds are whole numbers and rounding is monotone; within the grid's range the rounding is the
 * exact {@code (t + 1.5 * 2^23) - 1.5 * 2^23}, half to even as {@link Math#rint} and +0 for a zero step as the
 * composite's, in float arithmetic only, so that C2 can keep the loop in vector registers.
 */
final class CpuRequantizedAdd {
    /** 1.5 * 2^23: added to |t| <= 2^22 it leaves t's rounding to a whole number in the float's last bit. */
    private static final float ROUNDER = 12582912f;
    private final Parallel parallel;

    CpuRequantizedAdd(Parallel parallel) {
        this.parallel = parallel;
    }

    void f32(Tensor a, Tensor b, Uint8Grid grid, boolean relu, Tensor out) {
        float scale = grid.scale();
        float inverse = 1f / scale;
        float lo = relu ? 0 : -grid.zeroPoint();
        float hi = 255 - grid.zeroPoint();
        FloatBuffer as = CpuElementwise.f32(a);
        FloatBuffer bs = CpuElementwise.f32(b);
        FloatBuffer os = CpuElementwise.f32(out);
        int ao = CpuElementwise.offset(a);
        int bo = CpuElementwise.offset(b);
        int oo = CpuElementwise.offset(out);
        parallel.forRange(Math.toIntExact(out.size()), 2, (s, e) -> {
            float[][] scratch = Chunks.scratch();
            float[] u = scratch[0];
            float[] v = scratch[1];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                as.get(ao + c, u, 0, len);
                bs.get(bo + c, v, 0, len);
                requantize(u, v, len, inverse, lo, hi, scale);
                os.put(oo + c, u, 0, len);
            }
        });
    }

    /** u[i] = the requantised u[i] + v[i]; NaN fails both comparisons and goes to lo. */
    private static void requantize(float[] u, float[] v, int len, float inverse, float lo, float hi, float scale) {
        for (int i = 0; i < len; i++) {
            float t = (u[i] + v[i]) * inverse;
            t = t >= lo ? t : lo;
            t = t <= hi ? t : hi;
            u[i] = ((t + ROUNDER) - ROUNDER) * scale;
        }
    }
}
