package dev.kiln.engine.cuda;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BinaryOp;
import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Device;
import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.ReduceOp;
import dev.kiln.engine.StepGraph;
import dev.kiln.engine.Storage;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.nio.Buffer;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CUDA backend: GEMM on cuBLAS, convolution on cuDNN, everything else in our kernels (the kernels
 * module, compiled with NVRTC), all queued on one stream with no host synchronisation except where a
 * value is read back. Each kernel family lives in its own class; this one routes the SPI to them. Calls
 * are serialised (one stream, one cuBLAS handle, reused launch arguments): the data loader's prefetch
 * thread may upload a batch while the training thread computes.
 */
public final class CudaBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(CudaBackend.class);
    /** cuBLAS's workspace: the size its documentation recommends for Hopper (32 MiB). */
    private static final long CUBLAS_WORKSPACE_BYTES = 32L << 20;
    private final CudaContext context;
    private final DeviceAllocator allocator;
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final HostTransfers transfers;
    private final PendingReads reads;
    private final CudaLayout layout;
    private final CudaElementwise elementwise;
    private final CudaReductions reductions;
    private final CudaIndexing indexing;
    private final CudaSort sort;
    private final CudaRandom random;
    private final CudaUpdates updates;
    private final CudaRecurrent recurrent;
    private final CudaPooling pooling;
    private final CudaBatchNorm batchNorm;
    private final CudaLayerNorm layerNorm;
    private final CudaGemm gemm;
    private final CudaHalfWidthGemm halfWidthGemm;
    private final DeviceAllocator.Block cublasWorkspace;
    private boolean closed;
    private volatile Backend storageOwner = this;
    private final List<CudaStepGraph> liveGraphs = new ArrayList<>();
    private final CudaConvolution convolution;

    /** Opens device {@code index} in strict FP32 arithmetic; only after {@link CudaBackendProvider#probe()} said it can. */
    public CudaBackend(int index) {
        this(CudaOptions.strict(index));
    }

    /**
     * Opens the device {@code options} name; with its {@code tf32}, F32 GEMMs and convolutions may run on TF32 tensor
     * cores (10 mantissa bits per input, F32 accumulation), which is faster and no longer at F32 parity with the CPU;
     * with its {@code cudnnBenchmark}, each convolution shape's algorithms are timed on first use.
     */
    public CudaBackend(CudaOptions options) {
        this.context = new CudaContext(options.device(), options.tf32());
        this.allocator = new DeviceAllocator(context);
        DeviceAllocator.Block workspace = null;
        HostTransfers staging = null;
        try {
            workspace = allocator.allocate(CUBLAS_WORKSPACE_BYTES, "cuBLAS's workspace");
            context.useCublasWorkspace(workspace.address(), CUBLAS_WORKSPACE_BYTES);
            this.kernels = new CudaKernels(context, new KernelCompiler(context.computeCapability()));
            this.launcher = new KernelLauncher(context);
            staging = new HostTransfers(context);
            this.reads = new PendingReads(context, this);
        } catch (RuntimeException e) {
            // A backend that cannot open leaves no device memory, stream or library handle behind.
            if (staging != null) {
                staging.close();
            }
            if (workspace != null) {
                allocator.free(workspace);
            }
            allocator.emptyCache();
            context.close();
            throw e;
        }
        this.cublasWorkspace = workspace;
        this.transfers = staging;
        this.layout = new CudaLayout(context, kernels, launcher);
        this.elementwise = new CudaElementwise(kernels, launcher, layout);
        this.reductions = new CudaReductions(kernels, launcher, layout);
        this.indexing = new CudaIndexing(kernels, launcher, layout);
        this.sort = new CudaSort(kernels, launcher);
        this.random = new CudaRandom(kernels, launcher);
        this.updates = new CudaUpdates(kernels, launcher);
        this.recurrent = new CudaRecurrent(kernels, launcher);
        this.pooling = new CudaPooling(kernels, launcher);
        this.batchNorm = new CudaBatchNorm(kernels, launcher);
        this.layerNorm = new CudaLayerNorm(kernels, launcher);
        this.gemm = new CudaGemm(context);
        this.halfWidthGemm = new CudaHalfWidthGemm(context, allocator, kernels, launcher);
        this.convolution = new CudaConvolution(this, context, kernels, launcher, options.cudnnBenchmark());
        if (options.tf32()) {
            LOG.info("CUDA backend on {}: TF32 tensor cores allowed for F32 GEMM and convolution (kiln.cuda.tf32)",
                    context.name());
        }
        if (options.cudnnBenchmark()) {
            LOG.info("CUDA backend on {}: each convolution shape's algorithms timed on first use"
                    + " (kiln.cuda.cudnnBenchmark)", context.name());
        }
    }

    DeviceAllocator allocator() {
        return allocator;
    }

    /** The GPU's name, e.g. "NVIDIA H100 80GB HBM3". */
    @Override
    public String deviceName() {
        return context.name();
    }

    /** The device memory statistics of the caching allocator (in use, cached, peak, cudaMalloc calls). */
    public synchronized String memoryStatistics() {
        return allocator.statistics().toString();
    }

    /**
     * {@code kernel_launches} (ours, recorded into step graphs included; cuBLAS and cuDNN calls not counted),
     * {@code graph_launches} (replays of step graphs), {@code host_synchronisations} (waits
     * for the whole stream: every download, {@link #synchronize()}), {@code staging_waits} (uploads that waited
     * for a pinned buffer's earlier copy), {@code async_read_waits} ({@link #itemAsync} values read before the
     * device had copied them: the host waited for the work before them, not for the whole stream) and
     * {@code device_mallocs} (cudaMalloc calls of the allocator: flat after
     * warm-up when its cache serves every request).
     */
    @Override
    public synchronized Map<String, Long> counters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        counters.put("kernel_launches", launcher.launches());
        counters.put("graph_launches", launcher.graphLaunches());
        counters.put("host_synchronisations", context.synchronisations());
        counters.put("staging_waits", transfers.stagingWaits());
        counters.put("async_read_waits", reads.waits());
        counters.put("device_mallocs", allocator.statistics().mallocCalls());
        return counters;
    }

    @Override
    public String name() {
        return "cuda";
    }

    @Override
    public Device device() {
        return context.device();
    }

    @Override
    public synchronized Storage allocate(DType dtype, long elements) {
        long bytes = elements * dtype.bytes();
        DeviceAllocator.Block block = allocator.allocate(bytes, String.format("%,d %s elements", elements, dtype));
        return new CudaStorage(this, storageOwner, block, dtype, elements);
    }

    @Override
    public synchronized void fill(Tensor out, double value) {
        layout.fill(out, value);
    }

    @Override
    public synchronized void copyFromHost(Buffer src, Tensor dst) {
        transfers.upload(src, dst);
    }

    @Override
    public synchronized void copyToHost(Tensor src, Buffer dst) {
        transfers.download(src, dst);
    }

    @Override
    public synchronized PendingItem itemAsync(Tensor src) {
        return reads.start(src);
    }

    @Override
    public synchronized void copy(Tensor src, Tensor dst) {
        layout.copy(src, dst);
    }

    @Override
    public synchronized void copySlices(Tensor src, int axis, int srcStart, Tensor dst, int dstStart, int length) {
        layout.copySlices(src, axis, srcStart, dst, dstStart, length);
    }

    @Override
    public synchronized void permute(Tensor src, int[] perm, Tensor out) {
        layout.permute(src, perm, out);
    }

    @Override
    public synchronized void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a,
                                  Tensor b, double beta, Tensor c) {
        gemm.gemm(transA, transB, m, n, k, alpha, a, b, beta, c);
    }

    @Override
    public synchronized void gemmStridedBatched(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                                Tensor a, long strideA, Tensor b, long strideB, double beta, Tensor c,
                                                long strideC, int batch) {
        gemm.gemmStridedBatched(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    @Override
    public boolean canCaptureSteps() {
        return true;
    }

    @Override
    public synchronized StepGraph captureStep(Runnable step) {
        CudaStepGraph graph = CudaStepGraph.record(this, context, allocator, launcher, step);
        liveGraphs.add(graph);
        return graph;
    }

    /** A step graph closed: nothing left to close with the backend. */
    synchronized void graphClosed(CudaStepGraph graph) {
        liveGraphs.remove(graph);
    }

    /** bf16 on tensor cores from compute capability 8.0 (Ampere); before it, the SPI's F32 composite. */
    @Override
    public synchronized void gemmBf16(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a,
                                      Tensor b, double beta, Tensor c) {
        if (!bf16TensorCores()) {
            Backend.super.gemmBf16(transA, transB, m, n, k, alpha, a, b, beta, c);
            return;
        }
        halfWidthGemm.bf16(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0, 1);
    }

    /** As {@link #gemmBf16}. */
    @Override
    public synchronized void gemmStridedBatchedBf16(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                                    Tensor a, long strideA, Tensor b, long strideB, double beta,
                                                    Tensor c, long strideC, int batch) {
        if (!bf16TensorCores()) {
            Backend.super.gemmStridedBatchedBf16(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c,
                    strideC, batch);
            return;
        }
        halfWidthGemm.bf16(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    private boolean bf16TensorCores() {
        return context.computeCapability() >= 80;
    }

    @Override
    public synchronized void roundToBfloat16(Tensor x, Tensor out) {
        elementwise.roundToBfloat16(x, out);
    }

    @Override
    public synchronized void unary(UnaryOp op, double param, Tensor x, Tensor out) {
        elementwise.unary(op, param, x, out);
    }

    @Override
    public synchronized void unaryBackward(UnaryOp op, double param, Tensor x, Tensor y, Tensor gradY, Tensor gradX) {
        elementwise.unaryBackward(op, param, x, y, gradY, gradX);
    }

    @Override
    public synchronized void biasActivation(UnaryOp op, double param, Tensor x, Tensor bias, Tensor out) {
        elementwise.biasActivation(op, param, x, bias, out);
    }

    @Override
    public synchronized void biasActivationBackward(UnaryOp op, double param, Tensor y, Tensor gradY, Tensor gradPre,
                                                    Tensor gradBias) {
        if (elementwise.fusesBiasActivationBackward(y)) {
            elementwise.biasActivationBackward(op, param, y, gradY, gradPre, gradBias);
        } else {
            Backend.super.biasActivationBackward(op, param, y, gradY, gradPre, gradBias);
        }
    }

    @Override
    public synchronized void affine(Tensor x, double scale, double shift, Tensor out) {
        elementwise.affine(x, scale, shift, out);
    }

    @Override
    public synchronized void binary(BinaryOp op, Tensor a, Tensor b, Tensor out) {
        elementwise.binary(op, a, b, out);
    }

    @Override
    public synchronized void where(Tensor cond, Tensor a, Tensor b, Tensor out) {
        elementwise.where(cond, a, b, out);
    }

    @Override
    public synchronized void reduce(ReduceOp op, Tensor x, int axis, Tensor out) {
        reductions.reduce(op, x, axis, out);
    }

    @Override
    public synchronized void argmax(Tensor x, int axis, Tensor out) {
        reductions.argmax(x, axis, out);
    }

    @Override
    public synchronized void accumulateHits(Tensor scores, Tensor labels, Tensor hits) {
        reductions.accumulateHits(scores, labels, hits);
    }

    @Override
    public synchronized void sortLastAxis(Tensor x, boolean descending, Tensor values, Tensor indices) {
        sort.sortLastAxis(x, descending, values, indices);
    }

    @Override
    public synchronized void softmax(Tensor x, boolean log, Tensor out) {
        reductions.softmax(x, log, out);
    }

    @Override
    public synchronized void softmaxBackward(Tensor y, Tensor gradY, boolean log, Tensor gradX) {
        reductions.softmaxBackward(y, gradY, log, gradX);
    }

    @Override
    public synchronized void crossEntropy(Tensor logits, Tensor targets, Tensor losses, Tensor probs) {
        reductions.crossEntropy(logits, targets, losses, probs);
    }

    @Override
    public synchronized void crossEntropyBackward(Tensor probs, Tensor targets, Tensor gradLosses, double scale,
                                                  Tensor gradLogits) {
        reductions.crossEntropyBackward(probs, targets, gradLosses, scale, gradLogits);
    }

    @Override
    public synchronized void conv2dForward(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        convolution.forward(input, weight, bias, g, out);
    }

    @Override
    public synchronized void conv2dBackwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        convolution.backwardData(gradOut, weight, g, gradInput);
    }

    @Override
    public synchronized void conv2dBackwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight,
                                                  Tensor gradBias) {
        convolution.backwardFilter(input, gradOut, g, gradWeight, gradBias);
    }

    @Override
    public synchronized void conv2dBiasActivation(Tensor input, Tensor weight, Tensor bias, UnaryOp op, double param,
                                                  Conv2dGeometry g, Tensor out) {
        convolution.forward(input, weight, null, g, out);
        elementwise.channelBiasActivation(op, param, out, bias);
    }

    @Override
    public synchronized void conv2dBiasActivationBackward(Tensor input, Tensor weight, UnaryOp op, double param,
                                                          Tensor y, Tensor gradY, Conv2dGeometry g, Tensor gradInput,
                                                          Tensor gradWeight, Tensor gradBias) {
        Tensor gradPre = Tensor.empty(y.shape(), y.dtype(), this);
        try {
            elementwise.channelActivationBackward(op, param, y, gradY, gradPre, gradBias);
            conv2dBackward(input, gradPre, weight, g, gradInput, gradWeight, null);
        } finally {
            gradPre.close();
        }
    }

    @Override
    public synchronized void maxPool2dForward(Tensor input, Pool2dGeometry g, Tensor out, Tensor indices) {
        pooling.maxForward(input, g, out, indices);
    }

    @Override
    public synchronized void maxPool2dBackward(Tensor gradOut, Tensor indices, Pool2dGeometry g, Tensor gradInput) {
        pooling.maxBackward(gradOut, indices, g, gradInput);
    }

    @Override
    public synchronized void avgPool2dForward(Tensor input, Pool2dGeometry g, Tensor out) {
        pooling.avgForward(input, g, out);
    }

    @Override
    public synchronized void avgPool2dBackward(Tensor gradOut, Pool2dGeometry g, Tensor gradInput) {
        pooling.avgBackward(gradOut, g, gradInput);
    }

    @Override
    public synchronized void batchNormForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                              Tensor runningVar, boolean training, double momentum, double eps,
                                              Tensor out, Tensor saveMean, Tensor saveInvStd) {
        batchNorm.forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, null, 0, out, saveMean,
                saveInvStd);
    }

    @Override
    public synchronized void batchNormBackward(Tensor x, Tensor gradOut, Tensor weight, Tensor saveMean,
                                               Tensor saveInvStd, Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        batchNorm.backward(x, gradOut, null, null, 0, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
    }

    @Override
    public synchronized void batchNormActivationForward(Tensor x, Tensor weight, Tensor bias, Tensor runningMean,
                                                        Tensor runningVar, boolean training, double momentum,
                                                        double eps, UnaryOp op, double param, Tensor out,
                                                        Tensor saveMean, Tensor saveInvStd) {
        batchNorm.forward(x, weight, bias, runningMean, runningVar, training, momentum, eps, op, param, out, saveMean,
                saveInvStd);
    }

    @Override
    public synchronized void batchNormActivationBackward(Tensor x, Tensor y, Tensor gradY, UnaryOp op, double param,
                                                         Tensor weight, Tensor saveMean, Tensor saveInvStd,
                                                         Tensor gradInput, Tensor gradWeight, Tensor gradBias) {
        batchNorm.backward(x, gradY, y, op, param, weight, saveMean, saveInvStd, gradInput, gradWeight, gradBias);
    }

    @Override
    public synchronized void layerNorm(Tensor x, Tensor weight, Tensor bias, double eps, Tensor out, Tensor mean,
                                       Tensor rstd) {
        layerNorm.forward(x, weight, bias, eps, out, mean, rstd);
    }

    @Override
    public synchronized void layerNormBackward(Tensor gradOut, Tensor x, Tensor mean, Tensor rstd, Tensor weight,
                                               Tensor gradX, Tensor gradWeight, Tensor gradBias) {
        layerNorm.backward(gradOut, x, mean, rstd, weight, gradX, gradWeight, gradBias);
    }

    @Override
    public synchronized void indexSelect(Tensor src, int axis, Tensor index, Tensor out) {
        indexing.indexSelect(src, axis, index, out);
    }

    @Override
    public synchronized void indexAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        indexing.indexAdd(dst, axis, index, src);
    }

    @Override
    public synchronized void gather(Tensor src, int axis, Tensor index, Tensor out) {
        indexing.gather(src, axis, index, out);
    }

    @Override
    public synchronized void scatterAdd(Tensor dst, int axis, Tensor index, Tensor src) {
        indexing.scatterAdd(dst, axis, index, src);
    }

    @Override
    public synchronized void randomUniform(Tensor out, double low, double high, long seed, long counter) {
        random.uniform(out, low, high, seed, counter);
    }

    @Override
    public synchronized void randomNormal(Tensor out, double mean, double std, long seed, long counter) {
        random.normal(out, mean, std, seed, counter);
    }

    @Override
    public synchronized void bernoulli(Tensor out, double p, long seed, long counter) {
        random.bernoulli(out, p, seed, counter);
    }

    @Override
    public synchronized void sgdUpdate(Tensor param, Tensor grad, Tensor momentumBuffer, double lr, double momentum,
                                       double dampening, double weightDecay, boolean nesterov, boolean firstStep) {
        updates.sgd(param, grad, momentumBuffer, lr, momentum, dampening, weightDecay, nesterov, firstStep);
    }

    @Override
    public synchronized void adamUpdate(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, double lr,
                                        double beta1, double beta2, double eps, double weightDecay,
                                        boolean decoupledWeightDecay, long step) {
        updates.adam(param, grad, expAvg, expAvgSq, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay, step);
    }

    @Override
    public synchronized void adamUpdates(List<Tensor> params, List<Tensor> grads, List<Tensor> expAvgs,
                                         List<Tensor> expAvgSqs, double lr, double beta1, double beta2, double eps,
                                         double weightDecay, boolean decoupledWeightDecay, long step) {
        updates.adamAll(params, grads, expAvgs, expAvgSqs, lr, beta1, beta2, eps, weightDecay, decoupledWeightDecay,
                step);
    }

    @Override
    public synchronized void lstmCellForward(Tensor gates, Tensor c, Tensor hOut, Tensor cOut, Tensor activations) {
        recurrent.lstmForward(gates, c, hOut, cOut, activations);
    }

    @Override
    public synchronized void lstmCellBackward(Tensor activations, Tensor c, Tensor cOut, Tensor gradH, Tensor gradC,
                                              Tensor gradGates, Tensor gradCPrev) {
        recurrent.lstmBackward(activations, c, cOut, gradH, gradC, gradGates, gradCPrev);
    }

    @Override
    public synchronized void gruCellForward(Tensor inputGates, Tensor hiddenGates, Tensor h, Tensor hOut,
                                            Tensor activations) {
        recurrent.gruForward(inputGates, hiddenGates, h, hOut, activations);
    }

    @Override
    public synchronized void gruCellBackward(Tensor activations, Tensor hiddenGates, Tensor h, Tensor gradHOut,
                                             Tensor gradInputGates, Tensor gradHiddenGates, Tensor gradH) {
        recurrent.gruBackward(activations, hiddenGates, h, gradHOut, gradInputGates, gradHiddenGates, gradH);
    }

    @Override
    public synchronized long bytesInUse() {
        return allocator.statistics().inUse();
    }

    @Override
    public synchronized long peakBytesInUse() {
        return allocator.statistics().peakInUse();
    }

    /** {@inheritDoc} ({@link dev.kiln.engine.OperationProfiler}); {@code this} by default. */
    @Override
    public void reportStoragesAs(Backend owner) {
        this.storageOwner = owner;
    }

    @Override
    public synchronized void synchronize() {
        context.synchronize();
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        context.synchronize();
        for (CudaStepGraph graph : new ArrayList<>(liveGraphs)) {
            graph.close();
        }
        convolution.close();
        gemm.close();
        halfWidthGemm.close();
        transfers.close();
        reads.close();
        launcher.close();
        kernels.close();
        allocator.free(cublasWorkspace);
        allocator.emptyCache();
        context.close();
    }

    /** fp16 on tensor cores from compute capability 7.0 (Volta); before it, the SPI's F32 composite. */
    @Override
    public synchronized void gemmF16(boolean transA, boolean transB, int m, int n, int k, double alpha, Tensor a,
                                     Tensor b, double beta, Tensor c) {
        if (!halfTensorCores()) {
            Backend.super.gemmF16(transA, transB, m, n, k, alpha, a, b, beta, c);
            return;
        }
        halfWidthGemm.f16(transA, transB, m, n, k, alpha, a, 0, b, 0, beta, c, 0, 1);
    }

    /** As {@link #gemmF16}. */
    @Override
    public synchronized void gemmStridedBatchedF16(boolean transA, boolean transB, int m, int n, int k, double alpha,
                                                   Tensor a, long strideA, Tensor b, long strideB, double beta,
                                                   Tensor c, long strideC, int batch) {
        if (!halfTensorCores()) {
            Backend.super.gemmStridedBatchedF16(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c,
                    strideC, batch);
            return;
        }
        halfWidthGemm.f16(transA, transB, m, n, k, alpha, a, strideA, b, strideB, beta, c, strideC, batch);
    }

    private boolean halfTensorCores() {
        return context.computeCapability() >= 70;
    }

    @Override
    public synchronized void roundToHalf(Tensor x, Tensor out) {
        elementwise.roundToHalf(x, out);
    }
}
