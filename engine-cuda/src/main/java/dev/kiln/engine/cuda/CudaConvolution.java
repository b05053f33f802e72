package dev.kiln.engine.cuda;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdDataAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionBwdFilterAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionFwdAlgoPerf_t;
import org.bytedeco.cuda.cudnn.cudnnConvolutionStruct;
import org.bytedeco.cuda.cudnn.cudnnFilterStruct;
import org.bytedeco.cuda.cudnn.cudnnTensorStruct;
import org.bytedeco.cuda.global.cudnn;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * 2-D convolution on cuDNN (NCHW, cross-correlation). F32 runs in strict FP32 arithmetic (FMA math only),
 * unless the context allows TF32, when tensor-core algorithms are candidates too (never those that convert
 * inputs to FP16). Descriptors are made once per (geometry, dtype), and each direction's algorithm and math type
 * at its first call, then cached: by cuDNN's heuristics, or, with {@code cudnnBenchmark}, by running every
 * candidate on that call's operands and keeping the fastest ({@code cudnnFind...AlgorithmEx}; a few milliseconds
 * a shape, and a {@value #WORKSPACE_LIMIT}-byte workspace that the allocator keeps cached afterwards; where device
 * memory cannot hold that, the heuristics choose).
 * Workspaces come from the caching allocator. Bias addition and the bias gradient are our kernels.
 */
