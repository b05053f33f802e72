package dev.kiln.engine.cpu;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.OpenBlasGemm.Matrix;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;
import java.util.function.ObjIntConsumer;

/**
 * 2-D convolution by im2col and OpenBLAS GEMM over groups of images. For a group of G images the column
 * buffer {@code col} is {@code [inChannels * kernelH * kernelW, G * P]} with P = outH * outW: row
 * {@code (c, i, j)} holds, for every output pixel of every image of the group, the input pixel under kernel tap
 * (i, j) of channel c (zero in the padding).
 * <pre>
 * forward:          out          = weight[outC, C*kh*kw] x col                 (+ bias per channel)
 * backward-filter:  gradWeight^T += col x gradOut^T                              (summed over the groups)
 * backward-data:    col          = weight^T x gradOut;  gradInput = col2im(col)
 * </pre>
 * Two layouts of a row, chosen by {@link ColumnPlan#perImage()}:
 * <ul>
 *   <li>Large output planes: image k's pixels at columns [k * P, (k + 1) * P), and one GEMM per image on the
 *   image's [outC, P] block of out or gradOut in place.</li>
 *   <li>Small ones, where per-image GEMMs are too small for OpenBLAS to run at speed (LeNet's second layer:
 *   50 x 500 x 64 per image): one GEMM for the group, on columns interleaved by image (pixel p of image k at
 *   column p * G + k) and out and gradOut transposed between [G, outC * P] and [outC * P, G] to match. A run of
 *   pixels in a row is then one contiguous run of G times as many entries, which im2col copies and col2im adds
 *   in long loops; with images outermost they were runs of 8 (LeNet), and cost more than the GEMMs.</li>
 * </ul>
 * The bias rides in the GEMMs: with a bias the column buffer has one more row, all ones, and the weight one
 * more column, the bias; backward-filter's GEMM then sums gradOut over pixels into the matching row of its
 * transposed sums, the bias gradient. The group is as many images as fit {@link #COLUMN_BUDGET}.
 * Threading, all on {@link Parallel}: a group's GEMM is split by {@link OpenBlasGemm}, per-image GEMMs over the
 * images; im2col over column rows, col2im over channels and transposes over column tiles.
 */
final class CpuConvolution {
    /**
     * Elements of the column buffer for one group of images: 1 Mi, 4 MiB in F32, small enough to stay in cache
     * from im2col to the GEMM. LeNet (W2), alternating on one machine: groups of 32 images at 1 Mi, 4,509-6,438
     * samples/s against 4,191-5,753 for whole batches of 64 at 4 Mi, ahead in each of four rounds.
     */
    static final long COLUMN_BUDGET = 1 << 20;

    /** Elements per bulk copy of column rows between the heap and the column buffer: 256 KiB in F32. */
    static final int TRANSFER = 1 << 16;

