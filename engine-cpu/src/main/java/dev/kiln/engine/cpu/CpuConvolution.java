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

/**
 * 2-D convolution by im2col and OpenBLAS GEMM, one image at a time. For image n the column buffer
 * {@code col} is {@code [inChannels * kernelH * kernelW, outH * outW]}: row {@code (c, i, j)} holds, for every
 * output pixel, the input pixel under kernel tap (i, j) of channel c (zero in the padding). Then
 * <pre>
 * forward:          out[n]      = weight[outC, C*kh*kw] x col                 (+ bias per channel)
 * backward-filter:  gradWeight += gradOut[n][outC, P] x col^T                  (summed over the batch)
 * backward-data:    col          = weight^T x gradOut[n];  gradInput[n] = col2im(col)
 * </pre>
 * Threading: images run one after another so that OpenBLAS uses all its threads inside each GEMM, and
 * only the im2col/col2im loops are split over channels with {@link Parallel}. The alternative, images
 * split over our threads with one column buffer each and OpenBLAS set to 1 thread, was measured on
 * 2 cores (F32 forward, 3 x 3 kernel, padding 1, best of 30, 2026-11-22): [64, 16, 28, 28] to 32 channels
 * 11.3-13.1 ms in sequence vs 11.5-11.6 ms split; [64, 1, 28, 28] to 32: 2.9 vs 3.0-3.2 ms;
 * [16, 64, 14, 14] to 64: 3.3-3.6 vs 4.6-6.3 ms. No gain that pays for switching OpenBLAS's thread
 * count per call, or for the per-thread weight-gradient buffers backward-filter would need.
 */
final class CpuConvolution {
    private final CpuBackend backend;
    private final Parallel parallel;

    CpuConvolution(CpuBackend backend, Parallel parallel) {
        this.backend = backend;
        this.parallel = parallel;
    }

    /** out [N, outC, outH, outW] = conv(input [N, C, H, W], weight [outC, C, kh, kw]) + bias [outC] (nullable). */
    void forward(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        ColumnPlan plan = new ColumnPlan(g);
        int outPlane = g.outH() * g.outW();
        long outImage = (long) g.outChannels() * outPlane;
        CpuStorage col = (CpuStorage) backend.allocate(input.dtype(), plan.columnSize());
        try {
            for (int n = 0; n < g.batch(); n++) {
                im2col(input, n, plan, col);
                double beta = 0;
                if (bias != null) {
                    broadcastBias(bias, out, n * outImage, g.outChannels(), outPlane);
                    beta = 1;
                }
                gemm(false, false, g.outChannels(), outPlane, plan.rows(), beta,
                        matrix(weight, 0), new Matrix(col, 0), matrix(out, n * outImage));
            }
        } finally {
            col.release();
        }
    }

