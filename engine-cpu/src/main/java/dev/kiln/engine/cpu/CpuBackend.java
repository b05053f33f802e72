package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Device;
import dev.kiln.engine.GridSampleMode;
import dev.kiln.engine.GridSamplePadding;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Int8LinearWeights;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.Shape;
import dev.kiln.engine.StaticInt8ConvStage;
import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Storage;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.engine.UnaryOp;
import dev.kiln.engine.cpu.ConvolutionChoice.Kernel;
import dev.kiln.engine.cpu.ConvolutionKey.Direction;
import java.nio.Buffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.bytedeco.openblas.presets.openblas_nolapack;
import org.slf4j.LoggerFactory;

/**
 * The CPU backend: GEMM on OpenBLAS, F32 convolutions on oneDNN or OpenBLAS as {@link ConvolutionChoice} picks,
 * everything else in Java over off-heap memory, split over {@code -Dkiln.threads} threads (default: all cores) for
 * large tensors. Each kernel family lives in its own class; this one routes the SPI to them.
 */
public final class CpuBackend implements Backend {
    /** Memory that may be held for reuse (in use and cached) even before the peak in use reaches it. */
    private static final long CACHE_FLOOR_BYTES = 1L << 30;

    private final Parallel parallel;
    private final CpuMemory memory = new CpuMemory(CACHE_FLOOR_BYTES);
    private final CpuCopy copies;
    private final CpuElementwise elementwise;
    private final CpuBiasActivation biasActivation;
    private final CpuReductions reductions;
    private final CpuSort sort;
    private final CpuSoftmax softmax;
    private final CpuIndexing indexing;
    private final CpuSparseMatmul sparseMatmul;
    private final CpuFakeQuantization fakeQuantization;
    private final CpuRequantizedAdd requantizedAdd;
    private final CpuGlobalAvgPoolOnGrid globalAvgPoolOnGrid;
    private final CpuRandom random;
    private final CpuUpdates updates;
    private final CpuSparseUpdates sparseUpdates;
    private final CpuConvolution convolution;
    private final CpuDepthwiseConvolution depthwise;
    private final ConvolutionChoice convolutionChoice;
    private final CpuPooling pooling;
    private final CpuBatchNorm batchNorm;
    private final CpuGroupNorm groupNorm;
    private final CpuLayerNorm layerNorm;
    private final CpuGridSample gridSample;
    private final CpuRecurrent recurrent;
    private final CpuFft fft;
    /** OpenBLAS's LAPACK, bound on first use; null until then, and after where its JNI library did not load. */
    private volatile CpuLinalg linalg;
    /** oneDNN's int8 linear layers, opened on the first packing; null until then, and after where oneDNN did not load. */
    private OneDnnInt8Linear int8Linear;
    private boolean int8LinearOpened;
    /** oneDNN's static int8 convolutions, opened on the first packing; null until then, and where oneDNN did not load. */
    private OneDnnStaticInt8Conv staticInt8Conv;
    private boolean staticInt8ConvOpened;
    private volatile boolean linalgBound;
    private volatile Backend storageOwner = this;
    /** Whether dense-layer GEMMs may run on oneDNN ({@link OneDnnGemm}): the constructor's {@code oneDnn}. */
    private final boolean oneDnnGemmEnabled;
    /** oneDNN's GEMMs, opened on the first that {@link OneDnnGemm#applies}; null until then, off, or not loaded. */
    private OneDnnGemm oneDnnGemm;
    private boolean oneDnnGemmOpened;
    /** {@link #oneDnnGemm()} for {@link CpuGemm}, made once rather than at every GEMM. */
    private final Supplier<OneDnnGemm> oneDnnGemms = this::oneDnnGemm;

    /** A backend on {@code threads} threads, with oneDNN's convolutions unless {@code -Dkiln.cpu.onednn=false}. */
    public CpuBackend(int threads) {
        this(threads, ConvolutionChoice.configured());
    }

    /**
     * A backend on {@code threads} threads; {@code oneDnn} false keeps every convolution and GEMM on OpenBLAS (true
     * sends the dense-layer GEMMs that {@link OneDnnGemm} describes to oneDNN).
     */
    public CpuBackend(int threads, boolean oneDnn) {
        this.parallel = new Parallel(threads);
        this.oneDnnGemmEnabled = oneDnn;
        // GEMMs are split over Kiln's threads (OpenBlasGemm): OpenBLAS itself runs on one.
        openblas_nolapack.blas_set_num_threads(1);
        this.copies = new CpuCopy(parallel);
        this.elementwise = new CpuElementwise(parallel);
        this.biasActivation = new CpuBiasActivation(parallel);
        this.reductions = new CpuReductions(parallel);
        this.sort = new CpuSort(parallel);
        this.softmax = new CpuSoftmax(parallel);
        this.indexing = new CpuIndexing(parallel);
        this.sparseMatmul = new CpuSparseMatmul(parallel);
        this.fakeQuantization = new CpuFakeQuantization(parallel);
        this.requantizedAdd = new CpuRequantizedAdd(parallel);
        this.globalAvgPoolOnGrid = new CpuGlobalAvgPoolOnGrid(parallel);
        this.random = new CpuRandom(parallel);
        this.updates = new CpuUpdates(parallel);
        this.sparseUpdates = new CpuSparseUpdates(parallel);
        this.convolution = new CpuConvolution(this, parallel);
        this.depthwise = new CpuDepthwiseConvolution(parallel);
        this.convolutionChoice = new ConvolutionChoice(this, parallel, oneDnn);
        this.pooling = new CpuPooling(parallel);
        this.batchNorm = new CpuBatchNorm(parallel);
        this.groupNorm = new CpuGroupNorm(parallel);
        this.layerNorm = new CpuLayerNorm(parallel);
        this.gridSample = new CpuGridSample(parallel);
        this.recurrent = new CpuRecurrent(parallel);
        this.fft = new CpuFft(parallel);
    }