final class CudaConvolution implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(CudaConvolution.class);
    private static final int ALGORITHMS_REQUESTED = 8;
    /** Workspace one convolution may ask for; an algorithm that wants more trades device memory for little speed. */
    private static final long WORKSPACE_LIMIT = 256L << 20;

    private final CudaBackend backend;
    private final CudaContext context;
    private final CudaKernels kernels;
    private final KernelLauncher launcher;
    private final boolean benchmark;
    private final Map<PlanKey, Plan> plans = new HashMap<>();
    private final FloatPointer floatOne = new FloatPointer(1f);
    private final FloatPointer floatZero = new FloatPointer(0f);
    private final DoublePointer doubleOne = new DoublePointer(1.0);
    private final DoublePointer doubleZero = new DoublePointer(0.0);

    /** @param benchmark choose each direction's algorithm by timing the candidates, not by cuDNN's heuristics */
    CudaConvolution(CudaBackend backend, CudaContext context, CudaKernels kernels, KernelLauncher launcher,
                    boolean benchmark) {
        this.backend = backend;
        this.context = context;
        this.kernels = kernels;
        this.launcher = launcher;
        this.benchmark = benchmark;
    }

    private record PlanKey(Conv2dGeometry geometry, DType dtype) {
    }

    /** One entry of cuDNN's heuristics or timings, in the order cuDNN ranks them (fastest first when timed). */
    private record Candidate(int algorithm, int status, int mathType, long memory) {
    }

    /** A direction's algorithm, the math type it runs with and the workspace it needs. */
    private record Choice(int algorithm, int mathType, long workspace) {
    }

    /** A direction's workspace query for one algorithm: cuDNN's status, and the size in {@code bytes}. */
    private interface WorkspaceQuery {
        int size(int algorithm, SizeTPointer bytes);
    }

    /** The descriptors and chosen algorithms (with their workspace sizes) of one geometry; null until first used. */
    private static final class Plan {
        final cudnnTensorStruct input = new cudnnTensorStruct();
        final cudnnTensorStruct output = new cudnnTensorStruct();
        final cudnnFilterStruct filter = new cudnnFilterStruct();
        final cudnnConvolutionStruct convolution = new cudnnConvolutionStruct();
        Choice forward;
        Choice backwardData;
        Choice backwardFilter;

        void close() {
            cudnn.cudnnDestroyTensorDescriptor(input);
            cudnn.cudnnDestroyTensorDescriptor(output);
            cudnn.cudnnDestroyFilterDescriptor(filter);
            cudnn.cudnnDestroyConvolutionDescriptor(convolution);
        }
    }

    void forward(Tensor input, Tensor weight, Tensor bias, Conv2dGeometry g, Tensor out) {
        Plan p = plan(g, input.dtype());
        try (Operand x = read(input); Operand f = read(weight); Operand y = written(out)) {
            if (p.forward == null) {
                p.forward = chooseForward(p, g, x, f, y);
            }
            try (Workspace w = new Workspace(p.forward.workspace())) {
                setMath(p, p.forward.mathType());
                Status.cudnn(cudnn.cudnnConvolutionForward(context.cudnn(), one(input), p.input, x.pointer(),
                        p.filter, f.pointer(), p.convolution, p.forward.algorithm(), w.pointer(), w.bytes(),
                        zero(input), p.output, y.pointer()), () -> "cudnnConvolutionForward " + g);
            }
        }
        if (bias != null) {
            long n = out.size();
            launcher.begin().pointer(out).pointer(bias).int64(g.batch()).int64(g.outChannels())
                    .int64((long) g.outH() * g.outW())
                    .launch(kernels.function(Kernel.BIAS_ADD, out.dtype()), launcher.blocksFor(n));
        }
    }

    void backwardData(Tensor gradOut, Tensor weight, Conv2dGeometry g, Tensor gradInput) {
        Plan p = plan(g, gradOut.dtype());
        try (Operand f = read(weight); Operand dy = read(gradOut); Operand dx = written(gradInput)) {
            if (p.backwardData == null) {
                p.backwardData = chooseBackwardData(p, g, f, dy, dx);
            }
            try (Workspace w = new Workspace(p.backwardData.workspace())) {
                setMath(p, p.backwardData.mathType());
                Status.cudnn(cudnn.cudnnConvolutionBackwardData(context.cudnn(), one(gradOut), p.filter,
                        f.pointer(), p.output, dy.pointer(), p.convolution,
                        p.backwardData.algorithm(), w.pointer(), w.bytes(), zero(gradOut), p.input,
                        dx.pointer()), () -> "cudnnConvolutionBackwardData " + g);
            }
        }
    }

    void backwardFilter(Tensor input, Tensor gradOut, Conv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        Plan p = plan(g, input.dtype());
        try (Operand x = read(input); Operand dy = read(gradOut); Operand df = written(gradWeight)) {
            if (p.backwardFilter == null) {
                p.backwardFilter = chooseBackwardFilter(p, g, x, dy, df);
            }
            try (Workspace w = new Workspace(p.backwardFilter.workspace())) {
                setMath(p, p.backwardFilter.mathType());
                Status.cudnn(cudnn.cudnnConvolutionBackwardFilter(context.cudnn(), one(input), p.input,
                        x.pointer(), p.output, dy.pointer(), p.convolution,
                        p.backwardFilter.algorithm(), w.pointer(), w.bytes(), zero(input), p.filter,
                        df.pointer()), () -> "cudnnConvolutionBackwardFilter " + g);
            }
        }
        if (gradBias != null) {
            biasGradient(gradOut, g, gradBias);
        }
    }

    /** gradBias [outChannels] = gradOut's sum over the batch and the image, per channel (in parts: ChannelParts). */
    private void biasGradient(Tensor gradOut, Conv2dGeometry g, Tensor gradBias) {
        long channels = g.outChannels();
        long spatial = (long) g.outH() * g.outW();
        long parts = ChannelParts.of(channels, g.batch() * spatial);
        if (parts == 1) {
            launcher.begin().pointer(gradOut).pointer(gradBias).int64(g.batch()).int64(channels).int64(spatial)
                    .launch(kernels.function(Kernel.CHANNEL_SUM, gradOut.dtype()), launcher.blocksForRows(channels));
            return;
        }
        try (Tensor partials = ChannelParts.doubles(gradOut, channels * parts)) {
            launcher.begin().pointer(gradOut).int64(g.batch()).int64(channels).int64(spatial).int64(parts)
                    .pointer(partials)
                    .launch(kernels.function(Kernel.CHANNEL_SUM_PARTS, gradOut.dtype()),
                            launcher.blocksForRows(channels * parts));
            ChannelParts.sum(kernels, launcher, partials, channels, parts, gradBias);
        }
    }

    /** Bytes cuDNN's kernels may load at a time; our allocator's blocks are aligned to at least this. */
    static final long CUDNN_ALIGNMENT = 16;

    private Operand read(Tensor t) {
        return new Operand(t, false);
    }

    private Operand written(Tensor t) {
        return new Operand(t, true);
    }

    /**
     * A tensor as cuDNN gets it: the tensor itself when its address is {@link #CUDNN_ALIGNMENT}-aligned, else
     * an aligned copy (a view at an odd offset, e.g. a slice of a batch of 3x5x5 images). A written operand's
     * copy is copied back on close; cuDNN overwrites it (beta = 0), so it starts empty.
     */
    private final class Operand implements AutoCloseable {
        private final Tensor given;
        private final Tensor staged;
        private final boolean written;

        Operand(Tensor given, boolean written) {
            this.given = given;
            this.written = written;
            if (DevicePointers.address(given) % CUDNN_ALIGNMENT == 0) {
                staged = given;
            } else {
                staged = Tensor.empty(given.shape(), given.dtype(), given.backend());
                if (!written) {
                    backend.copy(given, staged);
                }
            }
        }

        Pointer pointer() {
            return DevicePointers.of(staged);
        }

        @Override
        public void close() {
            if (staged != given) {
                if (written) {
                    backend.copy(staged, given);
                }
                staged.close();
            }
        }
    }

    private Pointer one(Tensor t) {
        return t.dtype() == DType.F64 ? doubleOne : floatOne;
    }

    private Pointer zero(Tensor t) {
        return t.dtype() == DType.F64 ? doubleZero : floatZero;
    }

    private Plan plan(Conv2dGeometry g, DType dtype) {
        if (dtype != DType.F32 && dtype != DType.F64) {
            throw new IllegalArgumentException("conv2d: the CUDA backend convolves F32 or F64, got " + dtype);
        }
        context.bindThread();
        return plans.computeIfAbsent(new PlanKey(g, dtype), key -> createPlan(g, dtype));
    }

    /** Descriptors for one geometry; a plan that cannot be made leaves no descriptor behind. */
    private Plan createPlan(Conv2dGeometry g, DType dtype) {
        Plan p = new Plan();
        try {
            describe(p, g, dtype);
            return p;
        } catch (RuntimeException e) {
            p.close();
            throw e;
        }
    }

    private static void describe(Plan p, Conv2dGeometry g, DType dtype) {
        int type = dtype == DType.F64 ? cudnn.CUDNN_DATA_DOUBLE : cudnn.CUDNN_DATA_FLOAT;
        Status.cudnn(cudnn.cudnnCreateTensorDescriptor(p.input), "cudnnCreateTensorDescriptor");
        Status.cudnn(cudnn.cudnnCreateTensorDescriptor(p.output), "cudnnCreateTensorDescriptor");
        Status.cudnn(cudnn.cudnnCreateFilterDescriptor(p.filter), "cudnnCreateFilterDescriptor");
        Status.cudnn(cudnn.cudnnCreateConvolutionDescriptor(p.convolution), "cudnnCreateConvolutionDescriptor");
        Status.cudnn(cudnn.cudnnSetTensor4dDescriptor(p.input, cudnn.CUDNN_TENSOR_NCHW, type, g.batch(),
                g.inChannels(), g.height(), g.width()), "cudnnSetTensor4dDescriptor(input) " + g);
        Status.cudnn(cudnn.cudnnSetTensor4dDescriptor(p.output, cudnn.CUDNN_TENSOR_NCHW, type, g.batch(),
                g.outChannels(), g.outH(), g.outW()), "cudnnSetTensor4dDescriptor(output) " + g);
        Status.cudnn(cudnn.cudnnSetFilter4dDescriptor(p.filter, type, cudnn.CUDNN_TENSOR_NCHW, g.outChannels(),
                g.inChannels(), g.kernelH(), g.kernelW()), "cudnnSetFilter4dDescriptor " + g);
        Status.cudnn(cudnn.cudnnSetConvolution2dDescriptor(p.convolution, g.padH(), g.padW(), g.strideH(),
                g.strideW(), g.dilationH(), g.dilationW(), cudnn.CUDNN_CROSS_CORRELATION, type),
                "cudnnSetConvolution2dDescriptor " + g);
    }

    private Choice chooseForward(Plan p, Conv2dGeometry g, Operand x, Operand f, Operand y) {
        try (cudnnConvolutionFwdAlgoPerf_t perf = new cudnnConvolutionFwdAlgoPerf_t(ALGORITHMS_REQUESTED)) {
            return choose(p, g, "forward",
                    (found, w) -> cudnn.cudnnFindConvolutionForwardAlgorithmEx(context.cudnn(), p.input, x.pointer(),
                            p.filter, f.pointer(), p.convolution, p.output, y.pointer(), ALGORITHMS_REQUESTED, found,
                            perf, w.pointer(), w.bytes()),
                    found -> cudnn.cudnnGetConvolutionForwardAlgorithm_v7(context.cudnn(), p.input, p.filter,
                            p.convolution, p.output, ALGORITHMS_REQUESTED, found, perf),
                    i -> {
                        var c = perf.getPointer(i);
                        return new Candidate(c.algo(), c.status(), c.mathType(), c.memory());
                    },
                    (algorithm, bytes) -> cudnn.cudnnGetConvolutionForwardWorkspaceSize(context.cudnn(), p.input,
                            p.filter, p.convolution, p.output, algorithm, bytes));
        }
    }

    private Choice chooseBackwardData(Plan p, Conv2dGeometry g, Operand f, Operand dy, Operand dx) {
        try (cudnnConvolutionBwdDataAlgoPerf_t perf = new cudnnConvolutionBwdDataAlgoPerf_t(ALGORITHMS_REQUESTED)) {
            return choose(p, g, "backward-data",
                    (found, w) -> cudnn.cudnnFindConvolutionBackwardDataAlgorithmEx(context.cudnn(), p.filter,
                            f.pointer(), p.output, dy.pointer(), p.convolution, p.input, dx.pointer(),
                            ALGORITHMS_REQUESTED, found, perf, w.pointer(), w.bytes()),
                    found -> cudnn.cudnnGetConvolutionBackwardDataAlgorithm_v7(context.cudnn(), p.filter, p.output,
                            p.convolution, p.input, ALGORITHMS_REQUESTED, found, perf),
                    i -> {
                        var c = perf.getPointer(i);
                        return new Candidate(c.algo(), c.status(), c.mathType(), c.memory());
                    },
                    (algorithm, bytes) -> cudnn.cudnnGetConvolutionBackwardDataWorkspaceSize(context.cudnn(), p.filter,
                            p.output, p.convolution, p.input, algorithm, bytes));
        }
    }

    private Choice chooseBackwardFilter(Plan p, Conv2dGeometry g, Operand x, Operand dy, Operand df) {
        try (cudnnConvolutionBwdFilterAlgoPerf_t perf = new cudnnConvolutionBwdFilterAlgoPerf_t(ALGORITHMS_REQUESTED)) {
            return choose(p, g, "backward-filter",
                    (found, w) -> cudnn.cudnnFindConvolutionBackwardFilterAlgorithmEx(context.cudnn(), p.input,
                            x.pointer(), p.output, dy.pointer(), p.convolution, p.filter, df.pointer(),
                            ALGORITHMS_REQUESTED, found, perf, w.pointer(), w.bytes()),
                    found -> cudnn.cudnnGetConvolutionBackwardFilterAlgorithm_v7(context.cudnn(), p.input, p.output,
                            p.convolution, p.filter, ALGORITHMS_REQUESTED, found, perf),
                    i -> {
                        var c = perf.getPointer(i);
                        return new Candidate(c.algo(), c.status(), c.mathType(), c.memory());
                    },
                    (algorithm, bytes) -> cudnn.cudnnGetConvolutionBackwardFilterWorkspaceSize(context.cudnn(),
                            p.input, p.output, p.convolution, p.filter, algorithm, bytes));
        }
    }

    /** A direction's timing of its candidates ({@code cudnnFind...AlgorithmEx}) in {@code workspace}: cuDNN's status. */
    private interface TimedCandidates {
        int find(IntPointer found, Workspace workspace);
    }

    /** A direction's ranking of its candidates by cuDNN's heuristics ({@code cudnnGet...Algorithm_v7}): its status. */
    private interface RankedCandidates {
        int get(IntPointer found);
    }

    /**
     * One direction's choice: its candidates timed (with {@code cudnnBenchmark}) or ranked, read by {@code entry}, and
     * the first usable one taken ({@link #choose(Plan, List, WorkspaceQuery, String, Conv2dGeometry)}).
     */
    private Choice choose(Plan p, Conv2dGeometry g, String direction, TimedCandidates timed, RankedCandidates ranked,
                          IntFunction<Candidate> entry, WorkspaceQuery query) {
        try (IntPointer found = new IntPointer(1)) {
            allowCandidates(p);
            if (!benchmark || !timed(found, timed, direction, g)) {
                Status.cudnn(ranked.get(found), () -> "ranking the " + direction + " algorithms (cudnnGet"
                        + "Convolution*Algorithm_v7) for " + g);
            }
            List<Candidate> candidates = new ArrayList<>();
            for (int i = 0; i < found.get(); i++) {
                candidates.add(entry.apply(i));
            }
            return choose(p, candidates, query, direction, g);
        }
    }

    /**
     * Times every candidate there and then, which a step graph's recording cannot hold, in a
     * {@link #WORKSPACE_LIMIT}-byte workspace so that every algorithm the choice would accept is timed. False, with a
     * warning, when device memory cannot hold that workspace: cuDNN's ranking then chooses, as it does without
     * {@code cudnnBenchmark}, rather than failing a shape that a leaner algorithm runs.
     */
    private boolean timed(IntPointer found, TimedCandidates timed, String direction, Conv2dGeometry g) {
        context.requireNotRecording("time the " + direction + " convolution algorithms for " + g
                + " (kiln.cuda.cudnnBenchmark; run the step once eagerly first)");
        Workspace workspace;
        try {
            workspace = new Workspace(WORKSPACE_LIMIT);
        } catch (CudaOutOfMemoryException e) {
            LOG.warn("not timing the {} convolution algorithms for {}: no room for their {} MiB workspace; cuDNN's"
                    + " heuristics choose instead ({})", direction, g, WORKSPACE_LIMIT >> 20, e.getMessage());
            return false;
        }
        try (workspace) {
            Status.cudnn(timed.find(found, workspace), () -> "timing the " + direction + " algorithms (cudnnFind"
                    + "Convolution*AlgorithmEx) for " + g);
        }
        return true;
    }

    /**
     * The first usable candidate, in cuDNN's order, whose workspace query under its own math type succeeds within
     * {@link #WORKSPACE_LIMIT}: a recommended algorithm can still answer that query with NOT_SUPPORTED, and then
     * the next one is tried rather than failing the shape.
     */
    private Choice choose(Plan p, List<Candidate> candidates, WorkspaceQuery query, String direction,
                          Conv2dGeometry g) {
        try (SizeTPointer bytes = new SizeTPointer(1)) {
            for (Candidate c : candidates) {
                if (!usable(c)) {
                    continue;
                }
                setMath(p, c.mathType());
                if (query.size(c.algorithm(), bytes) == cudnn.CUDNN_STATUS_SUCCESS && bytes.get() <= WORKSPACE_LIMIT) {
                    return new Choice(c.algorithm(), c.mathType(), bytes.get());
                }
            }
        }
        throw new CudaException("cuDNN offers no " + direction + " convolution algorithm for " + g
                + (context.tf32() ? "" : " in FMA arithmetic") + " within a workspace of "
                + (WORKSPACE_LIMIT >> 20) + " MiB");
    }

    /**
     * Whether an entry of cuDNN's heuristics may be used: it runs within {@link #WORKSPACE_LIMIT}, never
     * converting inputs to FP16, and in full F32/F64 arithmetic unless the context allows TF32 (tensor-op
     * entries round F32 inputs to TF32, which breaks parity with the CPU).
     */
    private boolean usable(Candidate c) {
        int math = c.mathType();
        boolean arithmetic = context.tf32() ? math != cudnn.CUDNN_TENSOR_OP_MATH_ALLOW_CONVERSION
                : math == cudnn.CUDNN_FMA_MATH || math == cudnn.CUDNN_DEFAULT_MATH;
        return c.status() == cudnn.CUDNN_STATUS_SUCCESS && arithmetic && c.memory() <= WORKSPACE_LIMIT;
    }

    /**
     * Sets the descriptor's math type before a heuristics query: the query lists candidates of the math types
     * it allows, and each direction then runs with its chosen candidate's own math type, as cuDNN asks.
     */
    private void allowCandidates(Plan p) {
        Status.cudnn(cudnn.cudnnSetConvolutionMathType(p.convolution,
                context.tf32() ? cudnn.CUDNN_TENSOR_OP_MATH : cudnn.CUDNN_FMA_MATH), "cudnnSetConvolutionMathType");
    }

    /**
     * With TF32 allowed, sets the descriptor to the chosen candidate's math type before a call or a workspace
     * query. In strict mode the descriptor stays at FMA, as {@link #allowCandidates} set it: a DEFAULT_MATH
     * candidate run under a DEFAULT_MATH descriptor may use TF32 on Ampere and newer.
     */
    private void setMath(Plan p, int mathType) {
        if (context.tf32()) {
            Status.cudnn(cudnn.cudnnSetConvolutionMathType(p.convolution, mathType), "cudnnSetConvolutionMathType");
        }
    }

    /** Device scratch memory for one cuDNN call, from the caching allocator. */
    private final class Workspace implements AutoCloseable {
        private final DeviceAllocator.Block block;
        private final long bytes;

        Workspace(long bytes) {
            this.bytes = bytes;
            this.block = bytes == 0 ? null : backend.allocator().allocate(bytes, "a cuDNN workspace");
        }

        Pointer pointer() {
            return DevicePointers.at(block == null ? 0 : block.address());
        }

        long bytes() {
            return bytes;
        }

        @Override
        public void close() {
            if (block != null) {
                backend.allocator().free(block);
            }
        }
    }

    @Override
    public void close() {
        plans.values().forEach(Plan::close);
        plans.clear();
        floatOne.close();
        floatZero.close();
        doubleOne.close();
        doubleZero.close();
    }
}