    /** gradInput [N, C, H, W] = the input gradient of forward, from gradOut [N, outC, outH, outW]. */
    void backwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        ColumnPlan plan = new ColumnPlan(g);
        int outPlane = g.outH() * g.outW();
        long outImage = (long) g.outChannels() * outPlane;
        CpuStorage col = (CpuStorage) backend.allocate(gradOut.dtype(), plan.columnSize());
        try {
            for (int n = 0; n < g.batch(); n++) {
                gemm(true, false, plan.rows(), outPlane, g.outChannels(), 0,
                        matrix(weight, 0), matrix(gradOut, n * outImage), new Matrix(col, 0));
                col2im(col, plan, gradInput, n);
            }
        } finally {
            col.release();
        }
    }

    /** gradWeight [outC, C, kh, kw] and gradBias [outC] (nullable), summed over the batch. */
    void backwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        ColumnPlan plan = new ColumnPlan(g);
        int outPlane = g.outH() * g.outW();
        long outImage = (long) g.outChannels() * outPlane;
        backend.fill(gradWeight, 0);
        CpuStorage col = (CpuStorage) backend.allocate(input.dtype(), plan.columnSize());
        try {
            for (int n = 0; n < g.batch(); n++) {
                im2col(input, n, plan, col);
                gemm(false, true, g.outChannels(), plan.rows(), outPlane, 1,
                        matrix(gradOut, n * outImage), new Matrix(col, 0), matrix(gradWeight, 0));
            }
        } finally {
            col.release();
        }
        if (gradBias != null) {
            sumBias(gradOut, g, gradBias);
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
        final int[] source;

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

        long columnSize() {
            return (long) rows() * outPlane;
        }

        int plane() {
            return g.height() * g.width();
        }
    }

    /** col = im2col(input[image]), split over channels. */
    private void im2col(Tensor input, int image, ColumnPlan plan, CpuStorage col) {
        CpuStorage in = (CpuStorage) input.storage();
        int imageStart = Math.toIntExact(input.offset() + (long) image * plan.g.inChannels() * plan.plane());
        parallel.forRange(plan.g.inChannels(), plan.channelBlock(), (start, end) -> {
            if (input.dtype() == DType.F32) {
                float[] plane = new float[plan.plane()];
                float[] block = new float[plan.channelBlock()];
                for (int c = start; c < end; c++) {
                    in.f32.get(imageStart + c * plan.plane(), plane, 0, plane.length);
                    for (int r = 0; r < block.length; r++) {
                        int s = plan.source[r];
                        block[r] = s < 0 ? 0f : plane[s];
                    }
                    col.f32.put(c * block.length, block, 0, block.length);
                }
            } else {
                double[] plane = new double[plan.plane()];
                double[] block = new double[plan.channelBlock()];
                for (int c = start; c < end; c++) {
                    in.f64.get(imageStart + c * plan.plane(), plane, 0, plane.length);
                    for (int r = 0; r < block.length; r++) {
                        int s = plan.source[r];
                        block[r] = s < 0 ? 0.0 : plane[s];
                    }
                    col.f64.put(c * block.length, block, 0, block.length);
                }
            }
        });
    }

    /** gradInput[image] = col2im(col): each column entry is added back to the input pixel it came from. */
    private void col2im(CpuStorage col, ColumnPlan plan, Tensor gradInput, int image) {
        CpuStorage out = (CpuStorage) gradInput.storage();
        int imageStart = Math.toIntExact(gradInput.offset() + (long) image * plan.g.inChannels() * plan.plane());
        parallel.forRange(plan.g.inChannels(), plan.channelBlock(), (start, end) -> {
            if (gradInput.dtype() == DType.F32) {
                float[] plane = new float[plan.plane()];
                float[] block = new float[plan.channelBlock()];
                for (int c = start; c < end; c++) {
                    col.f32.get(c * block.length, block, 0, block.length);
                    Arrays.fill(plane, 0f);
                    for (int r = 0; r < block.length; r++) {
                        int s = plan.source[r];
                        if (s >= 0) {
                            plane[s] += block[r];
                        }
                    }
                    out.f32.put(imageStart + c * plan.plane(), plane, 0, plane.length);
                }
            } else {
                double[] plane = new double[plan.plane()];
                double[] block = new double[plan.channelBlock()];
                for (int c = start; c < end; c++) {
                    col.f64.get(c * block.length, block, 0, block.length);
                    Arrays.fill(plane, 0.0);
                    for (int r = 0; r < block.length; r++) {
                        int s = plan.source[r];
                        if (s >= 0) {
                            plane[s] += block[r];
                        }
                    }
                    out.f64.put(imageStart + c * plan.plane(), plane, 0, plane.length);
                }
            }
        });
    }

    // ---- bias ----------------------------------------------------------------------------------------

    /** out[start + o * plane + p] = bias[o] for one image: the GEMM then adds onto it (beta = 1). */
    private static void broadcastBias(Tensor bias, Tensor out, long start, int channels, int plane) {
        Data b = Data.of(bias);
        Data o = Data.of(out);
        int base = Math.toIntExact(start);
        for (int c = 0; c < channels; c++) {
            double value = b.get(c);
            for (int p = 0; p < plane; p++) {
                o.set(base + c * plane + p, value);
            }
        }
    }

    /** gradBias[o] = sum over images and pixels of gradOut[n, o, :, :]. */
    private void sumBias(Tensor gradOut, Conv2dGeometry g, Tensor gradBias) {
        Data go = Data.of(gradOut);
        Data gb = Data.of(gradBias);
        int plane = g.outH() * g.outW();
        parallel.forRange(g.outChannels(), (long) g.batch() * plane, (start, end) -> {
            for (int o = start; o < end; o++) {
                double sum = 0;
                for (int n = 0; n < g.batch(); n++) {
                    int base = (n * g.outChannels() + o) * plane;
                    for (int p = 0; p < plane; p++) {
                        sum += go.get(base + p);
                    }
                }
                gb.set(o, sum);
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
        if (c.storage().dtype() == DType.F32) {
            cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1f,
                    a.storage().floatPointer(a.offset()), lda, b.storage().floatPointer(b.offset()), ldb,
                    (float) beta, c.storage().floatPointer(c.offset()), n);
        } else {
            cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0,
                    a.storage().doublePointer(a.offset()), lda, b.storage().doublePointer(b.offset()), ldb,
                    beta, c.storage().doublePointer(c.offset()), n);
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