    /**
     * Runs of at least this many entries go from the source straight into the column buffer, one bulk copy each,
     * rather than through rows built on the heap: a bulk copy into a direct buffer costs about 9 ns more than
     * System.arraycopy, and the heap rows another pass. LeNet's second layer (runs of 8 pixels x 32 images):
     * 0.057 against 0.112 ms per group; LeNet's first (runs of 24) 0.41 against 0.16 ms the other way.
     */
    static final int DIRECT_RUN = 128;

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
        checkColumnsFit(g, input.dtype());
        ColumnPlan plan = plan(g);
        int group = plan.groupSize();
        int depth = plan.rows() + (bias == null ? 0 : 1);
        int outC = g.outChannels();
        int p = plan.outPlane;
        CpuStorage kernel = null;
        CpuStorage col = null;
        CpuStorage product = null;
        try {
            kernel = bias == null ? null : weightWithBias(weight, bias, plan);
            Matrix a = bias == null ? matrix(weight, 0, plan.rows()) : new Matrix(kernel, 0, depth);
            col = allocate(input.dtype(), plan.columnSize(depth, group));
            product = plan.perImage() ? null : allocate(input.dtype(), plan.packedSize(group));
            GroupArrays arrays = GroupArrays.of(input.dtype(), plan);
            for (int first = 0; first < g.batch(); first += group) {
                int count = Math.min(group, g.batch() - first);
                int ld = count * p;
                im2col(input, first, count, plan, col, arrays);
                if (bias != null) {
                    fillRow(col, plan.rows(), ld, 1);
                }
                if (plan.perImage()) {
                    outputPerImage(a, col, plan, depth, first, count, out);
                } else {
                    gemm(false, false, outC, ld, depth, 0, a, new Matrix(col, 0, ld), new Matrix(product, 0, ld));
                    unpack(product, plan, first, count, out, arrays);
                }
            }
        } finally {
            release(kernel, col, product);
        }
    }

    /** out of images [first, first + count) = a [outC, depth] x each image's columns, straight into out. */
    private void outputPerImage(Matrix a, CpuStorage col, ColumnPlan plan, int depth, int first, int count,
                                Tensor out) {
        int outC = plan.g.outChannels();
        int p = plan.outPlane;
        int ld = count * p;
        forEachImage(count, (long) outC * p * depth, k -> gemm(false, false, outC, p, depth, 0, a,
                new Matrix(col, (long) k * p, ld), matrix(out, (long) (first + k) * outC * p, p)));
    }

    /** gradInput [N, C, H, W] = the input gradient of forward, from gradOut [N, outC, outH, outW]. */
    void backwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        backward(null, gradOut, weight, g, gradInput, null, null);
    }

    /** gradWeight [outC, C, kh, kw] and gradBias [outC] (nullable), summed over the batch. */
    void backwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        backward(input, gradOut, null, g, null, gradWeight, gradBias);
    }

    /**
     * Both backward passes from one gradOut [N, outC, outH, outW], group by group, so that each group's gradOut
     * is packed once for both: gradInput (null: not wanted; needs weight) and gradWeight with gradBias (both
     * null: not wanted; gradBias alone may be null; needs input). The filter GEMMs sum the transpose,
     * [rows (+ 1), outC] = col x gradOut^T, copied into place at the end: OpenBLAS ran that orientation 20-37%
     * faster than gradOut x col^T on LeNet's second layer (groups of 32) and the small ResNet's layers.
     */
    void backward(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput,
                  Tensor gradWeight, Tensor gradBias) {
        checkColumnsFit(g, gradOut.dtype());
        if (gradInput != null && inputGradientConvolves(g)) {
            inputGradientAsConvolution(gradOut, weight, g, gradInput);
            if (gradWeight != null) {
                columnBackward(input, gradOut, null, g, null, gradWeight, gradBias);
            }
            return;
        }
        columnBackward(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
    }

    /**
     * Whether {@link #inputGradientAsConvolution} computes gradInput of {@code g}: at stride 1, where the padding
     * it needs, {@code dilation * (kernel - 1) - padding}, is not negative, on output planes that get one GEMM per
     * image. There it costs an im2col and a GEMM as deep as the forward's, where col2im's path costs a GEMM only
     * outC deep writing a column buffer nine times the input (3x3), and the scatter-add of that buffer. Batch 256,
     * 3x3, padding 1, forward and backward, best of four runs: [16, 28, 28] -> 16 37.6 -> 35.2 ms, [32, 14, 14] ->
     * 32 28.0 -> 26.9 ms; on interleaved planes it lost ([64, 7, 7] -> 64 25.0 -> 26.7 ms).
     */
    private boolean inputGradientConvolves(Conv2dGeometry g) {
        return g.strideH() == 1 && g.strideW() == 1 && g.padH() < g.effectiveKernelH()
                && g.padW() < g.effectiveKernelW() && plan(g).perImage();
    }

    /**
     * gradInput = gradOut convolved with the kernel turned by 180 degrees, its channel axes swapped
     * ({@code [C, outC, kh, kw]}), at stride 1 and the padding that makes the result the input's size: at stride 1
     * each input pixel's gradient is the sum over the output pixels whose window covered it, which is that
     * convolution.
     */
    private void inputGradientAsConvolution(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        Conv2dGeometry transposed = new Conv2dGeometry(g.batch(), g.outChannels(), g.outH(), g.outW(),
                g.inChannels(), g.kernelH(), g.kernelW(), 1, 1, g.effectiveKernelH() - 1 - g.padH(),
                g.effectiveKernelW() - 1 - g.padW(), g.dilationH(), g.dilationW());
        try (Tensor turned = Tensor.empty(transposed.weightShape(), weight.dtype(), backend)) {
            turnKernel(weight, g, turned);
            forward(gradOut, turned, null, transposed, gradInput);
        }
    }

    /** turned [C, outC, kh, kw] = weight [outC, C, kh, kw] with the channel axes swapped and each kernel turned. */
    private static void turnKernel(Tensor weight, Conv2dGeometry g, Tensor turned) {
        int outC = g.outChannels();
        int channels = g.inChannels();
        int taps = g.kernelH() * g.kernelW();
        double[] from = new double[outC * channels * taps];
        double[] to = new double[from.length];
        Data.of(weight).read(0, from, 0, from.length);
        for (int o = 0; o < outC; o++) {
            for (int c = 0; c < channels; c++) {
                for (int t = 0; t < taps; t++) {
                    to[(c * outC + o) * taps + taps - 1 - t] = from[(o * channels + c) * taps + t];
                }
            }
        }
        Data.of(turned).write(0, to, 0, to.length);
    }

    /** {@link #backward} through column buffers: gradInput by a GEMM into one and col2im. */
    private void columnBackward(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput,
                                Tensor gradWeight, Tensor gradBias) {
        ColumnPlan plan = plan(g);
        int group = plan.groupSize();
        int rows = plan.rows();
        int depth = rows + (gradBias == null ? 0 : 1);
        int outC = g.outChannels();
        int p = plan.outPlane;
        boolean filter = gradWeight != null;
        CpuStorage sums = null;
        CpuStorage col = null;
        CpuStorage packed = null;
        try {
            Matrix c = null;
            if (filter) {
                sums = allocate(gradOut.dtype(), (long) depth * outC);
                c = new Matrix(sums, 0, outC);
                zero(c, (long) depth * outC);
            }
            col = allocate(gradOut.dtype(), plan.columnSize(filter ? depth : rows, group));
            packed = plan.perImage() ? null : allocate(gradOut.dtype(), plan.packedSize(group));
            GroupArrays arrays = GroupArrays.of(gradOut.dtype(), plan);
            for (int first = 0; first < g.batch(); first += group) {
                int count = Math.min(group, g.batch() - first);
                if (packed != null) {
                    pack(gradOut, plan, first, count, packed, arrays);
                }
                if (gradInput != null) {
                    inputGradientOfGroup(gradOut, weight, plan, first, count, packed, col, gradInput, arrays);
                }
                if (filter) {
                    im2col(input, first, count, plan, col, arrays);
                    if (gradBias != null) {
                        fillRow(col, rows, count * p, 1);
                    }
                    filterSumsOfGroup(gradOut, plan, depth, first, count, packed, col, c);
                }
            }
            if (filter) {
                transposeIntoWeightAndBias(sums, plan, gradWeight, gradBias);
            }
        } finally {
            release(sums, col, packed);
        }
    }

    /** gradInput of images [first, first + count): col = weight^T x gradOut, then col2im. */
    private void inputGradientOfGroup(Tensor gradOut, Tensor weight, ColumnPlan plan, int first, int count,
                                      CpuStorage packed, CpuStorage col, Tensor gradInput, GroupArrays arrays) {
        int rows = plan.rows();
        int outC = plan.g.outChannels();
        int p = plan.outPlane;
        int ld = count * p;
        Matrix a = matrix(weight, 0, rows);
        if (packed == null) {
            forEachImage(count, (long) rows * p * outC, k -> gemm(true, false, rows, p, outC, 0, a,
                    matrix(gradOut, (long) (first + k) * outC * p, p), new Matrix(col, (long) k * p, ld)));
        } else {
            gemm(true, false, rows, ld, outC, 0, a, new Matrix(packed, 0, ld), new Matrix(col, 0, ld));
        }
        col2im(col, first, count, plan, gradInput, arrays);
    }

    /** c [depth, outC] += col x gradOut^T over images [first, first + count), col holding their im2col. */
    private void filterSumsOfGroup(Tensor gradOut, ColumnPlan plan, int depth, int first, int count,
                                   CpuStorage packed, CpuStorage col, Matrix c) {
        int outC = plan.g.outChannels();
        int p = plan.outPlane;
        int ld = count * p;
        if (packed == null) {
            sumOverImages(count, (long) depth * outC * p, c, depth * outC, (into, k) -> gemm(false, true, depth,
                    outC, p, 1, new Matrix(col, (long) k * p, ld), matrix(gradOut, (long) (first + k) * outC * p, p),
                    into));
        } else {
            gemm(false, true, depth, outC, ld, 1, new Matrix(col, 0, ld), new Matrix(packed, 0, ld), c);
        }
    }

    /**
     * Runs {@code gemmOfImage} for images [0, count), each a GEMM of {@code multiplyAdds}, split over Kiln's
     * threads by image (a GEMM inside runs on its thread alone).
     */
    private void forEachImage(int count, long multiplyAdds, IntConsumer gemmOfImage) {
        parallel.forRange(count, multiplyAdds, (start, end) -> {
            for (int k = start; k < end; k++) {
                gemmOfImage.accept(k);
            }
        });
    }

    /**
     * As {@link #forEachImage} for GEMMs that each add into the sum {@code c} ({@code elements} contiguous
     * entries): each thread adds its images into a zeroed sum of its own, added to {@code c} at the end.
     */
    private void sumOverImages(int count, long multiplyAdds, Matrix c, int elements,
                               ObjIntConsumer<Matrix> gemmOfImage) {
        int parts = Math.min(parallel.threads(), count);
        if (parts == 1) {
            for (int k = 0; k < count; k++) {
                gemmOfImage.accept(c, k);
            }
            return;
        }
        CpuStorage partials = allocate(c.storage().dtype(), (long) parts * elements);
        try {
            Matrix all = new Matrix(partials, 0, c.ld());
            zero(all, (long) parts * elements);
            parallel.forRange(parts, multiplyAdds * count / parts, (start, end) -> {
                for (int part = start; part < end; part++) {
                    Matrix into = new Matrix(partials, (long) part * elements, c.ld());
                    for (int k = count * part / parts; k < count * (part + 1) / parts; k++) {
                        gemmOfImage.accept(into, k);
                    }
                }
            });
            addPartials(partials, parts, elements, c);
        } finally {
            release(partials);
        }
    }

    /** c += the sum of the {@code parts} consecutive blocks of {@code elements} entries in {@code partials}. */
    private static void addPartials(CpuStorage partials, int parts, int elements, Matrix c) {
        Data target = Data.of(c.storage(), Math.toIntExact(c.offset()));
        double[] sum = new double[elements];
        double[] part = new double[elements];
        target.read(0, sum, 0, elements);
        Data blocks = Data.of(partials, 0);
        for (int b = 0; b < parts; b++) {
            blocks.read(b * elements, part, 0, elements);
            for (int i = 0; i < elements; i++) {
                sum[i] += part[i];
            }
        }
        target.write(0, sum, 0, elements);
    }

    /**
     * Refuses a geometry whose column buffer for one image, [C * kh * kw + 1, outH * outW] with the bias row, would
     * not fit one buffer of the backend: the smallest group of images the convolution unfolds at once.
     */
    private static void checkColumnsFit(Conv2dGeometry g, DType dtype) {
        long values = ((long) g.inChannels() * g.kernelH() * g.kernelW() + 1) * g.outH() * g.outW();
        if (values > CpuMemory.MAX_BLOCK_BYTES / dtype.bytes()) {
            throw new IllegalArgumentException("conv2d: one image of [" + g.inChannels() + ", " + g.height() + ", "
                    + g.width() + "] under a " + g.kernelH() + "x" + g.kernelW() + " kernel unfolds into " + values + " "
                    + dtype + " values for " + g.outH() + "x" + g.outW() + " outputs, beyond the "
                    + CpuMemory.MAX_BLOCK_BYTES + " bytes the CPU backend's buffers hold");
        }
    }

    private ColumnPlan plan(Conv2dGeometry g) {
        synchronized (plans) {
            return plans.computeIfAbsent(g, ColumnPlan::new);
        }
    }

    // ---- im2col and col2im -------------------------------------------------------------------------

    /**
     * col = im2col of images [first, first + count), in the plan's layout. The group's input is read in one bulk
     * copy (and for the interleaved layout transposed to [C * H * W, count], so that a run of pixels is one
     * contiguous run of count * length entries). The per-image layout's spans, and interleaved runs of at least
     * {@link #DIRECT_RUN} entries, go straight into the column buffer, zeros into the padding between them;
     * otherwise (and where F32 gathers, see {@link ColumnPlan#fillTapRow}) each thread builds its range of rows on
     * the heap, written back in chunks of {@link #TRANSFER} elements, as a buffer call per short run costs more
     * than the copy.
     */
    private void im2col(Tensor input, int first, int count, ColumnPlan plan, CpuStorage col, GroupArrays arrays) {
        DType dtype = input.dtype();
        int channels = plan.g.inChannels();
        int planeSize = plan.plane();
        int imageSize = channels * planeSize;
        Object images = arrays.first();
        getRun((CpuStorage) input.storage(), input.offset() + (long) first * imageSize, images, 0, count * imageSize);
        Object source = plan.perImage() ? images : transpose(images, count, imageSize, arrays.second());
        int rowLength = count * plan.outPlane;
        boolean gathers = plan.perImage() && plan.gathers(source);
        if (plan.perImage() && !gathers) {
            parallel.forRange(plan.rows(), rowLength, (start, end) -> {
                Object zeros = newArray(dtype, plan.outPlane);
                for (int r = start; r < end; r++) {
                    for (int k = 0; k < count; k++) {
                        plan.putTapRow(source, (k * channels + r / plan.taps) * planeSize, r % plan.taps, col,
                                (long) r * rowLength + (long) k * plan.outPlane, zeros);
                    }
                }
            });
            return;
        }
        if (plan.copiesRunsDirectly(count)) {
            parallel.forRange(plan.rows(), rowLength, (start, end) -> {
                Object zeros = newArray(dtype, rowLength);
                for (int r = start; r < end; r++) {
                    plan.putTapRowInterleaved(source, (r / plan.taps) * planeSize * count, r % plan.taps, col,
                            (long) r * rowLength, count, zeros);
                }
            });
            return;
        }
        int rowsPerChunk = Math.max(1, TRANSFER / rowLength);
        parallel.forRange(plan.rows(), rowLength, (start, end) -> {
            Object rows = newArray(dtype, Math.min(rowsPerChunk, end - start) * rowLength);
            for (int r0 = start; r0 < end; r0 += rowsPerChunk) {
                int r1 = Math.min(end, r0 + rowsPerChunk);
                if (!plan.coversAll && !gathers) {
                    zero(rows);
                }
                for (int r = r0; r < r1; r++) {
                    int c = r / plan.taps;
                    int rowBase = (r - r0) * rowLength;
                    if (plan.perImage()) {
                        for (int k = 0; k < count; k++) {
                            plan.fillTapRow(source, (k * channels + c) * planeSize, r % plan.taps,
                                    rows, rowBase + k * plan.outPlane);
                        }
                    } else {
                        plan.fillTapRowInterleaved(source, c * planeSize * count, r % plan.taps, rows, rowBase, count);
                    }
                }
                putRun(rows, 0, col, (long) r0 * rowLength, (r1 - r0) * rowLength);
            }
        });
    }

    /**
     * gradInput[first + k] = col2im of image k's columns: each column entry is added back to the input pixel
     * it came from. Split over channels: channel c's rows are one bulk read (or, for runs of at least
     * {@link #DIRECT_RUN} entries, one per run) and summed into one plane (per image) or the channel's
     * interleaved planes, a small array that stays in cache, then copied into the group's gradInput, built on
     * the heap (interleaved: as [C * H * W, count], transposed at the end) and written in one bulk copy.
     */
    private void col2im(CpuStorage col, int first, int count, ColumnPlan plan, Tensor gradInput, GroupArrays arrays) {
        DType dtype = gradInput.dtype();
        int channels = plan.g.inChannels();
        int planeSize = plan.plane();
        int imageSize = channels * planeSize;
        int rowLength = count * plan.outPlane;
        int channelRows = plan.taps * rowLength;
        int sumSize = plan.perImage() ? planeSize : planeSize * count;
        boolean direct = plan.copiesRunsDirectly(count);
        Object grads = arrays.first();
        parallel.forRange(channels, channelRows, (start, end) -> {
            Object rows = direct ? null : newArray(dtype, channelRows);
            Object sums = newArray(dtype, sumSize);
            Object staging = newArray(dtype, sumSize);
            for (int c = start; c < end; c++) {
                if (!direct) {
                    getRun(col, (long) c * channelRows, rows, 0, channelRows);
                }
                if (plan.perImage()) {
                    for (int k = 0; k < count; k++) {
                        zero(sums);
                        for (int tap = 0; tap < plan.taps; tap++) {
                            plan.addTapRow(rows, tap * rowLength + k * plan.outPlane, tap, sums, staging);
                        }
                        System.arraycopy(sums, 0, grads, (k * channels + c) * planeSize, planeSize);
                    }
                } else {
                    zero(sums);
                    for (int tap = 0; tap < plan.taps; tap++) {
                        if (direct) {
                            plan.addTapRowInterleaved(col, (long) c * channelRows + (long) tap * rowLength, tap,
                                    sums, staging, count);
                        } else {
                            plan.addTapRowInterleaved(rows, tap * rowLength, tap, sums, staging, count);
                        }
                    }
                    System.arraycopy(sums, 0, grads, c * sumSize, sumSize);
                }
            }
        });
        Object images = plan.perImage() ? grads : transpose(grads, imageSize, count, arrays.second());
        putRun(images, 0, (CpuStorage) gradInput.storage(), gradInput.offset() + (long) first * imageSize,
                count * imageSize);
    }

    /**
     * Two heap arrays for all of a call's groups, each as long as a group's input or output images, whichever is
     * longer: the group's images read from the tensor, and their transpose (or the input gradient built on the heap
     * and its transpose). The per-image layout transposes nothing, so it gets no second array. New arrays for every
     * group, each zeroed by the JVM before being overwritten, were 90% of what a ResNet-18 step allocated on the Java
     * heap (JFR's allocation samples).
     */
    private record GroupArrays(Object first, Object second) {
        static GroupArrays of(DType dtype, ColumnPlan plan) {
            long imageSize = Math.max((long) plan.g.inChannels() * plan.plane(),
                    (long) plan.g.outChannels() * plan.outPlane);
            int length = Math.toIntExact(plan.groupSize() * imageSize);
            return new GroupArrays(newArray(dtype, length), plan.perImage() ? null : newArray(dtype, length));
        }
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

    /** {@code target}'s first rows * cols entries = the transpose [cols, rows] of {@code array} [rows, cols]; returns target. */
    private Object transpose(Object array, int rows, int cols, Object target) {
        Transposes.transpose(array, rows, cols, target, parallel);
        return target;
    }

    // ---- packing between [G, outC, P] and the interleaved [outC, P * G] ---------------------------------

    /** packed[o, p * count + k] = gradOut[first + k, o, p]: the group's [count, outC * P] block transposed. */
    private void pack(Tensor gradOut, ColumnPlan plan, int first, int count, CpuStorage packed, GroupArrays arrays) {
        int imageSize = plan.g.outChannels() * plan.outPlane;
        Object block = arrays.first();
        getRun((CpuStorage) gradOut.storage(), gradOut.offset() + (long) first * imageSize, block, 0,
                count * imageSize);
        putRun(transpose(block, count, imageSize, arrays.second()), 0, packed, 0, count * imageSize);
    }

    /** out[first + k, o, p] = product[o, p * count + k]: the transpose of {@link #pack}. */
    private void unpack(CpuStorage product, ColumnPlan plan, int first, int count, Tensor out, GroupArrays arrays) {
        int imageSize = plan.g.outChannels() * plan.outPlane;
        Object block = arrays.first();
        getRun(product, 0, block, 0, count * imageSize);
        putRun(transpose(block, imageSize, count, arrays.second()), 0, (CpuStorage) out.storage(),
                out.offset() + (long) first * imageSize, count * imageSize);
    }

    static void putRun(Object array, int from, CpuStorage dst, long to, int length) {
        if (array instanceof float[] a) {
            dst.f32.put(Math.toIntExact(to), a, from, length);
        } else {
            dst.f64.put(Math.toIntExact(to), (double[]) array, from, length);
        }
    }

    static void getRun(CpuStorage src, long from, Object array, int to, int length) {
        if (array instanceof float[] a) {
            src.f32.get(Math.toIntExact(from), a, to, length);
        } else {
            src.f64.get(Math.toIntExact(from), (double[]) array, to, length);
        }
    }

    // ---- bias, riding in the GEMMs ---------------------------------------------------------------------

    /** [outC, rows + 1]: each output channel's filter taps followed by its bias. */
    private CpuStorage weightWithBias(Tensor weight, Tensor bias, ColumnPlan plan) {
        int rows = plan.rows();
        int outC = plan.g.outChannels();
        CpuStorage kernel = allocate(weight.dtype(), (long) outC * (rows + 1));
        Data w = Data.of(weight);
        Data b = Data.of(bias);
        Data k = Data.of(kernel, 0);
        double[] row = new double[rows + 1];
        for (int o = 0; o < outC; o++) {
            w.read(o * rows, row, 0, rows);
            row[rows] = b.get(o);
            k.write(o * (rows + 1), row, 0, rows + 1);
        }
        return kernel;
    }

    /** gradWeight [outC, rows] and gradBias [outC] (nullable) from sums [rows (+ 1), outC], the bias's row last. */
    private static void transposeIntoWeightAndBias(CpuStorage sums, ColumnPlan plan, Tensor gradWeight,
                                                   Tensor gradBias) {
        int rows = plan.rows();
        int outC = plan.g.outChannels();
        int depth = rows + (gradBias == null ? 0 : 1);
        double[] transposed = new double[depth * outC];
        Data.of(sums, 0).read(0, transposed, 0, depth * outC);
        double[] weights = new double[outC * rows];
        for (int r = 0; r < rows; r++) {
            for (int o = 0; o < outC; o++) {
                weights[o * rows + r] = transposed[r * outC + o];
            }
        }
        Data.of(gradWeight).write(0, weights, 0, outC * rows);
        if (gradBias != null) {
            Data.of(gradBias).write(0, transposed, rows * outC, outC);
        }
    }

    /** Row {@code row} of a matrix with rows of {@code length} elements = value. */
    private static void fillRow(CpuStorage matrix, int row, int length, double value) {
        Object values = newArray(matrix.dtype(), length);
        if (values instanceof float[] f) {
            Arrays.fill(f, (float) value);
        } else {
            Arrays.fill((double[]) values, value);
        }
        putRun(values, 0, matrix, (long) row * length, length);
    }

    private CpuStorage allocate(DType dtype, long elements) {
        return (CpuStorage) backend.allocate(dtype, elements);
    }

    private static void release(CpuStorage... storages) {
        for (CpuStorage s : storages) {
            if (s != null) {
                s.release();
            }
        }
    }

    // ---- GEMM on storage ---------------------------------------------------------------------------

    private static Matrix matrix(Tensor t, long extraOffset, int ld) {
        return new Matrix((CpuStorage) t.storage(), t.offset() + extraOffset, ld);
    }

    /** {@code C = op(A) op(B) + beta C} with op(A) [m, k] and op(B) [k, n]; all sizes here are at least 1. */
    private void gemm(boolean transA, boolean transB, int m, int n, int k, double beta, Matrix a, Matrix b, Matrix c) {
        OpenBlasGemm.gemm(parallel, transA, transB, m, n, k, 1, a, b, beta, c);
    }

    /** The first {@code count} elements of c's storage from its offset = 0 (c is contiguous here). */
    private static void zero(Matrix c, long count) {
        Data.of(c.storage(), Math.toIntExact(c.offset())).write(0, new double[Math.toIntExact(count)], 0,
                Math.toIntExact(count));
    }
}
