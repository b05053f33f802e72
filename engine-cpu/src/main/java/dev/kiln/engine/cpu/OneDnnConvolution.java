package dev.kiln.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DIFF_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_data_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_backward_weights_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_cpu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_engine_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_training;
import static org.bytedeco.dnnl.global.dnnl.dnnl_fpmath_mode_strict;
import static org.bytedeco.dnnl.global.dnnl.dnnl_goihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_deterministic;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_fpmath_mode;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_scratchpad_mode;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_scratchpad_mode_user;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_unimplemented;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;
import static dev.kiln.engine.cpu.OneDnnPlan.check;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.cpu.ConvolutionKey.Direction;
import dev.kiln.engine.cpu.OneDnnPlan.Argument;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.dnnl.dnnl_version_t;
import org.bytedeco.dnnl.global.dnnl;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.LongPointer;

/**
 * 2-D convolutions, grouped or not, on oneDNN's CPU primitives, F32 only, in strict F32 arithmetic (no implicit
 * bfloat16). Each (geometry, direction, bias) gets a {@link OneDnnPlan} on first use, kept while it is among the
 * {@value #PLANS_KEPT} used last: creating one generates its kernel's code, milliseconds. The primitives are created
 * with {@code format_tag any}, so that oneDNN picks its blocked layouts (nChw16c and the like), and Kiln's NCHW
 * tensors and OIHW weights are reordered into and out of them on every call: on plain NCHW and OIHW descriptors
 * oneDNN 3.11 falls back to its generic {@code jit_uni_ncsp} kernel, which took 1.8-6.2 s a call where the blocked
 * kernels and their reorders took 23-83 ms (3x3 convolutions of 16 channels on 28 x 28 and 64 on 7 x 7, batch 256, in
 * each direction, 2 threads). The weight gradient's primitive is asked to be deterministic (its sums over the batch
 * split the same way every run). One plan runs at a time: plans own the native memory objects that point at each
 * call's tensors.
 */
final class OneDnnConvolution implements AutoCloseable {
    /**
     * Plans kept: a training step repeats a few dozen (geometry, direction) pairs at most; ResNet-18 has 11
     * convolution geometries, 33 with their directions.
     */
    static final int PLANS_KEPT = 64;

