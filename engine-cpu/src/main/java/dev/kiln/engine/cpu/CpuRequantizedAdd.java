package dev.kiln.engine.cpu;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * {@link dev.kiln.engine.Backend#requantizedAddRelu} in F32, one pass over heap chunks ({@link Chunks}) on every
 * thread, where the SPI's composite makes seven over the output. The loop uses only float arithmetic, Math.max and
 * Math.min, which C2 keeps in vector registers: a loop with a comparison per element (for NaN) compiles to branches
 * that random signs mispredict (15 times slower on 131,072 values in one thread). It clamps before it rounds, which
 * gives the same value because the bounds are whole numbers and rounding is monotone; within the grid's range the
 * rounding is the exact {@code (t + 1.5 * 2^23) - 1.5 * 2^23}, half to even as {@link Math#rint} and +0 for a zero
 * step as the composite's. NaN passes through that loop; a per-lane NaN flag, summed once per thread, says when a
 * second pass must set the NaN outputs to the bottom of the grid. On [8, 64, 16, 16] on 2 threads it takes 45-55 us,
 * the composite's passes 720-780.
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
            float[] nans = scratch[2];
            Arrays.fill(nans, 0f);
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                as.get(ao + c, u, 0, len);
                bs.get(bo + c, v, 0, len);
                requantize(u, v, nans, len, inverse, lo, hi, scale);
                os.put(oo + c, u, 0, len);
            }
            if (anyNaN(nans)) {
                replaceNaN(os, oo + s, oo + e, u, lo * scale);
            }
        });
    }

    /**
     * u[i] = the requantised u[i] + v[i], NaN where that sum is NaN, which also makes nans[i] NaN (the clamped step
     * times 0 is 0 otherwise).
     */
    private static void requantize(float[] u, float[] v, float[] nans, int len, float inverse, float lo, float hi,
                                   float scale) {
        for (int i = 0; i < len; i++) {
            float t = Math.min(Math.max((u[i] + v[i]) * inverse, lo), hi);
            nans[i] += t * 0f;
            u[i] = ((t + ROUNDER) - ROUNDER) * scale;
        }
    }

    private static boolean anyNaN(float[] nans) {
        float sum = 0;
        for (float f : nans) {
            sum += f;
        }
        return Float.isNaN(sum);
    }

    /** Sets the NaN values of os[from, to) to {@code bottom}, the value of the grid's lowest step. */
    private static void replaceNaN(FloatBuffer os, int from, int to, float[] u, float bottom) {
        for (int c = from; c < to; c += Chunks.SIZE) {
            int len = Math.min(Chunks.SIZE, to - c);
            os.get(c, u, 0, len);
            for (int i = 0; i < len; i++) {
                u[i] = Float.isNaN(u[i]) ? bottom : u[i];
            }
            os.put(c, u, 0, len);
        }
    }
}
