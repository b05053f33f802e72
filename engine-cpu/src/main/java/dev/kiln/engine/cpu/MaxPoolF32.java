package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Tensor;
import java.nio.FloatBuffer;
import java.util.Arrays;

/**
 * Max pooling on F32 tensors without the general path's detour through double[]: the backward for every
 * geometry, the forward for 2 x 2 windows at stride 2 without padding (LeNet's, VGG's), read in place rather
 * than through a window table. Same results as {@link CpuPooling}: NaN wins and the first maximum's position is
 * recorded. One thread, LeNet's first pooling's planes: the float-to-double conversion cost 0.9 ns of the
 * general forward's 3.8-4.5 ns per output; the backward on 2 threads ran 0.27-0.36 ms against 0.43-0.56 ms. A
 * branch-free forward on the floats' bits ran 2x slower than the selects here.
 */
final class MaxPoolF32 {
    /** Elements read or written per bulk transfer, at least one plane. */
    private static final int BLOCK = 1 << 14;

    private final Parallel parallel;

    MaxPoolF32(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Whether {@link #forward} takes this input: F32, 2 x 2 windows, stride 2, no padding, none hanging over. */
    static boolean takesForward(Tensor input, Pool2dGeometry g) {
        return input.dtype() == DType.F32 && g.kernelH() == 2 && g.kernelW() == 2 && g.strideH() == 2
                && g.strideW() == 2 && g.padH() == 0 && g.padW() == 0 && 2 * g.outH() <= g.height()
                && 2 * g.outW() <= g.width();
    }

    /** Whether {@link #backward} takes this gradient: F32. */
    static boolean takesBackward(Tensor gradOut) {
        return gradOut.dtype() == DType.F32;
    }

    /** out = max over each 2 x 2 window; indices = flat position {@code h * width + w} of that max in its plane. */
    void forward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        FloatBuffer in = CpuElementwise.f32(input);
        FloatBuffer o = CpuElementwise.f32(out);
        int inOffset = CpuElementwise.offset(input);
        int outOffset = CpuElementwise.offset(out);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        int perBlock = Math.max(1, BLOCK / inPlane);
        parallel.forRange(g.batch() * g.channels(), 4L * outPlane, (start, end) -> {
            float[] planes = new float[perBlock * inPlane];
            float[] max = new float[perBlock * outPlane];
            long[] best = new long[perBlock * outPlane];
            for (int first = start; first < end; first += perBlock) {
                int count = Math.min(perBlock, end - first);
                in.get(inOffset + first * inPlane, planes, 0, count * inPlane);
                for (int k = 0; k < count; k++) {
                    maxPlane(g, planes, k * inPlane, max, best, k * outPlane);
                }
                o.put(outOffset + first * outPlane, max, 0, count * outPlane);
                Data.writeIndices(indices, first * outPlane, best, count * outPlane);
            }
        });
    }

    /**
     * One plane's windows: the maximum by {@code Math.max} (an intrinsic that propagates NaN), then the position
     * by selects from the last tap to the first, so that the first match (or first NaN) wins.
     */
    private static void maxPlane(Pool2dGeometry g, float[] in, int inBase, float[] max, long[] best, int outBase) {
        int width = g.width();
        int outW = g.outW();
        for (int oh = 0; oh < g.outH(); oh++) {
            int row = 2 * oh * width;
            int to = outBase + oh * outW;
            for (int ow = 0; ow < outW; ow++) {
                int p0 = row + 2 * ow;
                float v0 = in[inBase + p0];
                float v1 = in[inBase + p0 + 1];
                float v2 = in[inBase + p0 + width];
                float v3 = in[inBase + p0 + width + 1];
                float m = Math.max(Math.max(v0, v1), Math.max(v2, v3));
                int at = p0 + width + 1;
                at = (v2 == m) | (v2 != v2) ? p0 + width : at;
                at = (v1 == m) | (v1 != v1) ? p0 + 1 : at;
                at = (v0 == m) | (v0 != v0) ? p0 : at;
                max[to + ow] = m;
                best[to + ow] = at;
            }
        }
    }

    /** gradInput = 0, then each gradOut element is added at its recorded index (I32 or I64); any window geometry. */
    void backward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        FloatBuffer go = CpuElementwise.f32(gradOut);
        FloatBuffer gi = CpuElementwise.f32(gradInput);
        int goOffset = CpuElementwise.offset(gradOut);
        int giOffset = CpuElementwise.offset(gradInput);
        int inPlane = g.height() * g.width();
        int outPlane = g.outH() * g.outW();
        int perBlock = Math.max(1, BLOCK / Math.max(inPlane, outPlane));
        parallel.forRange(g.batch() * g.channels(), (long) inPlane + outPlane, (start, end) -> {
            float[] planes = new float[perBlock * inPlane];
            float[] grad = new float[perBlock * outPlane];
            long[] at = new long[perBlock * outPlane];
            for (int first = start; first < end; first += perBlock) {
                int count = Math.min(perBlock, end - first);
                go.get(goOffset + first * outPlane, grad, 0, count * outPlane);
                Data.readIndices(indices, first * outPlane, at, count * outPlane);
                Arrays.fill(planes, 0, count * inPlane, 0f);
                for (int k = 0; k < count; k++) {
                    int inBase = k * inPlane;
                    int outBase = k * outPlane;
                    for (int p = 0; p < outPlane; p++) {
                        planes[inBase + (int) at[outBase + p]] += grad[outBase + p];
                    }
                }
                gi.put(giOffset + first * inPlane, planes, 0, count * inPlane);
            }
        });
    }
}
