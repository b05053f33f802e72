package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * The row-sparse optimizer steps ({@link dev.kiln.engine.Backend#sparseAdamUpdate},
 * {@link dev.kiln.engine.Backend#sparseAdagradUpdate}) as one loop over the rows: each row of parameter and state is
 * read, updated and written back once, instead of the composite's gathers, passes and index adds over [nnz, c]
 * temporaries. Each element follows the composite's arithmetic in the same order and precision (F32 in float with the
 * hyper-parameters rounded to float), so the two agree bit for bit. The rows are distinct, so they may run in parallel.
 */
final class CpuSparseUpdates {
    /** Work per element for {@link Parallel#forRange}, relative to a plain copy. */
    private static final long ADAM_WORK = 8;
    private static final long ADAGRAD_WORK = 5;

    private final Parallel parallel;

    CpuSparseUpdates(Parallel parallel) {
        this.parallel = parallel;
    }

    void adam(Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor rows, Tensor grad, double stepSize, double beta1,
              double beta2, double eps) {
        long[] index = Data.indices(rows);
        int cols = grad.dim(1);
        if (param.dtype() == DType.F32) {
            adamF32(param, expAvg, expAvgSq, index, grad, cols, stepSize, beta1, beta2, eps);
        } else if (param.dtype() == DType.F64) {
            adamF64(param, expAvg, expAvgSq, index, grad, cols, stepSize, beta1, beta2, eps);
        } else {
            throw new IllegalArgumentException("sparseAdam: needs F32 or F64, got " + param.dtype());
        }
    }

    private void adamF32(Tensor param, Tensor expAvg, Tensor expAvgSq, long[] index, Tensor grad, int cols,
                         double stepSize, double beta1, double beta2, double eps) {
        FloatBuffer p = f32(param);
        FloatBuffer m = f32(expAvg);
        FloatBuffer v = f32(expAvgSq);
        FloatBuffer g = f32(grad);
        int po = offset(param);
        int mo = offset(expAvg);
        int vo = offset(expAvgSq);
        int go = offset(grad);
        float oneMinusB1 = (float) (1 - beta1);
        float oneMinusB2 = (float) (1 - beta2);
        float epsF = (float) eps;
        float negStep = (float) -stepSize;
        parallel.forRange(index.length, cols * ADAM_WORK, (s, e) -> {
            // Whole rows in and out in bulk, so that the loop between runs over plain arrays.
            float[] pr = new float[cols];
            float[] mr = new float[cols];
            float[] vr = new float[cols];
            float[] gr = new float[cols];
            for (int j = s; j < e; j++) {
                int row = (int) index[j] * cols;
                p.get(po + row, pr, 0, cols);
                m.get(mo + row, mr, 0, cols);
                v.get(vo + row, vr, 0, cols);
                g.get(go + j * cols, gr, 0, cols);
                for (int c = 0; c < cols; c++) {
                    float gi = gr[c];
                    float mi = mr[c];
                    float vi = vr[c];
                    float mUpdate = (gi - mi) * oneMinusB1;
                    float vUpdate = (gi * gi - vi) * oneMinusB2;
                    mr[c] = mi + mUpdate;
                    vr[c] = vi + vUpdate;
                    float denom = (float) Math.sqrt(vUpdate + vi) + epsF;
                    pr[c] = pr[c] + (mUpdate + mi) / denom * negStep;
                }
                p.put(po + row, pr, 0, cols);
                m.put(mo + row, mr, 0, cols);
                v.put(vo + row, vr, 0, cols);
            }
        });
    }

    private void adamF64(Tensor param, Tensor expAvg, Tensor expAvgSq, long[] index, Tensor grad, int cols,
                         double stepSize, double beta1, double beta2, double eps) {
        DoubleBuffer p = f64(param);
        DoubleBuffer m = f64(expAvg);
        DoubleBuffer v = f64(expAvgSq);
        DoubleBuffer g = f64(grad);
        int po = offset(param);
        int mo = offset(expAvg);
        int vo = offset(expAvgSq);
        int go = offset(grad);
        double oneMinusB1 = 1 - beta1;
        double oneMinusB2 = 1 - beta2;
        double negStep = -stepSize;
        parallel.forRange(index.length, cols * ADAM_WORK, (s, e) -> {
            for (int j = s; j < e; j++) {
                int row = (int) index[j] * cols;
                for (int c = 0; c < cols; c++) {
                    double gi = g.get(go + j * cols + c);
                    double mi = m.get(mo + row + c);
                    double vi = v.get(vo + row + c);
                    double mUpdate = (gi - mi) * oneMinusB1;
                    double vUpdate = (gi * gi - vi) * oneMinusB2;
                    m.put(mo + row + c, mi + mUpdate);
                    v.put(vo + row + c, vi + vUpdate);
                    double denom = Math.sqrt(vUpdate + vi) + eps;
                    int at = po + row + c;
                    p.put(at, p.get(at) + (mUpdate + mi) / denom * negStep);
                }
            }
        });
    }

    void adagrad(Tensor param, Tensor sum, Tensor rows, Tensor grad, double clr, double eps) {
        long[] index = Data.indices(rows);
        int cols = grad.dim(1);
        if (param.dtype() == DType.F32) {
            adagradF32(param, sum, index, grad, cols, clr, eps);
        } else if (param.dtype() == DType.F64) {
            adagradF64(param, sum, index, grad, cols, clr, eps);
        } else {
            throw new IllegalArgumentException("sparseAdagrad: needs F32 or F64, got " + param.dtype());
        }
    }

    private void adagradF32(Tensor param, Tensor sum, long[] index, Tensor grad, int cols, double clr, double eps) {
        FloatBuffer p = f32(param);
        FloatBuffer sq = f32(sum);
        FloatBuffer g = f32(grad);
        int po = offset(param);
        int so = offset(sum);
        int go = offset(grad);
        float epsF = (float) eps;
        float negClr = (float) -clr;
        parallel.forRange(index.length, cols * ADAGRAD_WORK, (s, e) -> {
            float[] pr = new float[cols];
            float[] sr = new float[cols];
            float[] gr = new float[cols];
            for (int j = s; j < e; j++) {
                int row = (int) index[j] * cols;
                p.get(po + row, pr, 0, cols);
                sq.get(so + row, sr, 0, cols);
                g.get(go + j * cols, gr, 0, cols);
                for (int c = 0; c < cols; c++) {
                    float gi = gr[c];
                    float total = sr[c] + gi * gi;
                    sr[c] = total;
                    float std = (float) Math.sqrt(total) + epsF;
                    pr[c] = pr[c] + gi / std * negClr;
                }
                p.put(po + row, pr, 0, cols);
                sq.put(so + row, sr, 0, cols);
            }
        });
    }

    private void adagradF64(Tensor param, Tensor sum, long[] index, Tensor grad, int cols, double clr, double eps) {
        DoubleBuffer p = f64(param);
        DoubleBuffer sq = f64(sum);
        DoubleBuffer g = f64(grad);
        int po = offset(param);
        int so = offset(sum);
        int go = offset(grad);
        double negClr = -clr;
        parallel.forRange(index.length, cols * ADAGRAD_WORK, (s, e) -> {
            for (int j = s; j < e; j++) {
                int row = (int) index[j] * cols;
                for (int c = 0; c < cols; c++) {
                    double gi = g.get(go + j * cols + c);
                    double total = sq.get(so + row + c) + gi * gi;
                    sq.put(so + row + c, total);
                    double std = Math.sqrt(total) + eps;
                    int at = po + row + c;
                    p.put(at, p.get(at) + gi / std * negClr);
                }
            }
        });
    }

    private static FloatBuffer f32(Tensor t) {
        return ((CpuStorage) t.storage()).f32;
    }

    private static DoubleBuffer f64(Tensor t) {
        return ((CpuStorage) t.storage()).f64;
    }

    private static int offset(Tensor t) {
        return Math.toIntExact(t.offset());
    }
}