    /** Thread count from {@code -Dkiln.threads}, else the number of cores. */
    static int configuredThreads() {
        String value = System.getProperty("kiln.threads");
        int cores = Runtime.getRuntime().availableProcessors();
        if (value == null || value.isBlank()) {
            return cores;
        }
        try {
            int n = Integer.parseInt(value.trim());
            if (n < 1) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("kiln.threads must be a positive integer, got '" + value + "'");
        }
    }

    /** {@inheritDoc} ({@link dev.kiln.engine.BackendProxy}); {@code this} by default. */
    @Override
    public void reportStoragesAs(Backend owner) {
        this.storageOwner = owner;
    }

    /** Threads used by Java kernels and by OpenBLAS. */
    public int threads() {
        return parallel.threads();
    }

    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public Device device() {
        return Device.CPU;
    }

    @Override
    public Storage allocate(DType dtype, long elements) {
        if (elements > CpuMemory.MAX_BLOCK_BYTES / dtype.bytes()) {
            throw new IllegalArgumentException("CPU backend: a tensor holds at most " + CpuMemory.MAX_BLOCK_BYTES
                    + " bytes (" + CpuMemory.MAX_BLOCK_BYTES / dtype.bytes() + " " + dtype + " elements), asked for "
                    + elements + " " + dtype + " elements");
        }
        return new CpuStorage(storageOwner, memory, memory.allocate(elements * dtype.bytes()), dtype, elements);
    }

    @Override
    public void fill(Tensor out, double value) {
        copies.fill(out, value);
    }

    @Override
    public void copyFromHost(Buffer src, Tensor dst) {
        copies.copyFromHost(src, dst);
    }

    @Override
    public void copyToHost(Tensor src, Buffer dst) {
        copies.copyToHost(src, dst);
    }

    @Override
    public void copy(Tensor src, Tensor dst) {
        copies.copy(src, dst);
    }

    @Override
    public void copySlices(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        copies.copySlices(src, axis, srcStart, dst, dstStart, length);
    }

    @Override
    public void permute(Tensor src, int[] perm, Tensor out) {
        copies.permute(src, perm, out);
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha,
                     Tensor a, Tensor b, double beta, Tensor c) {
        CpuGemm.gemm(parallel, oneDnnGemms, transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0);
    }

