package dev.kiln.engine.cpu;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.nio.DoubleBuffer;
import java.nio.FloatBuffer;

/**
 * Fused LSTM and GRU cells: one pass over each step's gates instead of the dozen element-wise passes (and
 * temporaries) of the composites in {@link dev.kiln.engine.Backend}. Rows (batch entries) are independent
 * and split over threads. F32 streams each row through heap arrays in blocks of {@link #BLOCK} hidden
 * units, one array per gate, and works in short loops of plain arithmetic that C2 vectorises; F64 reads
 * the buffers directly with the composites' exact sigmoid and tanh, so that gradient checks see the same
 * function.
 *
 * <p>F32 tanh and sigmoid are {@link FastTanh}'s: {@code Math.exp} is a call per element that is not
 * vectorised (7.6 ns per sigmoid on the dev machine against 0.85 ns), and with it the cell took three
 * times as long as the step's GEMM.
 */
final class CpuRecurrent {
    /** Hidden units per block. */
    private static final int BLOCK = 512;
    /** Work per hidden unit for {@link Parallel#forRange}, relative to a copy. */
    private static final long WORK = 24;
    /** A cell streams up to eight runs at once, twice what {@link Chunks#scratch()} holds. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[8][BLOCK]);

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
                float[] ig = t[0];
                float[] fg = t[1];
                float[] gg = t[2];
                float[] og = t[3];
                float[] cp = t[4];
                float[] cn = t[5];
                float[] h = t[6];
                float[][] gate = {ig, fg, gg, og};
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 4 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 4; k++) {
                            gs.get(go + gateRow + k * hidden, gate[k], 0, len);
                        }
                        cs.get(co + row, cp, 0, len);
                        FastTanh.sigmoid(ig, len);
                        FastTanh.sigmoid(fg, len);
                        FastTanh.tanh(gg, len);
                        FastTanh.sigmoid(og, len);
                        for (int i = 0; i < len; i++) {
                            cn[i] = fg[i] * cp[i] + ig[i] * gg[i];
                            h[i] = cn[i];
                        }
                        FastTanh.tanh(h, len);
                        for (int i = 0; i < len; i++) {
                            h[i] *= og[i];
                        }
                        for (int k = 0; k < 4; k++) {
                            as.put(ao + gateRow + k * hidden, gate[k], 0, len);
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
                float[] ig = t[0];
                float[] fg = t[1];
                float[] gg = t[2];
                float[] og = t[3];
                float[] cp = t[4];
                float[] tc = t[5];
                float[] dh = t[6];
                float[] dc = t[7];
                float[][] gate = {ig, fg, gg, og};
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 4 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 4; k++) {
                            as.get(ao + gateRow + k * hidden, gate[k], 0, len);
                        }
                        cs.get(co + row, cp, 0, len);
                        os.get(oo + row, tc, 0, len);
                        dhs.get(dho + row, dh, 0, len);
                        dcs.get(dco + row, dc, 0, len);
                        FastTanh.tanh(tc, len);
                        // Gradients overwrite the gates and c they are computed from, element by element.
                        for (int i = 0; i < len; i++) {
                            float i1 = ig[i];
                            float f1 = fg[i];
                            float g1 = gg[i];
                            float o1 = og[i];
                            float d = dc[i] + dh[i] * o1 * (1 - tc[i] * tc[i]);
                            ig[i] = d * g1 * i1 * (1 - i1);
                            fg[i] = d * cp[i] * f1 * (1 - f1);
                            gg[i] = d * i1 * (1 - g1 * g1);
                            og[i] = dh[i] * tc[i] * o1 * (1 - o1);
                            cp[i] = d * f1;
                        }
                        for (int k = 0; k < 4; k++) {
                            dgs.put(dgo + gateRow + k * hidden, gate[k], 0, len);
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
                float[] rg = t[0];
                float[] zg = t[1];
                float[] ng = t[2];
                float[] yr = t[3];
                float[] yz = t[4];
                float[] yn = t[5];
                float[] hp = t[6];
                float[][] in = {rg, zg, ng};
                float[][] hid = {yr, yz, yn};
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 3 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 3; k++) {
                            xs.get(xo + gateRow + k * hidden, in[k], 0, len);
                            ys.get(yo + gateRow + k * hidden, hid[k], 0, len);
                        }
                        hs.get(ho + row, hp, 0, len);
                        for (int i = 0; i < len; i++) {
                            rg[i] += yr[i];
                            zg[i] += yz[i];
                        }
                        FastTanh.sigmoid(rg, len);
                        FastTanh.sigmoid(zg, len);
                        for (int i = 0; i < len; i++) {
                            ng[i] += rg[i] * yn[i];
                        }
                        FastTanh.tanh(ng, len);
                        for (int i = 0; i < len; i++) {
                            hp[i] = ng[i] + zg[i] * (hp[i] - ng[i]);
                        }
                        for (int k = 0; k < 3; k++) {
                            as.put(ao + gateRow + k * hidden, in[k], 0, len);
                        }
                        os.put(oo + row, hp, 0, len);
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
                float[] rg = t[0];
                float[] zg = t[1];
                float[] ng = t[2];
                float[] yn = t[3];
                float[] hp = t[4];
                float[] gout = t[5];
                float[][] act = {rg, zg, ng};
                for (int r = start; r < end; r++) {
                    for (int j = 0; j < hidden; j += BLOCK) {
                        int len = Math.min(BLOCK, hidden - j);
                        int gateRow = r * 3 * hidden + j;
                        int row = r * hidden + j;
                        for (int k = 0; k < 3; k++) {
                            as.get(ao + gateRow + k * hidden, act[k], 0, len);
                        }
                        ys.get(yo + gateRow + 2 * hidden, yn, 0, len);
                        hs.get(ho + row, hp, 0, len);
                        gs.get(go + row, gout, 0, len);
                        // Gradients overwrite the activations and h they are computed from; yn ends as the
                        // hidden-side gradient of n, the only block where the two sides differ.
                        for (int i = 0; i < len; i++) {
                            float r1 = rg[i];
                            float z1 = zg[i];
                            float n1 = ng[i];
                            float g = gout[i];
                            float dn = g * (1 - z1) * (1 - n1 * n1);
                            rg[i] = dn * yn[i] * r1 * (1 - r1);
                            zg[i] = g * (hp[i] - n1) * z1 * (1 - z1);
                            ng[i] = dn;
                            yn[i] = dn * r1;
                            hp[i] = g * z1;
                        }
                        for (int k = 0; k < 3; k++) {
                            dxs.put(dxo + gateRow + k * hidden, act[k], 0, len);
                        }
                        dys.put(dyo + gateRow, rg, 0, len);
                        dys.put(dyo + gateRow + hidden, zg, 0, len);
                        dys.put(dyo + gateRow + 2 * hidden, yn, 0, len);
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
