package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Fused LSTM and GRU cells: one pass over each step's gates instead of the dozen element-wise passes (and
 * temporaries) of the composites in {@link dev.kiln.engine.Backend}. Rows (batch entries) are independent
 * and split over threads. F32 streams each row through heap arrays in blocks of {@link #BLOCK} hidden
 * units, its four gates side by side in one array; F64 reads the buffers directly with the composites'
 * exact sigmoid and tanh, so that gradient checks see the same function.
 *
 * <p>F32 tanh is {@code 1 - 2 / (exp(2x) + 1)} in double: {@code Math.tanh} is not an intrinsic on JDK 17
 * and costs several times {@code Math.exp}; in double the formula is exact to well below float rounding.
 */
final class CpuRecurrent {
    /** Hidden units per block: four gates of a block fill one {@link Chunks#SIZE} array. */
    private static final int BLOCK = Chunks.SIZE / 4;
    /** Work per hidden unit for {@link Parallel#forRange}: a few exponentials, relative to a copy. */
    private static final long WORK = 24;
    /** The backward passes stream five runs at once, one more than {@link Chunks#scratch()} holds. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[5][Chunks.SIZE]);

    private final Parallel parallel;

    CpuRecurrent(Parallel parallel) {
        this.parallel = parallel;
    }

    // ---- LSTM -----------------------------------------------------------------------------------

    void lstmForward(Tensor gates, Tensor c, Tensor hOut, Tensor cOut, Tensor activations) {
        int batch = c.dim(0);
        int hidden = c.dim(1);
        if (c.dtype() == DType.F32) {
            FloatBuffer gs = f32(gates);
            FloatBuffer cs = f32(c);
            FloatBuffer hs = f32(hOut);
            FloatBuffer os = f32(cOut);
            FloatBuffer as = f32(activations);
            int go = offset(gates);
            int co = offset(c);
            int ho = offset(hOut);
            int oo = offset(cOut);
            int ao = offset(activations);
            parallel.forRange(batch, WORK * hidden, (start, end) -> {
                float[][] t = SCRATCH.get();
                float[] g = t[0];
                float[] cp = t[1];
                float[] h = t[2];
                float[] cn = t[3];
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 4 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 4; k++) {
                            gs.get(go + gateRow + k * hidden, g, k * len, len);
                        }
                        cs.get(co + row, cp, 0, len);
                        for (int i = 0; i < len; i++) {
                            float ig = sigmoid(g[i]);
                            float fg = sigmoid(g[len + i]);
                            float gg = tanh(g[2 * len + i]);
                            float og = sigmoid(g[3 * len + i]);
                            float cv = fg * cp[i] + ig * gg;
                            g[i] = ig;
                            g[len + i] = fg;
                            g[2 * len + i] = gg;
                            g[3 * len + i] = og;
                            cn[i] = cv;
                            h[i] = og * tanh(cv);
                        }
                        for (int k = 0; k < 4; k++) {
                            as.put(ao + gateRow + k * hidden, g, k * len, len);
                        }
                        hs.put(ho + row, h, 0, len);
                        os.put(oo + row, cn, 0, len);
                    }
                }
            });
            return;
        }
        DoubleBuffer gs = f64(gates);
        DoubleBuffer cs = f64(c);
        DoubleBuffer hs = f64(hOut);
        DoubleBuffer os = f64(cOut);
        DoubleBuffer as = f64(activations);
        int go = offset(gates);
        int co = offset(c);
        int ho = offset(hOut);
        int oo = offset(cOut);
        int ao = offset(activations);
        parallel.forRange(batch, WORK * hidden, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int j = 0; j < hidden; j++) {
                    int gate = r * 4 * hidden + j;
                    int at = r * hidden + j;
                    double ig = sigmoid(gs.get(go + gate));
                    double fg = sigmoid(gs.get(go + gate + hidden));
                    double gg = Math.tanh(gs.get(go + gate + 2 * hidden));
                    double og = sigmoid(gs.get(go + gate + 3 * hidden));
                    double cv = fg * cs.get(co + at) + ig * gg;
                    as.put(ao + gate, ig);
                    as.put(ao + gate + hidden, fg);
                    as.put(ao + gate + 2 * hidden, gg);
                    as.put(ao + gate + 3 * hidden, og);
                    os.put(oo + at, cv);
                    hs.put(ho + at, og * Math.tanh(cv));
                }
            }
        });
    }

    void lstmBackward(Tensor activations, Tensor c, Tensor cOut, Tensor gradH, Tensor gradC, Tensor gradGates,
                      Tensor gradCPrev) {
        int batch = c.dim(0);
        int hidden = c.dim(1);
        if (c.dtype() == DType.F32) {
            FloatBuffer as = f32(activations);
            FloatBuffer cs = f32(c);
            FloatBuffer os = f32(cOut);
            FloatBuffer dhs = f32(gradH);
            FloatBuffer dcs = f32(gradC);
            FloatBuffer dgs = f32(gradGates);
            FloatBuffer dps = f32(gradCPrev);
            int ao = offset(activations);
            int co = offset(c);
            int oo = offset(cOut);
            int dho = offset(gradH);
            int dco = offset(gradC);
            int dgo = offset(gradGates);
            int dpo = offset(gradCPrev);
            parallel.forRange(batch, WORK * hidden, (start, end) -> {
                float[][] t = SCRATCH.get();
                float[] g = t[0];
                float[] cp = t[1];
                float[] cn = t[2];
                float[] dh = t[3];
                float[] dcIn = t[4];
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 4 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 4; k++) {
                            as.get(ao + gateRow + k * hidden, g, k * len, len);
                        }
                        cs.get(co + row, cp, 0, len);
                        os.get(oo + row, cn, 0, len);
                        dhs.get(dho + row, dh, 0, len);
                        dcs.get(dco + row, dcIn, 0, len);
                        for (int i = 0; i < len; i++) {
                            float ig = g[i];
                            float fg = g[len + i];
                            float gg = g[2 * len + i];
                            float og = g[3 * len + i];
                            float tc = tanh(cn[i]);
                            float dc = dcIn[i] + dh[i] * og * (1 - tc * tc);
                            g[i] = dc * gg * ig * (1 - ig);
                            g[len + i] = dc * cp[i] * fg * (1 - fg);
                            g[2 * len + i] = dc * ig * (1 - gg * gg);
                            g[3 * len + i] = dh[i] * tc * og * (1 - og);
                            cp[i] = dc * fg;
                        }
                        for (int k = 0; k < 4; k++) {
                            dgs.put(dgo + gateRow + k * hidden, g, k * len, len);
                        }
                        dps.put(dpo + row, cp, 0, len);
                    }
                }
            });
            return;
        }
        DoubleBuffer as = f64(activations);
        DoubleBuffer cs = f64(c);
        DoubleBuffer os = f64(cOut);
        DoubleBuffer dhs = f64(gradH);
        DoubleBuffer dcs = f64(gradC);
        DoubleBuffer dgs = f64(gradGates);
        DoubleBuffer dps = f64(gradCPrev);
        int ao = offset(activations);
        int co = offset(c);
        int oo = offset(cOut);
        int dho = offset(gradH);
        int dco = offset(gradC);
        int dgo = offset(gradGates);
        int dpo = offset(gradCPrev);
        parallel.forRange(batch, WORK * hidden, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int j = 0; j < hidden; j++) {
                    int gate = r * 4 * hidden + j;
                    int at = r * hidden + j;
                    double ig = as.get(ao + gate);
                    double fg = as.get(ao + gate + hidden);
                    double gg = as.get(ao + gate + 2 * hidden);
                    double og = as.get(ao + gate + 3 * hidden);
                    double tc = Math.tanh(os.get(oo + at));
                    double dh = dhs.get(dho + at);
                    double dc = dcs.get(dco + at) + dh * og * (1 - tc * tc);
                    dgs.put(dgo + gate, dc * gg * ig * (1 - ig));
                    dgs.put(dgo + gate + hidden, dc * cs.get(co + at) * fg * (1 - fg));
                    dgs.put(dgo + gate + 2 * hidden, dc * ig * (1 - gg * gg));
                    dgs.put(dgo + gate + 3 * hidden, dh * tc * og * (1 - og));
                    dps.put(dpo + at, dc * fg);
                }
            }
        });
    }

    // ---- GRU ------------------------------------------------------------------------------------

    void gruForward(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor hOut, Tensor activations) {
        int batch = h.dim(0);
        int hidden = h.dim(1);
        if (h.dtype() == DType.F32) {
            FloatBuffer xs = f32(inputGates);
            FloatBuffer ys = f32(hiddenGates);
            FloatBuffer hs = f32(h);
            FloatBuffer os = f32(hOut);
            FloatBuffer as = f32(activations);
            int xo = offset(inputGates);
            int yo = offset(hiddenGates);
            int ho = offset(h);
            int oo = offset(hOut);
            int ao = offset(activations);
            parallel.forRange(batch, WORK * hidden, (start, end) -> {
                float[][] t = SCRATCH.get();
                float[] x = t[0];
                float[] y = t[1];
                float[] hp = t[2];
                float[] hn = t[3];
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 3 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 3; k++) {
                            xs.get(xo + gateRow + k * hidden, x, k * len, len);
                            ys.get(yo + gateRow + k * hidden, y, k * len, len);
                        }
                        hs.get(ho + row, hp, 0, len);
                        for (int i = 0; i < len; i++) {
                            float rg = sigmoid(x[i] + y[i]);
                            float zg = sigmoid(x[len + i] + y[len + i]);
                            float ng = tanh(x[2 * len + i] + rg * y[2 * len + i]);
                            x[i] = rg;
                            x[len + i] = zg;
                            x[2 * len + i] = ng;
                            hn[i] = ng + zg * (hp[i] - ng);
                        }
                        for (int k = 0; k < 3; k++) {
                            as.put(ao + gateRow + k * hidden, x, k * len, len);
                        }
                        os.put(oo + row, hn, 0, len);
                    }
                }
            });
            return;
        }
        DoubleBuffer xs = f64(inputGates);
        DoubleBuffer ys = f64(hiddenGates);
        DoubleBuffer hs = f64(h);
        DoubleBuffer os = f64(hOut);
        DoubleBuffer as = f64(activations);
        int xo = offset(inputGates);
        int yo = offset(hiddenGates);
        int ho = offset(h);
        int oo = offset(hOut);
        int ao = offset(activations);
        parallel.forRange(batch, WORK * hidden, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int j = 0; j < hidden; j++) {
                    int gate = r * 3 * hidden + j;
                    int at = r * hidden + j;
                    double rg = sigmoid(xs.get(xo + gate) + ys.get(yo + gate));
                    double zg = sigmoid(xs.get(xo + gate + hidden) + ys.get(yo + gate + hidden));
                    double ng = Math.tanh(xs.get(xo + gate + 2 * hidden) + rg * ys.get(yo + gate + 2 * hidden));
                    as.put(ao + gate, rg);
                    as.put(ao + gate + hidden, zg);
                    as.put(ao + gate + 2 * hidden, ng);
                    os.put(oo + at, ng + zg * (hs.get(ho + at) - ng));
                }
            }
        });
    }

    void gruBackward(Tensor activations, Tensor hiddenGates, Tensor h, Tensor gradHOut, Tensor gradInputGates,
                     Tensor gradHiddenGates, Tensor gradH) {
        int batch = h.dim(0);
        int hidden = h.dim(1);
        if (h.dtype() == DType.F32) {
            FloatBuffer as = f32(activations);
            FloatBuffer ys = f32(hiddenGates);
            FloatBuffer hs = f32(h);
            FloatBuffer gs = f32(gradHOut);
            FloatBuffer dxs = f32(gradInputGates);
            FloatBuffer dys = f32(gradHiddenGates);
            FloatBuffer dhs = f32(gradH);
            int ao = offset(activations);
            int yo = offset(hiddenGates);
            int ho = offset(h);
            int go = offset(gradHOut);
            int dxo = offset(gradInputGates);
            int dyo = offset(gradHiddenGates);
            int dho = offset(gradH);
            parallel.forRange(batch, WORK * hidden, (start, end) -> {
                float[][] t = SCRATCH.get();
                float[] a = t[0];
                float[] yn = t[1];
                float[] hp = t[2];
                float[] gout = t[3];
                float[] dy = t[4];
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 3 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 3; k++) {
                            as.get(ao + gateRow + k * hidden, a, k * len, len);
                        }
                        ys.get(yo + gateRow + 2 * hidden, yn, 0, len);
                        hs.get(ho + row, hp, 0, len);
                        gs.get(go + row, gout, 0, len);
                        for (int i = 0; i < len; i++) {
                            float rg = a[i];
                            float zg = a[len + i];
                            float ng = a[2 * len + i];
                            float g = gout[i];
                            float dn = g * (1 - zg) * (1 - ng * ng);
                            float dr = dn * yn[i] * rg * (1 - rg);
                            float dz = g * (hp[i] - ng) * zg * (1 - zg);
                            a[i] = dr;
                            a[len + i] = dz;
                            a[2 * len + i] = dn;
                            dy[i] = dr;
                            dy[len + i] = dz;
                            dy[2 * len + i] = dn * rg;
                            hp[i] = g * zg;
                        }
                        for (int k = 0; k < 3; k++) {
                            dxs.put(dxo + gateRow + k * hidden, a, k * len, len);
                            dys.put(dyo + gateRow + k * hidden, dy, k * len, len);
                        }
                        dhs.put(dho + row, hp, 0, len);
                    }
                }
            });
            return;
        }
        DoubleBuffer as = f64(activations);
        DoubleBuffer ys = f64(hiddenGates);
        DoubleBuffer hs = f64(h);
        DoubleBuffer gs = f64(gradHOut);
        DoubleBuffer dxs = f64(gradInputGates);
        DoubleBuffer dys = f64(gradHiddenGates);
        DoubleBuffer dhs = f64(gradH);
        int ao = offset(activations);
        int yo = offset(hiddenGates);
        int ho = offset(h);
        int go = offset(gradHOut);
        int dxo = offset(gradInputGates);
        int dyo = offset(gradHiddenGates);
        int dho = offset(gradH);
        parallel.forRange(batch, WORK * hidden, (start, end) -> {
            for (int r = start; r < end; r++) {
                for (int j = 0; j < hidden; j++) {
                    int gate = r * 3 * hidden + j;
                    int at = r * hidden + j;
                    double rg = as.get(ao + gate);
                    double zg = as.get(ao + gate + hidden);
                    double ng = as.get(ao + gate + 2 * hidden);
                    double g = gs.get(go + at);
                    double dn = g * (1 - zg) * (1 - ng * ng);
                    double dr = dn * ys.get(yo + gate + 2 * hidden) * rg * (1 - rg);
                    double dz = g * (hs.get(ho + at) - ng) * zg * (1 - zg);
                    dxs.put(dxo + gate, dr);
                    dxs.put(dxo + gate + hidden, dz);
                    dxs.put(dxo + gate + 2 * hidden, dn);
                    dys.put(dyo + gate, dr);
                    dys.put(dyo + gate + hidden, dz);
                    dys.put(dyo + gate + 2 * hidden, dn * rg);
                    dhs.put(dho + at, g * zg);
                }
            }
        });
    }

    // ---- activations ----------------------------------------------------------------------------

    private static float sigmoid(float x) {
        return (float) (1 / (1 + Math.exp(-x)));
    }

    private static float tanh(float x) {
        return (float) (1 - 2 / (Math.exp(2.0 * x) + 1));
    }

    /** The composite's sigmoid (CpuElementwise): never exp of a large positive number. */
    private static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
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