    @Override
    public void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                   Tensor a, long strideA, Tensor b, long strideB, double beta,
                                   Tensor c, long strideC, int batch) {
        Parallel.Range products = (first, end) -> {
            for (int i = first; i < end; i++) {
                CpuGemm.gemm(parallel, oneDnnGemms, transA, transB, m, n, k, alpha, a, i * strideA, b,
                        i * strideB, beta, c, i * strideC);
            }
        };
        long multiplyAdds = (long) m * n * k;
        // Outputs that overlap (C's stride 0: one C for the whole batch) are written in turn, as the loop does.
        if (Math.abs(strideC) < (long) m * n) {
            products.run(0, batch);
            return;
        }
        // The batch over the threads: attention's products are hundreds of matrices too small to split one by one.
        int overThreads = productsOverThreads(batch, parallel.threads(), multiplyAdds);
        parallel.forRange(overThreads, multiplyAdds, products);
        products.run(overThreads, batch);
    }

    /**
     * How many of a batch's first products {@link #gemmStridedBatched} splits over the threads, one product a thread;
     * the rest run one after another, each split over every thread by the GEMM itself. Small products (below
     * {@link OpenBlasGemm#SPLIT_MIN} multiply-adds, which the GEMM would not split) all go over the threads; of large
     * ones only whole rounds of one per thread: 17 large products on 16 threads as 16 and 1 take about 1 + 1/16 of a
     * product's time on one thread, as 17 over the threads 2 (one thread runs two while the others wait).
     */
    static int productsOverThreads(int batch, int threads, long multiplyAdds) {
        return multiplyAdds < OpenBlasGemm.SPLIT_MIN ? batch : batch - batch % threads;
    }

    @Override
    public void roundToBfloat16(Tensor x, Tensor out) {
        elementwise.roundToBfloat16(x, out);
    }

    @Override
    public void unary(UnaryOp op, double param, Tensor x, Tensor out) {
        elementwise.unary(op, param, x, out);
    }

    @Override
    public void unaryBackward(UnaryOp op, double param, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        elementwise.unaryBackward(op, param, x, y, gradY, gradX);
    }

    @Override
    public void biasActivation(UnaryOp op, double param, Tensor x, Tensor bias, Tensor out) {
        if (out.size() == 0) {
            return;
        }
        if (CpuBiasActivation.fuses(op, out.dtype())) {
            biasActivation.forward(op, x, bias, out);
        } else {
            Backend.super.biasActivation(op, param, x, bias, out);
        }
    }

    @Override
    public void biasActivationBackward(UnaryOp op, double param, Tensor y, Tensor gradY, Tensor gradPre,
                                       Tensor gradBias) {
        if (y.size() == 0) {
            if (gradBias != null) {
                fill(gradBias, 0);
            }
            return;
        }
        if (CpuBiasActivation.fuses(op, y.dtype())) {
            biasActivation.backward(op, y, gradY, gradPre, gradBias);
        } else {
            Backend.super.biasActivationBackward(op, param, y, gradY, gradPre, gradBias);
        }
    }

    @Override
    public void affine(Tensor x, double scale, double shift, Tensor out) {
        elementwise.affine(x, scale, shift, out);
    }

    @Override
    public void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        elementwise.binary(op, a, b, out);
    }

    @Override
    public void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        elementwise.where(cond, a, b, out);
    }

    @Override
    public void reduce(ReduceOp op, Tensor x, int axis, Tensor out) {
        reductions.reduce(op, x, axis, out);
    }

    @Override
    public void argmax(Tensor x, int axis, Tensor out) {
        reductions.argmax(x, axis, out);
    }

    @Override
    public void sortLastAxis(Tensor x, boolean descending, Tensor values, Tensor indices) {
        sort.sortLastAxis(x, descending, values, indices);
    }

    @Override
    public void softmax(Tensor x, boolean log, Tensor out) {
        softmax.softmax(x, log, out);
    }

    @Override
    public void softmaxBackward(Tensor y, Tensor gradY, boolean log, Tensor gradX) {
        softmax.softmaxBackward(y, gradY, log, gradX);
    }

    @Override
    public void crossEntropy(Tensor logits, Tensor targets, Tensor losses, Tensor probs) {
        softmax.crossEntropy(logits, targets, losses, probs);
    }

    @Override
    public void crossEntropyBackward(Tensor probs, Tensor targets, Tensor gradLosses, double scale,
                                     Tensor gradLogits) {
        softmax.crossEntropyBackward(probs, targets, gradLosses, scale, gradLogits);
    }

    @Override
    public void conv2dForward(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        GroupedConv2dGeometry one = new GroupedConv2dGeometry(g, 1);
        if (!convolutionChoice.considers(input.dtype(), one)) {
            convolution.forward(input, weight, bias, g, out);
            return;
        }
        convolutionChoice.run(new ConvolutionKey(one, Direction.FORWARD, bias != null),
                () -> convolution.forward(input, weight, bias, g, out),
                oneDnn -> oneDnn.forward(input, weight, bias, one, out));
    }

    @Override
    public void conv2dBackwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        GroupedConv2dGeometry one = new GroupedConv2dGeometry(g, 1);
        if (!convolutionChoice.considers(gradOut.dtype(), one)) {
            convolution.backwardData(gradOut, weight, g, gradInput);
            return;
        }
        convolutionChoice.run(new ConvolutionKey(one, Direction.BACKWARD_DATA, false),
                () -> convolution.backwardData(gradOut, weight, g, gradInput),
                oneDnn -> oneDnn.backwardData(gradOut, weight, one, gradInput));
    }

    @Override
    public void conv2dBackwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        GroupedConv2dGeometry one = new GroupedConv2dGeometry(g, 1);
        if (!convolutionChoice.considers(gradOut.dtype(), one)) {
            convolution.backwardFilter(input, gradOut, g, gradWeight, gradBias);
            return;
        }
        convolutionChoice.run(new ConvolutionKey(one, Direction.BACKWARD_FILTER, gradBias != null),
                () -> convolution.backwardFilter(input, gradOut, g, gradWeight, gradBias),
                oneDnn -> oneDnn.backwardFilter(input, gradOut, one, gradWeight, gradBias));
    }

    /**
     * Both gradients in one pass of OpenBLAS's im2col (which rearranges gradOut once for both) where both directions
     * run there, else each direction on its own kernel.
     */
    @Override
    public void conv2dBackward(Tensor input, Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput,
                               Tensor gradWeight, Tensor gradBias) {
        GroupedConv2dGeometry one = new GroupedConv2dGeometry(g, 1);
        if (!convolutionChoice.considers(gradOut.dtype(), one) || convolutionChoice.allOnOpenBlas(
                backwardKeys(one, gradInput != null, gradWeight != null, gradBias != null))) {
            convolution.backward(input, gradOut, weight, g, gradInput, gradWeight, gradBias);
            return;
        }
        if (gradInput != null) {
            conv2dBackwardData(gradOut, weight, g, gradInput);
        }
        if (gradWeight != null) {
            conv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
        }
    }

    /** The keys of the backward directions asked for: data, filter (with or without the bias). */
    private static ConvolutionKey[] backwardKeys(GroupedConv2dGeometry g, boolean data, boolean filter, boolean bias) {
        ConvolutionKey dataKey = new ConvolutionKey(g, Direction.BACKWARD_DATA, false);
        ConvolutionKey filterKey = new ConvolutionKey(g, Direction.BACKWARD_FILTER, bias);
        if (data && filter) {
            return new ConvolutionKey[] {dataKey, filterKey};
        }
        return data ? new ConvolutionKey[] {dataKey} : filter ? new ConvolutionKey[] {filterKey} : new ConvolutionKey[0];
    }

    /**
     * The kernel of each convolution timed or named by {@code -Dkiln.cpu.convolutionKernel} so far (or given by
     * {@link #useTuningChoices} and not yet met), none by the default rule, which any process applies alike: keys
     * are {@link ConvolutionKey#text}s, values {@code openblas} or {@code onednn}, ordered by key.
     */
    @Override
    public Map<String, String> tuningChoices() {
        Map<String, String> choices = new TreeMap<>();
        convolutionChoice.choices().forEach((key, kernel) -> choices.put(key.text(), kernel.text()));
        return choices;
    }

    /** {@inheritDoc} Keys are {@link ConvolutionKey#text}s, values {@code openblas} or {@code onednn}. */
    @Override
    public void useTuningChoices(Map<String, String> choices) {
        Map<ConvolutionKey, Kernel> parsed = new HashMap<>();
        choices.forEach((text, kernel) -> {
            Kernel k = Kernel.of(kernel);
            if (k == null) {
                throw new IllegalArgumentException("the CPU backend's tuning choice for '" + text
                        + "' must be openblas or onednn, got '" + kernel + "'");
            }
            parsed.put(ConvolutionKey.parse(text), k);
        });
        convolutionChoice.use(parsed);
    }

    /**
     * Depthwise convolutions on {@link CpuDepthwiseConvolution}, other groupings group by group as by default, or
     * either on oneDNN's grouped primitive as {@link ConvolutionChoice} picks.
     */
    @Override
    public void groupedConv2dForward(Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry g, Tensor out) {
        Runnable openBlas = () -> {
            if (g.depthwise()) {
                depthwise.forward(input, weight, bias, g, out);
            } else {
                Backend.super.groupedConv2dForward(input, weight, bias, g, out);
            }
        };
        if (!convolutionChoice.considers(input.dtype(), g)) {
            openBlas.run();
            return;
        }
        convolutionChoice.run(new ConvolutionKey(g, Direction.FORWARD, bias != null), openBlas,
                oneDnn -> oneDnn.forward(input, weight, bias, g, out));
    }

    @Override
    public void groupedConv2dBackwardData(Tensor gradOut, Tensor weight, GroupedConv2dGeometry g, Tensor gradInput) {
        Runnable openBlas = () -> {
            if (g.depthwise()) {
                depthwise.backwardData(gradOut, weight, g, gradInput);
            } else {
                Backend.super.groupedConv2dBackwardData(gradOut, weight, g, gradInput);
            }
        };
        if (!convolutionChoice.considers(gradOut.dtype(), g)) {
            openBlas.run();
            return;
        }
        convolutionChoice.run(new ConvolutionKey(g, Direction.BACKWARD_DATA, false), openBlas,
                oneDnn -> oneDnn.backwardData(gradOut, weight, g, gradInput));
    }

    @Override
    public void groupedConv2dBackwardFilter(Tensor input, Tensor gradOut, GroupedConv2dGeometry g, Tensor gradWeight,
                                            Tensor gradBias) {
        Runnable openBlas = () -> {
            if (g.depthwise()) {
                depthwise.backwardFilter(input, gradOut, g, gradWeight, gradBias);
            } else {
                Backend.super.groupedConv2dBackwardFilter(input, gradOut, g, gradWeight, gradBias);
            }
        };
        if (!convolutionChoice.considers(gradOut.dtype(), g)) {
            openBlas.run();
            return;
        }
        convolutionChoice.run(new ConvolutionKey(g, Direction.BACKWARD_FILTER, gradBias != null), openBlas,
                oneDnn -> oneDnn.backwardFilter(input, gradOut, g, gradWeight, gradBias));
    }

    @Override
    public void maxPool2dForward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        pooling.maxForward(input, g, out, indices);
    }

    @Override
    public void maxPool2dBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        pooling.maxBackward(gradOut, indices, g, gradInput);
    }

    @Override
    public void avgPool2dForward(Tensor input, Pool2dGeometry g, Tensor out) {
        pooling.avgForward(input, g, out);
    }

    @Override
    public void avgPool2dBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput) {
        pooling.avgBackward(gradOut, g, gradInput);
    }

    @Override
    public void batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean, Tensor runningVar,
                                 boolean training, double momentum, double eps, Tensor out, Tensor saveMean,
                                 Tensor saveInvStd) {
        batchNorm.forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, out, saveMean, saveInvStd);
    }

    @Override
    public void batchNormActivationForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                           Tensor runningVar, boolean training, double momentum, double eps,
                                           UnaryOp op, double param, Tensor out, Tensor saveMean, Tensor saveInvStd) {
        batchNorm.forward(x, null, weight, bias, runningMean, runningVar, training, momentum, eps, op, param, out,
                saveMean, saveInvStd);
    }

    @Override
    public void batchNormAddActivationForward(Tensor x, Tensor residual, Tensor weight, Tensor bias,
                                              Tensor runningMean, Tensor runningVar, boolean training,
                                              double momentum, double eps, UnaryOp op, double param, Tensor out,
                                              Tensor saveMean, Tensor saveInvStd) {
        batchNorm.forward(x, residual, weight, bias, runningMean, runningVar, training, momentum, eps, op, param, out,
                saveMean, saveInvStd);
    }

    /**
     * The activation's gradient into gradInput, then batch norm's backward from there in place: one tensor of x's
     * size fewer than the default's temporary, at the moment a ResNet's backward pass holds the most. In place is safe
     * because {@link CpuBatchNorm#backward} reads a channel's gradient whole before it writes that channel.
     */
    @Override
    public void batchNormActivationBackward(Tensor x, Tensor y, Tensor gradY, UnaryOp op, double param, Tensor weight,
                                            Tensor saveMean, Tensor saveInvStd, Tensor gradInput, Tensor gradWeight,
                                            Tensor gradBias) {
        if (gradInput == null) {
            Backend.super.batchNormActivationBackward(x, y, gradY, op, param, weight, saveMean, saveInvStd, null,
                    gradWeight, gradBias);
            return;
        }
        elementwise.unaryBackward(op, param, y, y, gradY, gradInput);
        batchNorm.backward(x, gradInput, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor gradOut, Tensor weight, Tensor saveMean, Tensor saveInvStd,
                                  Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        batchNorm.backward(x, gradOut, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
    }

    @Override
    public void groupNormForward(Tensor x, int groups, Tensor weight, Tensor bias, double eps, Tensor out,
                                 Tensor saveMean, Tensor saveInvStd) {
        groupNorm.forward(x, groups, weight, bias, eps, out, saveMean, saveInvStd);
    }

    @Override
    public void groupNormBackward(Tensor x, Tensor gradOut, int groups, Tensor weight, Tensor saveMean,
                                  Tensor saveInvStd, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        groupNorm.backward(x, gradOut, groups, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
    }

    @Override
    public void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean, Tensor rstd) {
        layerNorm.forward(x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public void layerNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight, Tensor gradX,
                                  Tensor gradWeight, Tensor gradBias) {
        layerNorm.backward(gradOut, x, mean, rstd, weight, gradX, gradWeight, gradBias);
    }

    @Override
    public void gridSample2dForward(Tensor input, Tensor grid, GridSampleMode mode, GridSamplePadding padding,
                                    boolean alignCorners, Tensor out) {
        gridSample.forward(input, grid, mode, padding, alignCorners, out);
    }

    @Override
    public void gridSample2dBackward(Tensor input, Tensor grid, Tensor gradOut, GridSampleMode mode,
                                     GridSamplePadding padding, boolean alignCorners, Tensor gradInput,
                                     Tensor gradGrid) {
        gridSample.backward(input, grid, gradOut, mode, padding, alignCorners, gradInput, gradGrid);
    }

    @Override
    public void indexSelect(Tensor src, int axis, Tensor index, Tensor out) {
        indexing.indexSelect(src, axis, index, out);
    }

    @Override
    public void indexAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        indexing.indexAdd(dst, axis, index, src);
    }

    @Override
    public void gather(Tensor src, int axis, Tensor index, Tensor out) {
        indexing.gather(src, axis, index, out);
    }

    @Override
    public void scatterAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        indexing.scatterAdd(dst, axis, index, src);
    }

    @Override
    public void randomUniform(Tensor out, double low, double high, long seed, long counter) {
        random.uniform(out, low, high, seed, counter);
    }

    @Override
    public void randomNormal(Tensor out, double mean, double std, long seed, long counter) {
        random.normal(out, mean, std, seed, counter);
    }

    @Override
    public void bernoulli(Tensor out, double p, long seed, long counter) {
        random.bernoulli(out, p, seed, counter);
    }

    @Override
    public void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
                          double dampening, double weightDecay, boolean nesterov, boolean firstStep) {
        updates.sgd(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
    }

    @Override
    public void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr, double beta1,
                           double beta2, double eps, double weightDecay, boolean decoupledWeightDecay, long step) {
        updates.adam(param, grad, expAvg, expAvgSq, null, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
                step);
    }

    @Override
    public void amsgradUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, Tensor maxExpAvgSq,
                              double lr, double beta1, double beta2, double eps, double weightDecay,
                              boolean decoupledWeightDecay, long step) {
        updates.adam(param, grad, expAvg, expAvgSq, maxExpAvgSq, lr, beta1, beta2, eps, weightDecay,
                decoupledWeightDecay, step);
    }

    @Override
    public void lstmCellForward(Tensor gates, Tensor c, Tensor hOut, Tensor cOut, Tensor activations) {
        recurrent.lstmForward(gates, c, hOut, cOut, activations);
    }

    @Override
    public void lstmCellBackward(Tensor activations, Tensor c, Tensor cOut, Tensor gradH, Tensor gradC,
                                 Tensor gradGates, Tensor gradCPrev) {
        recurrent.lstmBackward(activations, c, cOut, gradH, gradC, gradGates, gradCPrev);
    }

    @Override
    public void gruCellForward(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor hOut, Tensor activations) {
        recurrent.gruForward(inputGates, hiddenGates, h, hOut, activations);
    }

    @Override
    public void gruCellBackward(Tensor activations, Tensor hiddenGates, Tensor h, Tensor gradHOut,
                                Tensor gradInputGates, Tensor gradHiddenGates, Tensor gradH) {
        recurrent.gruBackward(activations, hiddenGates, h, gradHOut, gradInputGates, gradHiddenGates, gradH);
    }

    /**
     * Whether the factorisations run on OpenBLAS's LAPACK; false where its JNI library does not load (the GPU bundle
     * leaves it out to fit a device call), and they run the Backend SPI's host loops instead. Binds it on the first call.
     */
    public boolean bindsLapack() {
        return lapack() != null;
    }

    private CpuLinalg lapack() {
        if (!linalgBound) {
            synchronized (this) {
                if (!linalgBound) {
                    linalg = CpuLinalg.bindOrNull(parallel, copies);
                    linalgBound = true;
                }
            }
        }
        return linalg;
    }

    @Override
    public void cholesky(Tensor a, Tensor lower, Tensor info) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.cholesky(a, lower, info);
        } else {
            lapack.cholesky(a, lower, info);
        }
    }

    @Override
    public void solveTriangular(Tensor a, Tensor b, boolean upper, boolean transpose, boolean unitriangular,
                                Tensor out) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.solveTriangular(a, b, upper, transpose, unitriangular, out);
        } else {
            lapack.solveTriangular(a, b, upper, transpose, unitriangular, out);
        }
    }

    @Override
    public void luFactor(Tensor a, Tensor lu, Tensor pivots, Tensor info) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.luFactor(a, lu, pivots, info);
        } else {
            lapack.luFactor(a, lu, pivots, info);
        }
    }

    @Override
    public void luSolve(Tensor lu, Tensor pivots, Tensor b, boolean adjoint, Tensor out) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.luSolve(lu, pivots, b, adjoint, out);
        } else {
            lapack.luSolve(lu, pivots, b, adjoint, out);
        }
    }

    @Override
    public void qr(Tensor a, Tensor q, Tensor r) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.qr(a, q, r);
        } else {
            lapack.qr(a, q, r);
        }
    }

    @Override
    public void eigh(Tensor a, boolean upper, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.eigh(a, upper, eigenvalues, eigenvectors, info);
        } else {
            lapack.eigh(a, upper, eigenvalues, eigenvectors, info);
        }
    }

    @Override
    public void svd(Tensor a, Tensor u, Tensor s, Tensor vh, Tensor info) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.svd(a, u, s, vh, info);
        } else {
            lapack.svd(a, u, s, vh, info);
        }
    }

    @Override
    public long bytesInUse() {
        return memory.bytesInUse();
    }

    @Override
    public long peakBytesInUse() {
        return memory.peakBytesInUse();
    }

    /** Bytes held in the allocator's cache for reuse. */
    public long bytesCached() {
        return memory.cachedBytes();
    }

    @Override
    public void close() {
        convolutionChoice.close();
        closeInt8Linear();
        closeStaticInt8Conv();
        closeOneDnnGemm();
        parallel.close();
        memory.trim();
    }

    @Override
    public void fft(Tensor x, boolean inverse, double scale, Tensor out) {
        fft.fft(x, inverse, scale, out);
    }

    @Override
    public void rfft(Tensor x, boolean hermitian, double scale, Tensor out) {
        fft.rfft(x, hermitian, scale, out);
    }

    @Override
    public void irfft(Tensor c, boolean hermitian, double scale, Tensor out) {
        fft.irfft(c, hermitian, scale, out);
    }

    @Override
    public void maxPool2dValues(Tensor input, Pool2dGeometry g, Tensor out) {
        pooling.maxValues(input, g, out);
    }

    /** On oneDNN's int8 matmul ({@link OneDnnInt8Linear}); the SPI's default where oneDNN does not load. */
    @Override
    public Int8LinearWeights packInt8Linear(Tensor weight) {
        OneDnnInt8Linear kernel = int8Linear();
        return kernel == null ? Backend.super.packInt8Linear(weight) : kernel.pack(weight);
    }

    /** On oneDNN's int8 matmul for weights it packed, by the SPI's default for others. */
    @Override
    public void int8Linear(Tensor input, Int8LinearWeights weights, Tensor bias, Tensor out) {
        OneDnnInt8Linear kernel = int8Linear();
        if (kernel != null && weights instanceof OneDnnInt8Weights) {
            kernel.forward(input, weights, bias, out);
        } else {
            Backend.super.int8Linear(input, weights, bias, out);
        }
    }

    private synchronized OneDnnInt8Linear int8Linear() {
        if (!int8LinearOpened) {
            int8LinearOpened = true;
            try {
                int8Linear = OneDnnInt8Linear.open(this, parallel);
            } catch (LinkageError | RuntimeException e) {
                LoggerFactory.getLogger(CpuBackend.class)
                        .info("int8 linear layers by the SPI's default: oneDNN did not load ({})", e.toString());
            }
        }
        return int8Linear;
    }

    private synchronized void closeInt8Linear() {
        if (int8Linear != null) {
            int8Linear.close();
            int8Linear = null;
        }
    }

    /** On oneDNN's int8 convolution ({@link OneDnnStaticInt8Conv}); the SPI's default where oneDNN does not load. */
    @Override
    public StaticInt8ConvWeights packStaticInt8Conv(Tensor weight, Tensor scales) {
        OneDnnStaticInt8Conv kernel = staticInt8Conv();
        return kernel == null ? Backend.super.packStaticInt8Conv(weight, scales) : kernel.pack(weight, scales);
    }

    /** On oneDNN's int8 convolution for weights it packed, by the SPI's default for others. */
    @Override
    public void staticInt8Conv2d(Tensor input, StaticInt8ConvWeights weights, Tensor bias, Conv2dGeometry g,
                                 Uint8Grid inputGrid, Uint8Grid outputGrid, boolean relu, Tensor out) {
        OneDnnStaticInt8Conv kernel = staticInt8Conv();
        if (kernel != null && weights instanceof OneDnnStaticInt8Weights) {
            kernel.forward(input, weights, bias, g, inputGrid, outputGrid, relu, out);
        } else {
            Backend.super.staticInt8Conv2d(input, weights, bias, g, inputGrid, outputGrid, relu, out);
        }
    }

    private synchronized OneDnnStaticInt8Conv staticInt8Conv() {
        if (!staticInt8ConvOpened) {
            staticInt8ConvOpened = true;
            try {
                staticInt8Conv = OneDnnStaticInt8Conv.open(this, parallel);
            } catch (LinkageError | RuntimeException e) {
                LoggerFactory.getLogger(CpuBackend.class)
                        .info("static int8 convolutions by the SPI's default: oneDNN did not load ({})", e.toString());
            }
        }
        return staticInt8Conv;
    }

    private synchronized void closeStaticInt8Conv() {
        if (staticInt8Conv != null) {
            staticInt8Conv.close();
            staticInt8Conv = null;
        }
    }

    private synchronized OneDnnGemm oneDnnGemm() {
        if (!oneDnnGemmOpened) {
            oneDnnGemmOpened = true;
            if (oneDnnGemmEnabled) {
                try {
                    oneDnnGemm = OneDnnGemm.open(this, parallel);
                } catch (LinkageError | RuntimeException e) {
                    LoggerFactory.getLogger(CpuBackend.class)
                            .info("GEMMs on OpenBLAS alone: oneDNN did not load ({})", e.toString());
                }
            }
        }
        return oneDnnGemm;
    }

    private synchronized void closeOneDnnGemm() {
        if (oneDnnGemm != null) {
            oneDnnGemm.close();
            oneDnnGemm = null;
        }
    }

    /** F32 as compressed sparse rows ({@link CpuSparseMatmul}); F64 by the SPI's composite. */
    @Override
    public void sparseMatmulAdd(Tensor rows, Tensor cols, Tensor values, Tensor dense, Tensor out) {
        if (out.dtype() == DType.F32) {
            sparseMatmul.addF32(rows, cols, values, dense, out);
        } else {
            Backend.super.sparseMatmulAdd(rows, cols, values, dense, out);
        }
    }

    /** F32 in one pass ({@link CpuFakeQuantization}); F64 by the SPI's composite. */
    @Override
    public void fakeQuantizePerTensor(Tensor x, float scale, int zeroPoint, int quantMin, int quantMax, Tensor out,
                                      Tensor mask) {
        if (x.dtype() == DType.F32) {
            fakeQuantization.perTensorF32(x, scale, zeroPoint, quantMin, quantMax, out, mask);
        } else {
            Backend.super.fakeQuantizePerTensor(x, scale, zeroPoint, quantMin, quantMax, out, mask);
        }
    }

    @Override
    public void requantizedAddRelu(Tensor a, Tensor b, Uint8Grid grid, boolean relu, Tensor out) {
        if (out.dtype() == DType.F32 && a.dtype() == DType.F32 && b.dtype() == DType.F32) {
            requantizedAdd.f32(a, b, grid, relu, out);
        } else {
            Backend.super.requantizedAddRelu(a, b, grid, relu, out);
        }
    }

    /**
     * On oneDNN's int8 convolutions, u8 between them, where oneDNN packed every stage's weights; by the SPI's default
     * otherwise.
     */
    @Override
    public void staticInt8Conv2dChain(Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages,
                                      Tensor out) {
        OneDnnStaticInt8Conv kernel = staticInt8Conv();
        if (kernel != null && stages.stream().allMatch(s -> s.weights() instanceof OneDnnStaticInt8Weights)) {
            kernel.chain(input, inputGrid, stages, null, out);
        } else {
            Backend.super.staticInt8Conv2dChain(input, inputGrid, stages, out);
        }
    }

    /** F32 over the rows as given ({@link CpuSparseMatmul}); F64 by the SPI's default. */
    @Override
    public void sparseCsrMatmulAdd(Tensor crowIndices, Tensor rowIndex, Tensor cols, Tensor values, Tensor dense,
                                   Tensor out) {
        if (out.dtype() == DType.F32) {
            sparseMatmul.addCsrF32(crowIndices, cols, values, dense, out);
        } else {
            Backend.super.sparseCsrMatmulAdd(crowIndices, rowIndex, cols, values, dense, out);
        }
    }

    @Override
    public void eig(Tensor a, Tensor eigenvalues, Tensor eigenvectors, Tensor info) {
        CpuLinalg lapack = lapack();
        if (lapack == null) {
            Backend.super.eig(a, eigenvalues, eigenvectors, info);
        } else {
            lapack.eig(a, eigenvalues, eigenvectors, info);
        }
    }

    /**
     * On oneDNN's int8 convolutions and u8 max pooling, u8 from the first convolution to the pooled output, where
     * oneDNN packed every stage's weights; by the SPI's default otherwise.
     */
    @Override
    public void staticInt8Conv2dChainMaxPool(Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages,
                                             Pool2dGeometry pool, Tensor out) {
        OneDnnStaticInt8Conv kernel = staticInt8Conv();
        if (kernel != null && stages.stream().allMatch(s -> s.weights() instanceof OneDnnStaticInt8Weights)) {
            kernel.chain(input, inputGrid, stages, pool, out);
        } else {
            Backend.super.staticInt8Conv2dChainMaxPool(input, inputGrid, stages, pool, out);
        }
    }

    /**
     * On oneDNN's int8 convolutions, the input quantised once for the chain and the shortcut, where oneDNN packed
     * every convolution's weights; by the SPI's default otherwise.
     */
    @Override
    public void staticInt8Conv2dChainAndShortcut(Tensor input, Uint8Grid inputGrid, List<StaticInt8ConvStage> stages,
                                                 StaticInt8ConvStage shortcut, Tensor out, Tensor shortcutOut) {
        OneDnnStaticInt8Conv kernel = staticInt8Conv();
        if (kernel != null && shortcut.weights() instanceof OneDnnStaticInt8Weights
                && stages.stream().allMatch(s -> s.weights() instanceof OneDnnStaticInt8Weights)) {
            kernel.chain(input, inputGrid, stages, null, out, shortcut, shortcutOut);
        } else {
            Backend.super.staticInt8Conv2dChainAndShortcut(input, inputGrid, stages, shortcut, out, shortcutOut);
        }
    }

    /**
     * The pooling in one pass ({@link CpuGlobalAvgPoolOnGrid}) into an F32 temporary, then {@link #staticInt8Conv2d}
     * on it (oneDNN's where it packed the weights).
     */
    @Override
    public void staticInt8GlobalAvgPoolConv2d(Tensor input, Uint8Grid inputGrid, StaticInt8ConvStage stage,
                                              Tensor out) {
        Conv2dGeometry g = stage.geometry();
        try (Tensor pooled = Tensor.empty(Shape.of(g.batch(), g.inChannels(), 1, 1), DType.F32, this)) {
            globalAvgPoolOnGrid.pool(input, inputGrid, pooled);
            staticInt8Conv2d(pooled, stage.weights(), stage.bias(), g, inputGrid, stage.outputGrid(), stage.relu(),
                    out);
        }
    }

    @Override
    public void roundToHalf(Tensor x, Tensor out) {
        elementwise.roundToHalf(x, out);
    }

    @Override
    public void sparseAdamUpdate(Tensor param, Tensor expAvg, Tensor expAvgSq, Tensor rows, Tensor grad,
                                 double stepSize, double beta1, double beta2, double eps) {
        sparseUpdates.adam(param, expAvg, expAvgSq, rows, grad, stepSize, beta1, beta2, eps);
    }

    @Override
    public void sparseAdagradUpdate(Tensor param, Tensor sum, Tensor rows, Tensor grad, double clr, double eps) {
        sparseUpdates.adagrad(param, sum, rows, grad, clr, eps);
    }
}
