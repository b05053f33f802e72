package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Fused optimizer updates: one pass over parameter, gradient and state per step instead of the eight to
 * fourteen passes (and temporaries) of the composites in {@link dev.kiln.engine.Backend}. Each element
 * follows the composite's arithmetic in the same order and precision (F32 in float with the
 * hyper-parameters rounded to float, as the F32 element-wise kernels do), so the two agree to rounding.
 */
final class CpuUpdates {
    /** Work per element for {@link Parallel#forRange}, relative to a plain copy. */
    private static final long SGD_WORK = 2;
    private static final long ADAM_WORK = 6;

    private final Parallel parallel;

    CpuUpdates(Parallel parallel) {
        this.parallel = parallel;
    }

    // ---- SGD ------------------------------------------------------------------------------------

    void sgd(Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening, double weightDecay,
             boolean nesterov, boolean firstStep) {
        int n = Math.toIntExact(param.size());
        if (param.dtype() == DType.F32) {
            sgdF32(n, param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
        } else if (param.dtype() == DType.F64) {
            sgdF64(n, param, grad, buf, lr, momentum, dampening, weightDecay, nesterov, firstStep);
        } else {
            throw new IllegalArgumentException("sgd: needs F32 or F64, got " + param.dtype());
        }
    }

    private void sgdF32(int n, Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        FloatBuffer p = f32(param);
        FloatBuffer g = f32(grad);
        FloatBuffer b = buf == null ? null : f32(buf);
        int po = offset(param);
        int go = offset(grad);
        int bo = buf == null ? 0 : offset(buf);
        boolean decay = weightDecay != 0;
        boolean withMomentum = momentum != 0;
        float wd = (float) weightDecay;
        float mu = (float) momentum;
        boolean damped = dampening != 0;
        float undamped = (float) (1 - dampening);
        float negLr = (float) -lr;
        parallel.forRange(n, SGD_WORK, (s, e) -> {
            float[][] t = Chunks.scratch();
            float[] pc = t[0];
            float[] gc = t[1];
            float[] bc = t[2];
            for (int c = s; c < e; c += Chunks.SIZE) {
                int len = Math.min(Chunks.SIZE, e - c);
                p.get(po + c, pc, 0, len);
                g.get(go + c, gc, 0, len);
                if (withMomentum && !firstStep) {
                    b.get(bo + c, bc, 0, len);
                }
                for (int i = 0; i < len; i++) {
                    float d = gc[i];
                    if (decay) {
                        d = d + pc[i] * wd;
                    }
                    if (withMomentum) {
                        float v = firstStep ? d : bc[i] * mu + (damped ? d * undamped : d);
                        bc[i] = v;
                        d = nesterov ? d + v * mu : v;
                    }
                    pc[i] = pc[i] + d * negLr;
                }
                p.put(po + c, pc, 0, len);
                if (withMomentum) {
                    b.put(bo + c, bc, 0, len);
                }
            }
        });
    }

    private void sgdF64(int n, Tensor param, Tensor grad, Tensor buf, double lr, double momentum, double dampening,
                        double weightDecay, boolean nesterov, boolean firstStep) {
        DoubleBuffer p = f64(param);
        DoubleBuffer g = f64(grad);
        DoubleBuffer b = buf == null ? null : f64(buf);
        int po = offset(param);
        int go = offset(grad);
        int bo = buf == null ? 0 : offset(buf);
        boolean decay = weightDecay != 0;
        boolean withMomentum = momentum != 0;
        boolean damped = dampening != 0;
        double undamped = 1 - dampening;
        double negLr = -lr;
        parallel.forRange(n, SGD_WORK, (s, e) -> {
            for (int i = s; i < e; i++) {
                double pi = p.get(po + i);
                double d = g.get(go + i);
                if (decay) {
                    d = d + pi * weightDecay;
                }
                if (withMomentum) {
                    double v = firstStep ? d : b.get(bo + i) * momentum + (damped ? d * undamped : d);
                    b.put(bo + i, v);
                    d = nesterov ? d + v * momentum : v;
                }
                p.put(po + i, pi + d * negLr);
            }
        });
    }

    // ---- Adam / AdamW ---------------------------------------------------------------------------

    /** Adam, or AMSGrad when {@code maxExpAvgSq} is not null (the denominator from the largest second moment). */
    void adam(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq, double lr, double beta1,
              double beta2, double eps, double weightDecay, boolean decoupled, long step) {
        int n = Math.toIntExact(param.size());
        double negStepSize = -(lr / (1 - Math.pow(beta1, step)));
        double invSqrtCorrection2 = 1 / Math.sqrt(1 - Math.pow(beta2, step));
        boolean l2 = weightDecay != 0 && !decoupled;
        boolean shrink = weightDecay != 0 && decoupled;
        boolean amsgrad = maxExpAvgSq != null;
        double keep = 1 - lr * weightDecay;
        if (param.dtype() == DType.F32) {
            FloatBuffer p = f32(param);
            FloatBuffer g = f32(grad);
            FloatBuffer m = f32(expAvg);
            FloatBuffer v = f32(expAvgSq);
            FloatBuffer x = amsgrad ? f32(maxExpAvgSq) : null;
            int po = offset(param);
            int go = offset(grad);
            int mo = offset(expAvg);
            int vo = offset(expAvgSq);
            int xo = amsgrad ? offset(maxExpAvgSq) : 0;
            float wd = (float) weightDecay;
            float keepF = (float) keep;
            float b1 = (float) beta1;
            float oneMinusB1 = (float) (1 - beta1);
            float b2 = (float) beta2;
            float oneMinusB2 = (float) (1 - beta2);
            float scale = (float) invSqrtCorrection2;
            float epsF = (float) eps;
            float negStep = (float) negStepSize;
            parallel.forRange(n, ADAM_WORK, (s, e) -> {
                float[][] t = Chunks.scratch();
                float[] pc = t[0];
                float[] gc = t[1];
                float[] mc = t[2];
                float[] vc = t[3];
                float[] xc = t[4];
                for (int c = s; c < e; c += Chunks.SIZE) {
                    int len = Math.min(Chunks.SIZE, e - c);
                    p.get(po + c, pc, 0, len);
                    g.get(go + c, gc, 0, len);
                    m.get(mo + c, mc, 0, len);
                    v.get(vo + c, vc, 0, len);
                    if (amsgrad) {
                        x.get(xo + c, xc, 0, len);
                    }
                    for (int i = 0; i < len; i++) {
                        float pi = pc[i];
                        float gi = gc[i];
                        if (shrink) {
                            pi = pi * keepF;
                        } else if (l2) {
                            gi = gi + pi * wd;
                        }
                        float mi = mc[i] * b1 + gi * oneMinusB1;
                        float vi = vc[i] * b2 + (gi * gi) * oneMinusB2;
                        mc[i] = mi;
                        vc[i] = vi;
                        if (amsgrad) {
                            vi = Math.max(xc[i], vi);
                            xc[i] = vi;
                        }
                        float denom = (float) Math.sqrt(vi) * scale + epsF;
                        pc[i] = pi + (mi / denom) * negStep;
                    }
                    p.put(po + c, pc, 0, len);
                    m.put(mo + c, mc, 0, len);
                    v.put(vo + c, vc, 0, len);
                    if (amsgrad) {
                        x.put(xo + c, xc, 0, len);
                    }
                }
            });
        } else if (param.dtype() == DType.F64) {
            DoubleBuffer p = f64(param);
            DoubleBuffer g = f64(grad);
            DoubleBuffer m = f64(expAvg);
            DoubleBuffer v = f64(expAvgSq);
            DoubleBuffer x = amsgrad ? f64(maxExpAvgSq) : null;
            int po = offset(param);
            int go = offset(grad);
            int mo = offset(expAvg);
            int vo = offset(expAvgSq);
            int xo = amsgrad ? offset(maxExpAvgSq) : 0;
            double oneMinusB1 = 1 - beta1;
            double oneMinusB2 = 1 - beta2;
            parallel.forRange(n, ADAM_WORK, (s, e) -> {
                for (int i = s; i < e; i++) {
                    double pi = p.get(po + i);
                    double gi = g.get(go + i);
                    if (shrink) {
                        pi = pi * keep;
                    } else if (l2) {
                        gi = gi + pi * weightDecay;
                    }
                    double mi = m.get(mo + i) * beta1 + gi * oneMinusB1;
                    double vi = v.get(vo + i) * beta2 + (gi * gi) * oneMinusB2;
                    m.put(mo + i, mi);
                    v.put(vo + i, vi);
                    if (amsgrad) {
                        vi = Math.max(x.get(xo + i), vi);
                        x.put(xo + i, vi);
                    }
                    double denom = Math.sqrt(vi) * invSqrtCorrection2 + eps;
                    p.put(po + i, pi + (mi / denom) * negStepSize);
                }
            });
        } else {
            throw new IllegalArgumentException("adam: needs F32 or F64, got " + param.dtype());
        }
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
