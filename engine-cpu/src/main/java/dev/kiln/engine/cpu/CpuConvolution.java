package dev.kiln.engine.cpu;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_dgemm;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * 2-D convolution by im2col and OpenBLAS GEMM over groups of images. For a group of G images the column
 * buffer {@code col} is {@code [inChannels * kernelH * kernelW, G * outH * outW]}: row {@code (c, i, j)} holds,
 * for every output pixel of every image of the group, the input pixel under kernel tap (i, j) of channel c
 * (zero in the padding). With gradOut and out packed as {@code [outC, G * P]} (P = outH * outW):
 * <pre>
 * forward:          out          = weight[outC, C*kh*kw] x col                 (+ bias per channel)
 * backward-filter:  gradWeight  += gradOut x col^T                               (summed over the groups)
 * backward-data:    col          = weight^T x gradOut;  gradInput = col2im(col)
 * </pre>
 * One image at a time makes GEMMs too small for OpenBLAS to run at speed (LeNet's first layer: 20 x 25 x 576
 * per image); a group makes the pixel dimension G times longer for the price of packing out and gradOut
 * between [G, outC, P] and [outC, G * P]. The group is as many images as fit {@link #COLUMN_BUDGET}.
 * Threading: GEMMs use all of OpenBLAS's threads; the im2col, col2im and packing loops are split over
 * (image, channel) pairs with {@link Parallel}, never while a GEMM runs.
 */
final class CpuConvolution {
    /** Elements of the column buffer for one group of images: 4 Mi, 16 MiB in F32. */
    static final long COLUMN_BUDGET = 1 << 22;

    /** Plans of the geometries seen last: a training loop repeats a few of them every step. */
    private static final int PLANS_KEPT = 32;

    private final CpuBackend backend;
    private final Parallel parallel;
    private final Map<Conv2dGeometry, ColumnPlan> plans = new LinkedHashMap<>(PLANS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Conv2dGeometry, ColumnPlan> eldest) {
            return size() > PLANS_KEPT;
        }
    };

    CpuConvolution(CpuBackend backend, Parallel parallel) {
        this.backend = backend;
        this.parallel = parallel;
    }

    /** out [N, outC, outH, outW] = conv(input [N, C, H, W], weight [outC, C, kh, kw]) + bias [outC] (nullable). */
    void forward(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        ColumnPlan plan = plan(g);
        int group = plan.groupSize();
        CpuStorage col = (CpuStorage) backend.allocate(input.dtype(), plan.columnSize(group));
        CpuStorage product = (CpuStorage) backend.allocate(input.dtype(), plan.packedSize(group));
        try {
            for (int first = 0; first < g.batch(); first += group) {
                int count = Math.min(group, g.batch() - first);
                im2col(input, first, count, plan, col);
                double beta = 0;
                if (bias != null) {
                    fillRowsWithBias(bias, product, count * plan.outPlane);
                    beta = 1;
                }
                gemm(false, false, g.outChannels(), count * plan.outPlane, plan.rows(), beta,
                        matrix(weight, 0), new Matrix(col, 0), new Matrix(product, 0));
                unpack(product, plan, first, count, out);
            }
        } finally {
            col.release();
            product.release();
        }
    }

    /** gradInput [N, C, H, W] = the input gradient of forward, from gradOut [N, outC, outH, outW]. */
    void backwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        ColumnPlan plan = plan(g);
        int group = plan.groupSize();
        CpuStorage col = (CpuStorage) backend.allocate(gradOut.dtype(), plan.columnSize(group));
        CpuStorage packed = (CpuStorage) backend.allocate(gradOut.dtype(), plan.packedSize(group));
        try {
            for (int first = 0; first < g.batch(); first += group) {
                int count = Math.min(group, g.batch() - first);
                pack(gradOut, plan, first, count, packed);
                gemm(true, false, plan.rows(), count * plan.outPlane, g.outChannels(), 0,
                        matrix(weight, 0), new Matrix(packed, 0), new Matrix(col, 0));
                col2im(col, first, count, plan, gradInput);
            }
        } finally {
            col.release();
            packed.release();
        }
    }

    /** gradWeight [outC, C, kh, kw] and gradBias [outC] (nullable), summed over the batch. */
    void backwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        ColumnPlan plan = plan(g);
        int group = plan.groupSize();
        CpuStorage col = (CpuStorage) backend.allocate(input.dtype(), plan.columnSize(group));
        CpuStorage packed = (CpuStorage) backend.allocate(input.dtype(), plan.packedSize(group));
        backend.fill(gradWeight, 0);
        try {
            for (int first = 0; first < g.batch(); first += group) {
                int count = Math.min(group, g.batch() - first);
                im2col(input, first, count, plan, col);
                pack(gradOut, plan, first, count, packed);
                gemm(false, true, g.outChannels(), plan.rows(), count * plan.outPlane, 1,
                        new Matrix(packed, 0), new Matrix(col, 0), matrix(gradWeight, 0));
            }
        } finally {
            col.release();
            packed.release();
        }
        if (gradBias != null) {
            sumBias(gradOut, g, gradBias);
        }
    }

    private ColumnPlan plan(Conv2dGeometry g) {
        synchronized (plans) {
            return plans.computeIfAbsent(g, ColumnPlan::new);
        }
    }

    // ---- im2col and col2im -------------------------------------------------------------------------

    /**
     * For one kernel tap row {@code (i, j)} and output pixel p, the flat index of the input pixel it reads
     * within its [H, W] plane, or -1 in the padding. The same for every channel and image, so it is
     * computed once per call; im2col and col2im then never repeat the index arithmetic.
     */
    static final class ColumnPlan {
        final Conv2dGeometry g;
        final int taps;
        final int outPlane;
        private final int[] source;
        /** Runs of consecutive block entries read from consecutive plane pixels: block start, plane start, length. */
        final int[] runBlock;
        final int[] runPlane;
        final int[] runLength;

        ColumnPlan(Conv2dGeometry g) {
            this.g = g;
            this.taps = g.kernelH() * g.kernelW();
            this.outPlane = g.outH() * g.outW();
            this.source = new int[taps * outPlane];
            for (int i = 0; i < g.kernelH(); i++) {
                for (int j = 0; j < g.kernelW(); j++) {
                    fillTap(i, j, (i * g.kernelW() + j) * outPlane);
                }
            }
            int runs = countRuns();
            runBlock = new int[runs];
            runPlane = new int[runs];
            runLength = new int[runs];
            fillRuns();
        }

        private boolean continuesRun(int r) {
            return r > 0 && source[r] >= 0 && source[r - 1] >= 0 && source[r] == source[r - 1] + 1;
        }

        private int countRuns() {
            int runs = 0;
            for (int r = 0; r < source.length; r++) {
                if (source[r] >= 0 && !continuesRun(r)) {
                    runs++;
                }
            }
            return runs;
        }

        private void fillRuns() {
            int k = -1;
            for (int r = 0; r < source.length; r++) {
                if (source[r] < 0) {
                    continue;
                }
                if (continuesRun(r)) {
                    runLength[k]++;
                } else {
                    k++;
                    runBlock[k] = r;
                    runPlane[k] = source[r];
                    runLength[k] = 1;
                }
            }
        }

        /**
         * Copies one channel's plane into its block of the column buffer, run by run. Entries in the padding
         * are never written: the block starts zeroed and every channel leaves the same entries alone. Strided
         * convolutions make runs of one element, copied without the call.
         */
        void fillBlock(float[] plane, float[] block) {
            for (int k = 0; k < runBlock.length; k++) {
                if (runLength[k] == 1) {
                    block[runBlock[k]] = plane[runPlane[k]];
                } else {
                    System.arraycopy(plane, runPlane[k], block, runBlock[k], runLength[k]);
                }
            }
        }

        /** As {@link #fillBlock(float[], float[])} for F64. */
        void fillBlock(double[] plane, double[] block) {
            for (int k = 0; k < runBlock.length; k++) {
                System.arraycopy(plane, runPlane[k], block, runBlock[k], runLength[k]);
            }
        }

        /**
         * The reverse of {@link #fillBlock(float[], float[])}: adds each block entry onto the plane pixel it
         * was read from, run by run (a loop the JIT vectorises, where an index per entry would not be).
         */
        void addBlock(float[] block, float[] plane) {
            for (int k = 0; k < runBlock.length; k++) {
                int from = runBlock[k];
                int to = runPlane[k];
                for (int t = 0; t < runLength[k]; t++) {
                    plane[to + t] += block[from + t];
                }
            }
        }

        /** As {@link #addBlock(float[], float[])} for F64. */
        void addBlock(double[] block, double[] plane) {
            for (int k = 0; k < runBlock.length; k++) {
                int from = runBlock[k];
                int to = runPlane[k];
                for (int t = 0; t < runLength[k]; t++) {
                    plane[to + t] += block[from + t];
                }
            }
        }

        private void fillTap(int i, int j, int base) {
            for (int oh = 0; oh < g.outH(); oh++) {
                int ih = oh * g.strideH() - g.padH() + i * g.dilationH();
                for (int ow = 0; ow < g.outW(); ow++) {
                    int iw = ow * g.strideW() - g.padW() + j * g.dilationW();
                    boolean inside = ih >= 0 && ih < g.height() && iw >= 0 && iw < g.width();
                    source[base + oh * g.outW() + ow] = inside ? ih * g.width() + iw : -1;
                }
            }
        }

        /** Rows of the column buffer: C * kh * kw. */
        int rows() {
            return g.inChannels() * taps;
        }

        /** Elements of one channel's block of rows: kh * kw * outH * outW. */
        int channelBlock() {
            return taps * outPlane;
        }

        /** Images per group: as many as fit {@link #COLUMN_BUDGET}, at least one, at most the batch. */
        int groupSize() {
            long perImage = Math.max(1, (long) rows() * outPlane);
            return (int) Math.max(1, Math.min(g.batch(), COLUMN_BUDGET / perImage));
        }

        /** Elements of the column buffer for {@code group} images: [rows, group * outPlane]. */
        long columnSize(int group) {
            return (long) rows() * group * outPlane;
        }

        /** Elements of out or gradOut packed as [outC, group * outPlane]. */
        long packedSize(int group) {
            return (long) g.outChannels() * group * outPlane;
        }

        int plane() {
            return g.height() * g.width();
        }
    }

    /**
     * col = im2col of images [first, first + count): row (c, tap) holds image k's pixels at columns
     * [k * P, (k + 1) * P). Split over (image, channel) pairs; each pair writes its own column segments.
     */
    private void im2col(Tensor input, int first, int count, ColumnPlan plan, CpuStorage col) {
        CpuStorage in = (CpuStorage) input.storage();
        int channels = plan.g.inChannels();
        int rowLength = count * plan.outPlane;
        parallel.forRange(count * channels, plan.channelBlock(), (start, end) -> {
            Object plane = input.dtype() == DType.F32 ? new float[plan.plane()] : new double[plan.plane()];
            Object block = input.dtype() == DType.F32 ? new float[plan.channelBlock()] : new double[plan.channelBlock()];
            for (int pair = start; pair < end; pair++) {
                int k = pair / channels;
                int c = pair % channels;
                int planeStart = Math.toIntExact(input.offset() + ((long) (first + k) * channels + c) * plan.plane());
                if (plane instanceof float[] p) {
                    in.f32.get(planeStart, p, 0, p.length);
                    plan.fillBlock(p, (float[]) block);
                } else {
                    double[] p = (double[]) plane;
                    in.f64.get(planeStart, p, 0, p.length);
                    plan.fillBlock(p, (double[]) block);
                }
                for (int tap = 0; tap < plan.taps; tap++) {
                    long rowStart = (long) (c * plan.taps + tap) * rowLength + (long) k * plan.outPlane;
                    putRun(block, tap * plan.outPlane, col, rowStart, plan.outPlane);
                }
            }
        });
    }

    /**
     * gradInput[first + k] = col2im of image k's columns: each column entry is added back to the input pixel
     * it came from. Split over (image, channel) pairs; each pair writes its own input plane.
     */
    private void col2im(CpuStorage col, int first, int count, ColumnPlan plan, Tensor gradInput) {
        CpuStorage out = (CpuStorage) gradInput.storage();
        int channels = plan.g.inChannels();
        int rowLength = count * plan.outPlane;
        parallel.forRange(count * channels, plan.channelBlock(), (start, end) -> {
            boolean f32 = gradInput.dtype() == DType.F32;
            Object block = f32 ? new float[plan.channelBlock()] : new double[plan.channelBlock()];
            float[] planeF = f32 ? new float[plan.plane()] : null;
            double[] planeD = f32 ? null : new double[plan.plane()];
            for (int pair = start; pair < end; pair++) {
                int k = pair / channels;
                int c = pair % channels;
                for (int tap = 0; tap < plan.taps; tap++) {
                    long rowStart = (long) (c * plan.taps + tap) * rowLength + (long) k * plan.outPlane;
                    getRun(col, rowStart, block, tap * plan.outPlane, plan.outPlane);
                }
                int planeStart = Math.toIntExact(gradInput.offset() + ((long) (first + k) * channels + c) * plan.plane());
                if (f32) {
                    Arrays.fill(planeF, 0f);
                    plan.addBlock((float[]) block, planeF);
                    out.f32.put(planeStart, planeF, 0, planeF.length);
                } else {
                    Arrays.fill(planeD, 0.0);
                    plan.addBlock((double[]) block, planeD);
                    out.f64.put(planeStart, planeD, 0, planeD.length);
                }
            }
        });
    }

    // ---- packing between [G, outC, P] and [outC, G * P] -----------------------------------------------

    /** packed[o, k * P + p] = gradOut[first + k, o, p]. */
    private void pack(Tensor gradOut, ColumnPlan plan, int first, int count, CpuStorage packed) {
        CpuStorage src = (CpuStorage) gradOut.storage();
        int outC = plan.g.outChannels();
        int p = plan.outPlane;
        parallel.forRange(outC, (long) count * p, (start, end) -> {
            for (int o = start; o < end; o++) {
                for (int k = 0; k < count; k++) {
                    long from = gradOut.offset() + ((long) (first + k) * outC + o) * p;
                    copyRun(src, from, packed, (long) o * count * p + (long) k * p, p);
                }
            }
        });
    }

    /** out[first + k, o, p] = product[o, k * P + p]. */
    private void unpack(CpuStorage product, ColumnPlan plan, int first, int count, Tensor out) {
        CpuStorage dst = (CpuStorage) out.storage();
        int outC = plan.g.outChannels();
        int p = plan.outPlane;
        parallel.forRange(outC, (long) count * p, (start, end) -> {
            for (int o = start; o < end; o++) {
                for (int k = 0; k < count; k++) {
                    long to = out.offset() + ((long) (first + k) * outC + o) * p;
                    copyRun(product, (long) o * count * p + (long) k * p, dst, to, p);
                }
            }
        });
    }

    private static void copyRun(CpuStorage src, long from, CpuStorage dst, long to, int length) {
        if (src.dtype() == DType.F32) {
            dst.f32.put(Math.toIntExact(to), src.f32, Math.toIntExact(from), length);
        } else {
            dst.f64.put(Math.toIntExact(to), src.f64, Math.toIntExact(from), length);
        }
    }

    private static void putRun(Object array, int from, CpuStorage dst, long to, int length) {
        if (array instanceof float[] a) {
            dst.f32.put(Math.toIntExact(to), a, from, length);
        } else {
            dst.f64.put(Math.toIntExact(to), (double[]) array, from, length);
        }
    }

    private static void getRun(CpuStorage src, long from, Object array, int to, int length) {
        if (array instanceof float[] a) {
            src.f32.get(Math.toIntExact(from), a, to, length);
        } else {
            src.f64.get(Math.toIntExact(from), (double[]) array, to, length);
        }
    }

    // ---- bias ----------------------------------------------------------------------------------------

    /** product[o, :] = bias[o] over rows of {@code rowLength}: the GEMM then adds onto it (beta = 1). */
    private static void fillRowsWithBias(Tensor bias, CpuStorage product, int rowLength) {
        Data b = Data.of(bias);
        int channels = Math.toIntExact(bias.size());
        double[] row = new double[rowLength];
        Data packed = Data.of(product, 0);
        for (int o = 0; o < channels; o++) {
            Arrays.fill(row, b.get(o));
            packed.write(o * rowLength, row, 0, rowLength);
        }
    }

    /** gradBias[o] = sum over images and pixels of gradOut[n, o, :, :]. */
    private void sumBias(Tensor gradOut, Conv2dGeometry g, Tensor gradBias) {
        Data go = Data.of(gradOut);
        Data gb = Data.of(gradBias);
        int plane = g.outH() * g.outW();
        parallel.forRange(g.outChannels(), (long) g.batch() * plane, (start, end) -> {
            double[] values = new double[(end - start) * plane];
            double[] sums = new double[end - start];
            for (int n = 0; n < g.batch(); n++) {
                go.read((n * g.outChannels() + start) * plane, values, 0, values.length);
                for (int o = 0; o < end - start; o++) {
                    double sum = 0;
                    for (int p = o * plane; p < (o + 1) * plane; p++) {
                        sum += values[p];
                    }
                    sums[o] += sum;
                }
            }
            for (int o = start; o < end; o++) {
                gb.set(o, sums[o - start]);
            }
        });
    }

    // ---- GEMM on storage ---------------------------------------------------------------------------

    /** A row-major matrix starting at element {@code offset} of {@code storage}. */
    private record Matrix(CpuStorage storage, long offset) {
    }

    private static Matrix matrix(Tensor t, long extraOffset) {
        return new Matrix((CpuStorage) t.storage(), t.offset() + extraOffset);
    }

    /**
     * {@code C = op(A) op(B) + beta C} with op(A) [m, k] and op(B) [k, n], as {@link CpuGemm} but on a
     * column buffer that is storage, not a tensor. All sizes here are at least 1 except possibly k.
     */
    private static void gemm(boolean transA, boolean transB, int m, int n, int k, double beta,
                             Matrix a, Matrix b, Matrix c) {
        if (m == 0 || n == 0 || (k == 0 && beta == 1)) {
            return;
        }
        if (k == 0) {
            zero(c, (long) m * n);
            return;
        }
        int lda = transA ? m : k;
        int ldb = transB ? k : n;
        int ta = transA ? CblasTrans : CblasNoTrans;
        int tb = transB ? CblasTrans : CblasNoTrans;
        OpenBlasCalls.enter();
        try {
            if (c.storage().dtype() == DType.F32) {
                cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1f,
                        a.storage().floatPointer(a.offset()), lda, b.storage().floatPointer(b.offset()), ldb,
                        (float) beta, c.storage().floatPointer(c.offset()), n);
            } else {
                cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0,
                        a.storage().doublePointer(a.offset()), lda, b.storage().doublePointer(b.offset()), ldb,
                        beta, c.storage().doublePointer(c.offset()), n);
            }
        } finally {
            OpenBlasCalls.leave();
        }
    }

    private static void zero(Matrix c, long count) {
        int start = Math.toIntExact(c.offset());
        for (int i = 0; i < count; i++) {
            if (c.storage().dtype() == DType.F32) {
                c.storage().f32.put(start + i, 0f);
            } else {
                c.storage().f64.put(start + i, 0.0);
            }
        }
    }
}