    private final CpuBackend backend;
    private final OpenMpThreads threads;
    private final dnnl_engine engine;
    private final dnnl_stream stream;
    private final Map<ConvolutionKey, OneDnnPlan> plans = new LinkedHashMap<>(PLANS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvolutionKey, OneDnnPlan> eldest) {
            if (size() > PLANS_KEPT) {
                if (eldest.getValue() != null) {
                    eldest.getValue().close();
                }
                return true;
            }
            return false;
        }
    };

    private OneDnnConvolution(CpuBackend backend, OpenMpThreads threads) {
        this.backend = backend;
        this.threads = threads;
        this.engine = new dnnl_engine();
        check(dnnl_engine_create(engine, dnnl_cpu, 0), () -> "dnnl_engine_create");
        this.stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), () -> "dnnl_stream_create");
    }

    /**
     * Loads oneDNN's native library and opens a CPU engine whose OpenMP threads number {@code threads} (where its
     * OpenMP can be told, see {@link OpenMpThreads}).
     *
     * @throws LinkageError where the dnnl or opencl jars, or their natives for this platform, are missing
     */
    static OneDnnConvolution open(CpuBackend backend, int threads) {
        Loader.load(dnnl.class);
        return new OneDnnConvolution(backend, OpenMpThreads.of(threads));
    }

    /** oneDNN's version, e.g. {@code 3.11.0}, and whether Kiln sets its thread count (for the log). */
    String describe() {
        dnnl_version_t v = dnnl.dnnl_version();
        return "oneDNN " + v.major() + "." + v.minor() + "." + v.patch() + (threads == null
                ? ", its threads as OMP_NUM_THREADS says (no omp_set_num_threads found)"
                : " on " + threads.threads() + " OpenMP thread" + (threads.threads() == 1 ? "" : "s"));
    }

    /** Whether oneDNN has a primitive for {@code key}; creates and keeps its plan when it has. */
    synchronized boolean supports(ConvolutionKey key) {
        return plan(key) != null;
    }

    /** oneDNN's name for the kernel that runs {@code key}, or null where it has none. */
    synchronized String implementation(ConvolutionKey key) {
        OneDnnPlan plan = plan(key);
        return plan == null ? null : plan.implementation();
    }

    /** Closes the plan of {@code key}, if one is kept: for a convolution that OpenBLAS runs faster. */
    synchronized void forget(ConvolutionKey key) {
        OneDnnPlan plan = plans.remove(key);
        if (plan != null) {
            plan.close();
        }
    }

    /** out [N, outC, outH, outW] = conv(input [N, C, H, W], weight [outC, C / groups, kh, kw]) + bias (nullable). */
    void forward(Tensor input, Tensor weight, Tensor bias, GroupedConv2dGeometry g, Tensor out) {
        ConvolutionKey key = new ConvolutionKey(g, Direction.FORWARD, bias != null);
        run(key, bias == null ? new Tensor[] {input, weight, out} : new Tensor[] {input, weight, bias, out});
    }

    /** gradInput [N, C, H, W] from gradOut [N, outC, outH, outW] and weight. */
    void backwardData(Tensor gradOut, Tensor weight, GroupedConv2dGeometry g, Tensor gradInput) {
        run(new ConvolutionKey(g, Direction.BACKWARD_DATA, false), gradOut, weight, gradInput);
    }

    /** gradWeight [outC, C / groups, kh, kw] and gradBias [outC] (nullable), summed over the batch. */
    void backwardFilter(Tensor input, Tensor gradOut, GroupedConv2dGeometry g, Tensor gradWeight, Tensor gradBias) {
        ConvolutionKey key = new ConvolutionKey(g, Direction.BACKWARD_FILTER, gradBias != null);
        run(key, gradBias == null ? new Tensor[] {input, gradOut, gradWeight}
                : new Tensor[] {input, gradOut, gradWeight, gradBias});
    }

    private synchronized void run(ConvolutionKey key, Tensor... tensors) {
        OneDnnPlan plan = plan(key);
        if (plan == null) {
            throw new IllegalStateException("oneDNN has no primitive for the convolution " + key);
        }
        applyThreads();
        plan.execute(stream, backend, tensors);
    }

    @Override
    public synchronized void close() {
        plans.values().stream().filter(Objects::nonNull).forEach(OneDnnPlan::close);
        plans.clear();
        dnnl_stream_destroy(stream);
        dnnl_engine_destroy(engine);
    }

    /** The kept plan of {@code key}, else a new one, else null where oneDNN has no primitive for it (kept too). */
    private OneDnnPlan plan(ConvolutionKey key) {
        if (plans.containsKey(key)) {
            return plans.get(key);
        }
        applyThreads();
        OneDnnPlan plan = create(key);
        plans.put(key, plan);
        return plan;
    }

    private void applyThreads() {
        if (threads != null) {
            threads.applyToCurrentThread();
        }
    }

    // ---- primitive descriptors ---------------------------------------------------------------------------

    /** The plan of {@code key}, or null where oneDNN has no implementation of it. */
    private OneDnnPlan create(ConvolutionKey key) {
        try (Shapes s = new Shapes(key.geometry())) {
            boolean bias = key.bias();
            return switch (key.direction()) {
                case FORWARD -> plan(forwardDescriptor(s, bias), null, () -> bias
                        ? List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_WEIGHTS, s.weights()),
                                input(DNNL_ARG_BIAS, s.bias()), output(DNNL_ARG_DST, s.dst()))
                        : List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_WEIGHTS, s.weights()),
                                output(DNNL_ARG_DST, s.dst())));
                case BACKWARD_DATA -> {
                    dnnl_primitive_desc hint = forwardDescriptor(s, false);
                    yield plan(hint == null ? null : backwardDataDescriptor(s, hint), hint,
                            () -> List.of(input(DNNL_ARG_DIFF_DST, s.dst()), input(DNNL_ARG_WEIGHTS, s.weights()),
                                    output(DNNL_ARG_DIFF_SRC, s.src())));
                }
                case BACKWARD_FILTER -> {
                    dnnl_primitive_desc hint = forwardDescriptor(s, bias);
                    yield plan(hint == null ? null : backwardWeightsDescriptor(s, bias, hint), hint, () -> bias
                            ? List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_DIFF_DST, s.dst()),
                                    output(DNNL_ARG_DIFF_WEIGHTS, s.weights()), output(DNNL_ARG_DIFF_BIAS, s.bias()))
                            : List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_DIFF_DST, s.dst()),
                                    output(DNNL_ARG_DIFF_WEIGHTS, s.weights())));
                }
            };
        }
    }

    /** The plan of {@code pd} on {@code arguments}, or null (destroying the hint) where there is no {@code pd}. */
    private OneDnnPlan plan(dnnl_primitive_desc pd, dnnl_primitive_desc hint, Supplier<List<Argument>> arguments) {
        if (pd == null) {
            destroy(hint);
            return null;
        }
        return new OneDnnPlan(engine, pd, hint, arguments.get());
    }

    private static Argument input(int id, dnnl_memory_desc user) {
        return new Argument(id, user, false);
    }

    private static Argument output(int id, dnnl_memory_desc user) {
        return new Argument(id, user, true);
    }

    private dnnl_primitive_desc forwardDescriptor(Shapes s, boolean bias) {
        try (Descriptors d = new Descriptors(s, bias, false)) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_convolution_forward_primitive_desc_create(pd, engine, dnnl_forward_training,
                    dnnl_convolution_direct, d.src, d.weights, d.bias, d.dst, s.strides, s.dilates, s.padding,
                    s.padding, d.attr);
            return created(status, pd, "dnnl_convolution_forward_primitive_desc_create");
        }
    }

    private dnnl_primitive_desc backwardDataDescriptor(Shapes s, dnnl_primitive_desc hint) {
        try (Descriptors d = new Descriptors(s, false, false)) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_convolution_backward_data_primitive_desc_create(pd, engine, dnnl_convolution_direct,
                    d.src, d.weights, d.dst, s.strides, s.dilates, s.padding, s.padding, hint, d.attr);
            return created(status, pd, "dnnl_convolution_backward_data_primitive_desc_create");
        }
    }

    private dnnl_primitive_desc backwardWeightsDescriptor(Shapes s, boolean bias, dnnl_primitive_desc hint) {
        try (Descriptors d = new Descriptors(s, bias, true)) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_convolution_backward_weights_primitive_desc_create(pd, engine, dnnl_convolution_direct,
                    d.src, d.weights, d.bias, d.dst, s.strides, s.dilates, s.padding, s.padding, hint, d.attr);
            return created(status, pd, "dnnl_convolution_backward_weights_primitive_desc_create");
        }
    }

    /** {@code pd} when created, null when oneDNN has no implementation; throws on any other failure. */
    private static dnnl_primitive_desc created(int status, dnnl_primitive_desc pd, String call) {
        if (status == dnnl_unimplemented) {
            return null;
        }
        check(status, () -> call);
        return pd;
    }

    private static void destroy(dnnl_primitive_desc pd) {
        if (pd != null) {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /**
     * A convolution's dimensions as oneDNN takes them: groups lead the weight's dimensions when there is more than
     * one, dilation counts the taps skipped (PyTorch's dilation minus one), and the padding is the same on both sides,
     * as oneDNN's output size {@code (in - footprint + 2 pad) / stride + 1} rounds down as PyTorch's does.
     */
    private static final class Shapes implements AutoCloseable {
        final long[] srcDims;
        final long[] weightDims;
        final long[] biasDims;
        final long[] dstDims;
        final boolean grouped;
        final LongPointer strides;
        final LongPointer dilates;
        final LongPointer padding;

        Shapes(GroupedConv2dGeometry grouped) {
            Conv2dGeometry g = grouped.group();
            int groups = grouped.groups();
            this.grouped = groups > 1;
            this.srcDims = new long[] {g.batch(), grouped.inChannels(), g.height(), g.width()};
            this.dstDims = new long[] {g.batch(), grouped.outChannels(), g.outH(), g.outW()};
            this.weightDims = this.grouped
                    ? new long[] {groups, g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()}
                    : new long[] {g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()};
            this.biasDims = new long[] {grouped.outChannels()};
            this.strides = new LongPointer((long) g.strideH(), g.strideW());
            this.dilates = new LongPointer(g.dilationH() - 1L, g.dilationW() - 1L);
            this.padding = new LongPointer((long) g.padH(), g.padW());
        }

        /** Kiln's layouts: NCHW input and output, OIHW weight (GOIHW grouped), the bias a vector. */
        dnnl_memory_desc src() {
            return descriptor(srcDims, dnnl_nchw);
        }

        dnnl_memory_desc dst() {
            return descriptor(dstDims, dnnl_nchw);
        }

        dnnl_memory_desc weights() {
            return descriptor(weightDims, grouped ? dnnl_goihw : dnnl_oihw);
        }

        dnnl_memory_desc bias() {
            return descriptor(biasDims, dnnl_x);
        }

        @Override
        public void close() {
            strides.close();
            dilates.close();
            padding.close();
        }
    }

    /**
     * The descriptors a primitive descriptor is created from: layouts left to oneDNN ({@code format_tag any}) but the
     * bias's, and the attributes (user scratchpad, strict F32, deterministic where asked); destroyed once it exists.
     */
    private static final class Descriptors implements AutoCloseable {
        final dnnl_memory_desc src;
        final dnnl_memory_desc weights;
        final dnnl_memory_desc bias;
        final dnnl_memory_desc dst;
        final dnnl_primitive_attr attr;

        Descriptors(Shapes s, boolean withBias, boolean deterministic) {
            src = descriptor(s.srcDims, dnnl_format_tag_any);
            weights = descriptor(s.weightDims, dnnl_format_tag_any);
            bias = withBias ? s.bias() : null;
            dst = descriptor(s.dstDims, dnnl_format_tag_any);
            attr = new dnnl_primitive_attr();
            check(dnnl_primitive_attr_create(attr), () -> "dnnl_primitive_attr_create");
            check(dnnl_primitive_attr_set_scratchpad_mode(attr, dnnl_scratchpad_mode_user),
                    () -> "dnnl_primitive_attr_set_scratchpad_mode");
            check(dnnl_primitive_attr_set_fpmath_mode(attr, dnnl_fpmath_mode_strict),
                    () -> "dnnl_primitive_attr_set_fpmath_mode");
            if (deterministic) {
                check(dnnl_primitive_attr_set_deterministic(attr, 1), () -> "dnnl_primitive_attr_set_deterministic");
            }
        }

        @Override
        public void close() {
            dnnl_memory_desc_destroy(src);
            dnnl_memory_desc_destroy(weights);
            if (bias != null) {
                dnnl_memory_desc_destroy(bias);
            }
            dnnl_memory_desc_destroy(dst);
            dnnl_primitive_attr_destroy(attr);
        }
    }

    private static dnnl_memory_desc descriptor(long[] dims, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        try (LongPointer d = new LongPointer(dims)) {
            check(dnnl_memory_desc_create_with_tag(md, dims.length, d, dnnl_f32, tag),
                    () -> "dnnl_memory_desc_create_with_tag");
        }
        return md;
    }
}
