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
 * Threading: GEMMs use all of OpenBLAS's threads; im2col is split over column rows, col2im over channels and
 * packing over output channels with {@link Parallel}, never while a GEMM runs.
 */
final class CpuConvolution {
    /** Elements of the column buffer for one group of images: 4 Mi, 16 MiB in F32. */
    static final long COLUMN_BUDGET = 1 << 22;

    /** Elements per bulk copy of column rows between the heap and the column buffer: 256 KiB in F32. */
    static final int TRANSFER = 1 << 16;

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
        /** Runs of tap t are [tapRuns[t], tapRuns[t + 1]); a run never crosses from one tap to the next. */
        final int[] tapRuns;
        /** Runs of consecutive block entries read from consecutive plane pixels: block start, plane start, length. */
        final int[] runBlock;
        final int[] runPlane;
        final int[] runLength;
        /** Whether every column entry reads a pixel (no padding): then rows need no zeroing. */
        final boolean coversAll;

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
            tapRuns = new int[taps + 1];
            fillRuns();
            coversAll = countCovered() == source.length;
        }

        private boolean continuesRun(int r) {
            return r % outPlane != 0 && source[r] >= 0 && source[r - 1] >= 0 && source[r] == source[r - 1] + 1;
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
                if (r % outPlane == 0) {
                    tapRuns[r / outPlane] = k + 1;
                }
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
            tapRuns[taps] = k + 1;
        }

        private int countCovered() {
            int covered = 0;
            for (int length : runLength) {
                covered += length;
            }
            return covered;
        }

        /**
         * Copies tap {@code tap}'s entries for one image and channel, whose plane starts at {@code src[srcBase]},
         * into the column row segment starting at {@code dst[dstBase]} (outH * outW entries). Entries in the
         * padding are not written. {@code src} and {@code dst} are both float[] or both double[]. F32 without
         * padding gathers through the index table: LeNet's runs are 8 pixels long, and a copy call per run cost
         * more than an indexed load per pixel; otherwise run by run.
         */
        void fillTapRow(Object src, int srcBase, int tap, Object dst, int dstBase) {
            if (coversAll && src instanceof float[] from) {
                float[] to = (float[]) dst;
                int r = tap * outPlane;
                for (int p = 0; p < outPlane; p++) {
                    to[dstBase + p] = from[srcBase + source[r + p]];
                }
                return;
            }
            int shift = dstBase - tap * outPlane;
            for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
                System.arraycopy(src, srcBase + runPlane[k], dst, shift + runBlock[k], runLength[k]);
            }
        }

        /** The reverse of {@link #fillTapRow}: adds each row entry onto the plane pixel it was read from. */
        void addTapRow(float[] row, int rowBase, int tap, float[] plane, int planeBase) {
            int shift = rowBase - tap * outPlane;
            for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
                int from = shift + runBlock[k];
                int to = planeBase + runPlane[k];
                for (int t = 0; t < runLength[k]; t++) {
                    plane[to + t] += row[from + t];
                }
            }
        }

        /** As {@link #addTapRow(float[], int, int, float[], int)} for F64. */
        void addTapRow(double[] row, int rowBase, int tap, double[] plane, int planeBase) {
            int shift = rowBase - tap * outPlane;
            for (int k = tapRuns[tap]; k < tapRuns[tap + 1]; k++) {
                int from = shift + runBlock[k];
                int to = planeBase + runPlane[k];
                for (int t = 0; t < runLength[k]; t++) {
                    plane[to + t] += row[from + t];
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
     * [k * P, (k + 1) * P). The group's input is read in one bulk copy and each thread builds its range of rows
     * on the heap, written back in chunks of {@link #TRANSFER} elements: writing each image's 64-pixel row
     * segment straight into the column buffer cost a buffer call per segment, 32,000 per call for LeNet's
     * second layer.
     */
    private void im2col(Tensor input, int first, int count, ColumnPlan plan, CpuStorage col) {
        DType dtype = input.dtype();
        int channels = plan.g.inChannels();
        int planeSize = plan.plane();
        Object images = newArray(dtype, count * channels * planeSize);
        getRun((CpuStorage) input.storage(), input.offset() + (long) first * channels * planeSize, images, 0,
                count * channels * planeSize);
        int rowLength = count * plan.outPlane;
        int rowsPerChunk = Math.max(1, TRANSFER / rowLength);
        parallel.forRange(plan.rows(), rowLength, (start, end) -> {
            Object rows = newArray(dtype, Math.min(rowsPerChunk, end - start) * rowLength);
            for (int r0 = start; r0 < end; r0 += rowsPerChunk) {
                int r1 = Math.min(end, r0 + rowsPerChunk);
                if (!plan.coversAll) {
                    zero(rows);
                }
                for (int r = r0; r < r1; r++) {
                    int c = r / plan.taps;
                    for (int k = 0; k < count; k++) {
                        plan.fillTapRow(images, (k * channels + c) * planeSize, r % plan.taps,
                                rows, (r - r0) * rowLength + k * plan.outPlane);
                    }
                }
                putRun(rows, 0, col, (long) r0 * rowLength, (r1 - r0) * rowLength);
            }
        });
    }

    /**
     * gradInput[first + k] = col2im of image k's columns: each column entry is added back to the input pixel
     * it came from. Split over channels: channel c's rows are one bulk read, and the group's gradInput is built
     * on the heap and written in one bulk copy.
     */
    private void col2im(CpuStorage col, int first, int count, ColumnPlan plan, Tensor gradInput) {
        DType dtype = gradInput.dtype();
        int channels = plan.g.inChannels();
        int planeSize = plan.plane();
        int rowLength = count * plan.outPlane;
        int channelRows = plan.taps * rowLength;
        Object grads = newArray(dtype, count * channels * planeSize);
        parallel.forRange(channels, channelRows, (start, end) -> {
            Object rows = newArray(dtype, channelRows);
            for (int c = start; c < end; c++) {
                getRun(col, (long) c * channelRows, rows, 0, channelRows);
                for (int k = 0; k < count; k++) {
                    int planeBase = (k * channels + c) * planeSize;
                    for (int tap = 0; tap < plan.taps; tap++) {
                        int rowBase = tap * rowLength + k * plan.outPlane;
                        if (rows instanceof float[] f) {
                            plan.addTapRow(f, rowBase, tap, (float[]) grads, planeBase);
                        } else {
                            plan.addTapRow((double[]) rows, rowBase, tap, (double[]) grads, planeBase);
                        }
                    }
                }
            }
        });
        putRun(grads, 0, (CpuStorage) gradInput.storage(),
                gradInput.offset() + (long) first * channels * planeSize, count * channels * planeSize);
    }

    private static Object newArray(DType dtype, int length) {
        return dtype == DType.F32 ? new float[length] : new double[length];
    }

    private static void zero(Object array) {
        if (array instanceof float[] f) {
            Arrays.fill(f, 0f);
        } else {
            Arrays.fill((double[]) array, 0.0);
        }
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
        Object row = newArray(product.dtype(), rowLength);
        for (int o = 0; o < bias.size(); o++) {
            if (row instanceof float[] f) {
                Arrays.fill(f, (float) b.get(o));
            } else {
                Arrays.fill((double[]) row, b.get(o));
            }
            putRun(row, 0, product, (long) o * rowLength, rowLength);
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
