package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/**
 * {@link dev.kiln.engine.Backend#biasActivation} and its backward for F32 ReLU and tanh, the dense layers of
 * the MLPs and autoencoders: one pass over the layer's output instead of two each way. Same arithmetic, in
 * the same order, as the SPI's composite on this backend (F32 add, then {@code max(v, 0)} or
 * {@link FastTanh}; column sums of the gradient row after row in F32), so the results are identical.
 */
final class CpuBiasActivation {
    private final Parallel parallel;

    CpuBiasActivation(Parallel parallel) {
        this.parallel = parallel;
    }

    /** Whether this class fuses {@code op} on tensors of {@code dtype}; the rest take the composite. */
    static boolean fuses(UnaryOp op, DType dtype) {
        return dtype == DType.F32 && (op == UnaryOp.RELU || op == UnaryOp.TANH);
    }

    /** out = op(x + bias) for x and out [rows, cols] (out may be x), bias [cols]. */
    void forward(UnaryOp op, Tensor x, Tensor bias, Tensor out) {
        int cols = bias.dim(0);
        int rows = Math.toIntExact(out.size() / cols);
        FloatBuffer xs = CpuElementwise.f32(x);
        FloatBuffer bs = CpuElementwise.f32(bias);
        FloatBuffer os = CpuElementwise.f32(out);
        int xo = CpuElementwise.offset(x);
        int bo = CpuElementwise.offset(bias);
        int oo = CpuElementwise.offset(out);
        boolean relu = op == UnaryOp.RELU;
        parallel.forRange(rows, relu ? cols : 8L * cols, (s, e) -> {
            float[][] t = Chunks.scratch();
            float[] b = t[0];
            float[] v = t[1];
            for (int c = 0; c < cols; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, cols - c);
                bs.get(bo + c, b, 0, len);
                for (int r = s; r < e; r++) {
                    int at = r * cols + c;
                    xs.get(xo + at, v, 0, len);
                    for (int i = 0; i < len; i++) {
                        v[i] += b[i];
                    }
                    if (relu) {
                        CpuElementwise.relu(v, len);
                    } else {
                        FastTanh.tanh(v, len);
                    }
                    os.put(oo + at, v, 0, len);
                }
            }
        });
    }

    /**
     * gradPre = gradY * op'(pre) from y = op(pre) [rows, cols], and gradBias [cols] (or null) its column sums.
     * Split by columns, so that each thread sums whole columns in row order.
     */
    void backward(UnaryOp op, Tensor y, Tensor gradY, Tensor gradPre, Tensor gradBias) {
        int cols = y.dim(y.rank() - 1);
        int rows = Math.toIntExact(y.size() / cols);
        FloatBuffer ys = CpuElementwise.f32(y);
        FloatBuffer gs = CpuElementwise.f32(gradY);
        FloatBuffer ps = CpuElementwise.f32(gradPre);
        IntBuffer yBits = ((CpuStorage) y.storage()).f32Bits();
        IntBuffer gBits = ((CpuStorage) gradY.storage()).f32Bits();
        IntBuffer pBits = ((CpuStorage) gradPre.storage()).f32Bits();
        int yo = CpuElementwise.offset(y);
        int go = CpuElementwise.offset(gradY);
        int po = CpuElementwise.offset(gradPre);
        boolean relu = op == UnaryOp.RELU;
        parallel.forRange(cols, rows, (s, e) -> {
            float[][] t = Chunks.scratch();
            int[][] bits = Chunks.intScratch();
            float[] sum = t[0];
            float[] grad = t[1];
            float[] out = t[2];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                java.util.Arrays.fill(sum, 0, len, 0f);
                for (int r = 0; r < rows; r++) {
                    int at = r * cols + c;
                    if (relu) {
                        reluGradient(yBits, gBits, pBits, yo + at, go + at, po + at, bits[0], bits[1], len);
                        ps.get(po + at, grad, 0, len);
                    } else {
                        ys.get(yo + at, out, 0, len);
                        gs.get(go + at, grad, 0, len);
                        CpuElementwise.tanhGradient(out, grad, len);
                        ps.put(po + at, grad, 0, len);
                    }
                    for (int i = 0; i < len; i++) {
                        sum[i] += grad[i];
                    }
                }
                if (gradBias != null) {
                    CpuElementwise.f32(gradBias).put(CpuElementwise.offset(gradBias) + c, sum, 0, len);
                }
            }
        });
    }

    /** The ReLU gradient of one run, on F32 bit patterns, as the unfused backward computes it. */
    private static void reluGradient(IntBuffer y, IntBuffer gradY, IntBuffer gradPre, int yAt, int gAt, int pAt,
                                     int[] out, int[] grad, int len) {
        y.get(yAt, out, 0, len);
        gradY.get(gAt, grad, 0, len);
        CpuElementwise.reluGradient(out, grad, len);
        gradPre.put(pAt, grad, 0, len);
    }
}
