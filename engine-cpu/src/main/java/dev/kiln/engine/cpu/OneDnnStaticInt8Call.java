package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_SCALES;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_ATTR_ZERO_POINTS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_BIAS;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_direct;
import static org.bytedeco.dnnl.global.dnnl.dnnl_convolution_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_eltwise_relu;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_forward_inference;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_clone;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_nchw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_oihw;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_forward_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_pooling_max;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_eltwise;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_scales_mask;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_zero_points_mask;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_exec_arg_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_s32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_s8;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_u8;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.DType;
import dev.kiln.engine.Pool2dGeometry;
import dev.kiln.engine.Uint8Grid;
import java.util.ArrayList;
import java.util.List;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_post_ops;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Pointer;

/**
 * One slice geometry of a chain of static int8 convolutions on oneDNN (one convolution, or several where each reads
 * the previous one's output), run single-threaded on one Kiln thread: a reorder that quantises the F32 NCHW input onto
 * the input grid (u8, divided by the scale, rounded to nearest even, the zero point added, saturated) in the layout
 * the first convolution wants, then each u8 x s8 convolution with s32 sums, its input's and per-channel weight scales,
 * the F32 bias, ReLU where fused, and its output grid's scale and zero point (u8 out), read by the next convolution as
 * it is (or reordered where that one wants another layout: the same u8 values), where asked a max pooling of the last
 * output in u8 (the maximum of q values, whose grid value is the maximum of the grid values), and a reorder that
 * dequantises the last output (pooled or not) into Kiln's F32 NCHW; where asked, then a shortcut convolution reading
 * the first convolution's quantised input (a residual block's downsample: the input quantised once for both) with a
 * dequantising reorder of its own. Keeping the output in u8 between two convolutions saves a dequantising and a
 * quantising pass over it, and gives the same values: quantising a grid value onto its own grid gives back its q.
 * Its primitives, memory objects and stream are made once; each call sets the data handles and the grids. The weights
 * are laid out for its primitives here, from the plain s8 OIHW values (with the compensation oneDNN keeps for the
 * input's zero point), and the scales copied, so that the call holds no memory of the packings. One call at a time.
 */
final class OneDnnStaticInt8Call implements AutoCloseable {
    private final CpuBackend backend;
    private final dnnl_engine engine;
    private final dnnl_stream stream = new dnnl_stream();
    private final List<dnnl_primitive> primitives = new ArrayList<>();
    private final List<dnnl_memory> memories = new ArrayList<>();
    private final List<CpuStorage> storages = new ArrayList<>();
    private final List<dnnl_exec_arg_t> argLists = new ArrayList<>();
    /** The primitives in the order they run, with their argument lists and counts. */
    private final List<dnnl_primitive> steps = new ArrayList<>();
    private final List<dnnl_exec_arg_t> stepArgs = new ArrayList<>();
    private final List<Integer> stepArgCounts = new ArrayList<>();
    private final List<Pointer> values = new ArrayList<>();
    private final FloatPointer inputScale = value(new FloatPointer(1));
    private final IntPointer inputZeroPoint = value(new IntPointer(1));
    private final FloatPointer[] outputScales;
    private final IntPointer[] outputZeroPoints;
    private final dnnl_memory[] biases;
    private final dnnl_memory source;
    private final dnnl_memory target;
    private final String implementation;
    private final List<Boolean> zeroPoints;
    private final FloatPointer shortcutScale = value(new FloatPointer(1));
    private final IntPointer shortcutZeroPoint = value(new IntPointer(1));
    /** The shortcut convolution's bias and F32 output, null without one, and whether its zero point may be other than 0. */
    private dnnl_memory shortcutBias;
    private dnnl_memory shortcutTarget;
    private boolean shortcutZeroPoints;

    /**
     * A shortcut convolution on the chain's quantised input: its geometry, fused ReLU, weights (s8 OIHW) and scales
     * (F32 [out]) as the chain's, and whether its output grid's zero point may be other than 0.
     */
    record Shortcut(Conv2dGeometry geometry, boolean relu, CpuStorage plain, CpuStorage scales, boolean zeroPoint) {
    }

    /**
     * The primitives for the convolutions {@code geometries} (the slice's batch) with ReLU fused where
     * {@code relus}, the weights {@code plains} (s8 OIHW) and {@code scales} (F32 [out]) read from their packings
     * here only; {@code zeroPoints} says of the input's grid and then of each convolution's output grid whether its
     * zero point may be other than 0 (where not, the convolutions reading or writing it take none); {@code pool}
     * the max pooling of the last output (the slice's batch), or null for none; {@code shortcut} the convolution
     * that also reads the quantised input, or null for none.
     */
    OneDnnStaticInt8Call(CpuBackend backend, dnnl_engine engine, List<Conv2dGeometry> geometries, List<Boolean> relus,
                         List<CpuStorage> plains, List<CpuStorage> scales, List<Boolean> zeroPoints,
                         Pool2dGeometry pool, Shortcut shortcut) {
        this.backend = backend;
        this.engine = engine;
        this.zeroPoints = zeroPoints;
        int n = geometries.size();
        this.outputScales = new FloatPointer[n];
        this.outputZeroPoints = new IntPointer[n];
        this.biases = new dnnl_memory[n];
        List<dnnl_memory_desc> descs = new ArrayList<>();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), () -> "dnnl_stream_create");
        try {
            Conv2dGeometry first = geometries.get(0);
            long[] input = {first.batch(), first.inChannels(), first.height(), first.width()};
            source = memory(descriptor(input, dnnl_f32, dnnl_nchw), null);
            dnnl_memory inScale = scalar(dnnl_f32, inputScale);
            dnnl_memory inZero = scalar(dnnl_s32, inputZeroPoint);
            dnnl_memory previous = source;
            dnnl_memory firstQuantised = null;
            dnnl_memory_desc firstQuantisedMd = null;
            dnnl_memory_desc previousMd = null;
            String firstImplementation = null;
            long[] dst = null;
            dnnl_memory outputU8 = null;
            for (int k = 0; k < n; k++) {
                Conv2dGeometry g = geometries.get(k);
                long[] src = {g.batch(), g.inChannels(), g.height(), g.width()};
                long[] wei = {g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()};
                dst = new long[] {g.batch(), g.outChannels(), g.outH(), g.outW()};
                boolean srcZeroPoint = zeroPoints.get(k);
                boolean dstZeroPoint = zeroPoints.get(k + 1);
                dnnl_primitive_desc pd = convolution(g, src, wei, dst, relus.get(k), srcZeroPoint, dstZeroPoint);
                dnnl_memory_desc srcU8 = cloned(pd, DNNL_ARG_SRC, descs);
                dnnl_memory_desc weiS8 = cloned(pd, DNNL_ARG_WEIGHTS, descs);
                dnnl_memory_desc dstU8 = cloned(pd, DNNL_ARG_DST, descs);
                dnnl_primitive convolve;
                try {
                    convolve = created(pd);
                    if (k == 0) {
                        firstImplementation = OneDnnPlan.implementation(pd);
                    }
                } finally {
                    dnnl_primitive_desc_destroy(pd);
                }
                dnnl_memory quantised;
                if (k == 0) {
                    quantised = owned(srcU8);
                    firstQuantised = quantised;
                    firstQuantisedMd = srcU8;
                    step(reorder(descriptor(src, dnnl_f32, dnnl_nchw), srcU8, DNNL_ARG_DST),
                            new int[] {DNNL_ARG_FROM, DNNL_ARG_TO, DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST,
                                DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST}, source, quantised, inScale, inZero);
                } else if (dnnl_memory_desc_equal(previousMd, srcU8) != 0) {
                    quantised = previous;
                } else {
                    quantised = owned(srcU8);
                    step(relayout(previousMd, srcU8), new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, previous, quantised);
                }
                outputU8 = owned(dstU8);
                dnnl_memory weights = owned(weiS8);
                layOutWeights(wei, plains.get(k), weiS8, weights);
                biases[k] = memory(descriptor(new long[] {g.outChannels()}, dnnl_f32, dnnl_x), null);
                dnnl_memory weightScales = memory(descriptor(new long[] {g.outChannels()}, dnnl_f32, dnnl_a),
                        copied(scales.get(k), g.outChannels()));
                outputScales[k] = value(new FloatPointer(1));
                outputZeroPoints[k] = value(new IntPointer(1));
                dnnl_memory outScale = scalar(dnnl_f32, outputScales[k]);
                dnnl_memory outZero = scalar(dnnl_s32, outputZeroPoints[k]);
                convolveStep(convolve, quantised, weights, biases[k], outputU8, inScale, weightScales, outScale,
                        srcZeroPoint ? inZero : null, dstZeroPoint ? outZero : null);
                previous = outputU8;
                previousMd = dstU8;
                inScale = outScale;
                inZero = outZero;
            }
            if (pool != null) {
                dst = new long[] {pool.batch(), pool.channels(), pool.outH(), pool.outW()};
                dnnl_primitive_desc pd = maxPooling(pool, previousMd, dst);
                dnnl_memory_desc pooledMd = cloned(pd, DNNL_ARG_DST, descs);
                dnnl_primitive pooling;
                try {
                    pooling = created(pd);
                } finally {
                    dnnl_primitive_desc_destroy(pd);
                }
                dnnl_memory pooled = owned(pooledMd);
                step(pooling, new int[] {DNNL_ARG_SRC, DNNL_ARG_DST}, outputU8, pooled);
                outputU8 = pooled;
                previousMd = pooledMd;
            }
            implementation = firstImplementation;
            target = memory(descriptor(dst, dnnl_f32, dnnl_nchw), null);
            step(reorder(previousMd, descriptor(dst, dnnl_f32, dnnl_nchw), DNNL_ARG_SRC),
                    new int[] {DNNL_ARG_FROM, DNNL_ARG_TO, DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC,
                        DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC}, outputU8, target, inScale, inZero);
            if (shortcut != null) {
                convolveShortcut(shortcut, firstQuantised, firstQuantisedMd, zeroPoints.get(0), descs);
            }
        } catch (RuntimeException | Error e) {
            close();
            throw e;
        } finally {
            descs.forEach(d -> dnnl_memory_desc_destroy(d));
        }
    }

    /**
     * The shortcut's steps: a relayout of the quantised input {@code input} (of layout {@code inputMd}) where its
     * convolution wants another, the convolution (input grid as the chain's first, zero point where
     * {@code srcZeroPoint}) and the reorder that dequantises its output into {@link #shortcutTarget}.
     */
    private void convolveShortcut(Shortcut shortcut, dnnl_memory input, dnnl_memory_desc inputMd,
                                  boolean srcZeroPoint, List<dnnl_memory_desc> descs) {
        shortcutZeroPoints = shortcut.zeroPoint();
        Conv2dGeometry g = shortcut.geometry();
        long[] src = {g.batch(), g.inChannels(), g.height(), g.width()};
        long[] wei = {g.outChannels(), g.inChannels(), g.kernelH(), g.kernelW()};
        long[] dst = {g.batch(), g.outChannels(), g.outH(), g.outW()};
        dnnl_primitive_desc pd = convolution(g, src, wei, dst, shortcut.relu(), srcZeroPoint, shortcut.zeroPoint());
        dnnl_memory_desc srcU8 = cloned(pd, DNNL_ARG_SRC, descs);
        dnnl_memory_desc weiS8 = cloned(pd, DNNL_ARG_WEIGHTS, descs);
        dnnl_memory_desc dstU8 = cloned(pd, DNNL_ARG_DST, descs);
        dnnl_primitive convolve;
        try {
            convolve = created(pd);
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
        dnnl_memory quantised = input;
        if (dnnl_memory_desc_equal(inputMd, srcU8) == 0) {
            quantised = owned(srcU8);
            step(relayout(inputMd, srcU8), new int[] {DNNL_ARG_FROM, DNNL_ARG_TO}, input, quantised);
        }
        dnnl_memory weights = owned(weiS8);
        layOutWeights(wei, shortcut.plain(), weiS8, weights);
        shortcutBias = memory(descriptor(new long[] {g.outChannels()}, dnnl_f32, dnnl_x), null);
        dnnl_memory weightScales = memory(descriptor(new long[] {g.outChannels()}, dnnl_f32, dnnl_a),
                copied(shortcut.scales(), g.outChannels()));
        dnnl_memory outScale = scalar(dnnl_f32, shortcutScale);
        dnnl_memory outZero = scalar(dnnl_s32, shortcutZeroPoint);
        dnnl_memory output = owned(dstU8);
        dnnl_memory inScale = scalar(dnnl_f32, inputScale);
        convolveStep(convolve, quantised, weights, shortcutBias, output, inScale, weightScales, outScale,
                srcZeroPoint ? scalar(dnnl_s32, inputZeroPoint) : null, shortcut.zeroPoint() ? outZero : null);
        shortcutTarget = memory(descriptor(dst, dnnl_f32, dnnl_nchw), null);
        step(reorder(dstU8, descriptor(dst, dnnl_f32, dnnl_nchw), DNNL_ARG_SRC),
                new int[] {DNNL_ARG_FROM, DNNL_ARG_TO, DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC,
                    DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC}, output, shortcutTarget, outScale, outZero);
    }

    /**
     * Adds the step of the int8 convolution {@code convolve} on these memories, with the zero points' arguments where
     * they are not null (the primitive was made to take them there).
     */
    private void convolveStep(dnnl_primitive convolve, dnnl_memory src, dnnl_memory weights, dnnl_memory bias,
                              dnnl_memory dst, dnnl_memory srcScale, dnnl_memory weightScales, dnnl_memory dstScale,
                              dnnl_memory srcZero, dnnl_memory dstZero) {
        List<Integer> ids = new ArrayList<>(List.of(DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS,
                DNNL_ARG_ATTR_SCALES | DNNL_ARG_DST));
        List<dnnl_memory> arguments = new ArrayList<>(List.of(src, weights, bias, dst, srcScale, weightScales,
                dstScale));
        if (srcZero != null) {
            ids.add(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC);
            arguments.add(srcZero);
        }
        if (dstZero != null) {
            ids.add(DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_DST);
            arguments.add(dstZero);
        }
        step(convolve, ids.stream().mapToInt(Integer::intValue).toArray(), arguments.toArray(new dnnl_memory[0]));
    }

    /**
     * Quantises the F32 input at {@code input} onto {@code in}, runs the convolutions, the k-th with
     * {@code biasValues[k]} F32 [out] (zeros for a layer without bias) writing onto {@code outs[k]}, and writes the
     * last output dequantised at {@code output}.
     */
    void execute(Pointer input, Pointer[] biasValues, Pointer output, Uint8Grid in, Uint8Grid[] outs) {
        execute(input, biasValues, output, in, outs, null, null, null);
    }

    /**
     * {@link #execute(Pointer, Pointer[], Pointer, Uint8Grid, Uint8Grid[])}, and where the call has a shortcut
     * convolution, that with {@code shortcutBiasValues} F32 [out] onto {@code shortcutGrid}, written dequantised at
     * {@code shortcutOutput}.
     */
    void execute(Pointer input, Pointer[] biasValues, Pointer output, Uint8Grid in, Uint8Grid[] outs,
                 Pointer shortcutBiasValues, Pointer shortcutOutput, Uint8Grid shortcutGrid) {
        if (shortcutTarget != null) {
            if (shortcutGrid.zeroPoint() != 0 && !shortcutZeroPoints) {
                throw new IllegalStateException("staticInt8Conv2dChainAndShortcut: the shortcut's grid has zero point "
                        + shortcutGrid.zeroPoint() + ", but its primitive was made for a zero point of 0");
            }
            shortcutScale.put(0, shortcutGrid.scale());
            shortcutZeroPoint.put(0, shortcutGrid.zeroPoint());
            check(dnnl_memory_set_data_handle(shortcutBias, shortcutBiasValues),
                    () -> "dnnl_memory_set_data_handle (shortcut bias)");
            check(dnnl_memory_set_data_handle(shortcutTarget, shortcutOutput),
                    () -> "dnnl_memory_set_data_handle (shortcut output)");
        }
        checkZeroPoint(0, in);
        for (int k = 0; k < outs.length; k++) {
            checkZeroPoint(k + 1, outs[k]);
        }
        inputScale.put(0, in.scale());
        inputZeroPoint.put(0, in.zeroPoint());
        for (int k = 0; k < outs.length; k++) {
            outputScales[k].put(0, outs[k].scale());
            outputZeroPoints[k].put(0, outs[k].zeroPoint());
            int stage = k;
            check(dnnl_memory_set_data_handle(biases[k], biasValues[k]),
                    () -> "dnnl_memory_set_data_handle (bias " + stage + ")");
        }
        check(dnnl_memory_set_data_handle(source, input), () -> "dnnl_memory_set_data_handle");
        check(dnnl_memory_set_data_handle(target, output), () -> "dnnl_memory_set_data_handle");
        for (int i = 0; i < steps.size(); i++) {
            int step = i;
            check(dnnl_primitive_execute(steps.get(i), stream, stepArgCounts.get(i), stepArgs.get(i)),
                    () -> "dnnl_primitive_execute (int8 convolution chain, step " + step + ")");
        }
        check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
    }

    /** Refuses grid {@code k} (0 the input's) with a zero point other than 0 where the primitives take none. */
    private void checkZeroPoint(int k, Uint8Grid grid) {
        if (grid.zeroPoint() != 0 && !zeroPoints.get(k)) {
            throw new IllegalStateException("staticInt8Conv2d: grid " + k + " of this call has zero point "
                    + grid.zeroPoint() + ", but its primitives were made for zero points of 0");
        }
    }

    /** oneDNN's name for the first convolution's kernel, e.g. {@code brg_conv_fwd:avx512_core_vnni} (for tests). */
    String implementation() {
        return implementation;
    }

    @Override
    public void close() {
        argLists.forEach(dnnl_exec_arg_t::close);
        primitives.forEach(p -> dnnl_primitive_destroy(p));
        memories.forEach(m -> dnnl_memory_destroy(m));
        storages.forEach(CpuStorage::release);
        dnnl_stream_destroy(stream);
        values.forEach(Pointer::close);
    }

    /**
     * The inference convolution, layouts left to oneDNN: one scale for the input and the output, and one zero point
     * for each where {@code srcZeroPoint} or {@code dstZeroPoint} (a grid whose zero point is 0 needs none, and the
     * kernels are faster without: with an input zero point they correct every sum for it, the padded borders apart),
     * one scale per output channel for the weights (mask bit 0), ReLU as a post-op (applied before the output's scale
     * and zero point, so it clamps at the zero point).
     */
    private dnnl_primitive_desc convolution(Conv2dGeometry g, long[] src, long[] wei, long[] dst, boolean relu,
                                            boolean srcZeroPoint, boolean dstZeroPoint) {
        dnnl_memory_desc srcMd = descriptor(src, dnnl_u8, dnnl_format_tag_any);
        dnnl_memory_desc weiMd = descriptor(wei, dnnl_s8, dnnl_format_tag_any);
        dnnl_memory_desc biasMd = descriptor(new long[] {g.outChannels()}, dnnl_f32, dnnl_x);
        dnnl_memory_desc dstMd = descriptor(dst, dnnl_u8, dnnl_format_tag_any);
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        dnnl_post_ops ops = new dnnl_post_ops();
        check(dnnl_primitive_attr_create(attr), () -> "dnnl_primitive_attr_create");
        try {
            check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_SRC, 0), () -> "set_scales_mask (src)");
            check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_WEIGHTS, 1), () -> "set_scales_mask (wei)");
            check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_DST, 0), () -> "set_scales_mask (dst)");
            if (srcZeroPoint) {
                check(dnnl_primitive_attr_set_zero_points_mask(attr, DNNL_ARG_SRC, 0), () -> "zero_points_mask (src)");
            }
            if (dstZeroPoint) {
                check(dnnl_primitive_attr_set_zero_points_mask(attr, DNNL_ARG_DST, 0), () -> "zero_points_mask (dst)");
            }
            if (relu) {
                check(dnnl_post_ops_create(ops), () -> "dnnl_post_ops_create");
                check(dnnl_post_ops_append_eltwise(ops, dnnl_eltwise_relu, 0f, 0f), () -> "append_eltwise (relu)");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), () -> "dnnl_primitive_attr_set_post_ops");
            }
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_convolution_forward_primitive_desc_create(pd, engine, dnnl_forward_inference,
                    dnnl_convolution_direct, srcMd, weiMd, biasMd, dstMd,
                    new long[] {g.strideH(), g.strideW()}, new long[] {g.dilationH() - 1L, g.dilationW() - 1L},
                    new long[] {g.padH(), g.padW()}, new long[] {g.padH(), g.padW()}, attr),
                    () -> "dnnl_convolution_forward_primitive_desc_create (u8 x s8 -> u8)");
            return pd;
        } finally {
            if (relu) {
                dnnl_post_ops_destroy(ops);
            }
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory_desc_destroy(srcMd);
            dnnl_memory_desc_destroy(weiMd);
            dnnl_memory_desc_destroy(biasMd);
            dnnl_memory_desc_destroy(dstMd);
        }
    }

    /**
     * Inference max pooling of u8 values laid out as {@code src} (the last convolution's output) into u8 {@code dst}
     * dims, layout left to oneDNN; windows never count the padding (oneDNN's max pooling excludes it). The right and
     * bottom padding is what the output size needs (more than the left in ceil mode, none where floor mode leaves
     * rows unread).
     */
    private dnnl_primitive_desc maxPooling(Pool2dGeometry pool, dnnl_memory_desc src, long[] dst) {
        dnnl_memory_desc dstMd = descriptor(dst, dnnl_u8, dnnl_format_tag_any);
        long padBottom = Math.max(0, (pool.outH() - 1L) * pool.strideH() + pool.kernelH() - pool.height()
                - pool.padH());
        long padRight = Math.max(0, (pool.outW() - 1L) * pool.strideW() + pool.kernelW() - pool.width()
                - pool.padW());
        try {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_pooling_forward_primitive_desc_create(pd, engine, dnnl_forward_inference, dnnl_pooling_max,
                    src, dstMd, new long[] {pool.strideH(), pool.strideW()},
                    new long[] {pool.kernelH(), pool.kernelW()}, new long[] {0, 0},
                    new long[] {pool.padH(), pool.padW()}, new long[] {padBottom, padRight}, null),
                    () -> "dnnl_pooling_forward_primitive_desc_create (u8 max pooling)");
            return pd;
        } finally {
            dnnl_memory_desc_destroy(dstMd);
        }
    }

    /**
     * A reorder from {@code from} to {@code to} (both destroyed here, unless they are a primitive's, which the caller
     * destroys) with one scale and zero point on the argument {@code quantised}: quantising where it is the
     * destination, dequantising where it is the source.
     */
    private dnnl_primitive reorder(dnnl_memory_desc from, dnnl_memory_desc to, int quantised) {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), () -> "dnnl_primitive_attr_create");
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try {
            check(dnnl_primitive_attr_set_scales_mask(attr, quantised, 0), () -> "set_scales_mask (reorder)");
            check(dnnl_primitive_attr_set_zero_points_mask(attr, quantised, 0), () -> "zero_points_mask (reorder)");
            check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, attr),
                    () -> "dnnl_reorder_primitive_desc_create (" + (quantised == DNNL_ARG_DST ? "quantise" : "dequantise")
                            + ")");
            return created(pd);
        } finally {
            dnnl_primitive_desc_destroy(pd);
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory_desc_destroy(quantised == DNNL_ARG_DST ? from : to);
        }
    }

    /** The plain s8 OIHW weights reordered into {@code weights}, of the primitive's {@code layout}. */
    private void layOutWeights(long[] dims, CpuStorage plain, dnnl_memory_desc layout, dnnl_memory weights) {
        dnnl_memory_desc plainMd = descriptor(dims, dnnl_s8, dnnl_oihw);
        dnnl_memory from = new dnnl_memory();
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        dnnl_primitive reorder = new dnnl_primitive();
        try {
            check(dnnl_memory_create(from, plainMd, engine, plain.bytePointer(0)), () -> "dnnl_memory_create");
            check(dnnl_reorder_primitive_desc_create(pd, plainMd, engine, layout, engine, null),
                    () -> "dnnl_reorder_primitive_desc_create (int8 weights)");
            check(dnnl_primitive_create(reorder, pd), () -> "dnnl_primitive_create (reorder)");
            try (dnnl_exec_arg_t args = OneDnnPlan.args(new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                    new dnnl_memory[] {from, weights})) {
                check(dnnl_primitive_execute(reorder, stream, 2, args), () -> "dnnl_primitive_execute (reorder)");
                check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
            }
        } finally {
            dnnl_primitive_destroy(reorder);
            dnnl_primitive_desc_destroy(pd);
            dnnl_memory_destroy(from);
            dnnl_memory_desc_destroy(plainMd);
        }
    }

    private dnnl_primitive created(dnnl_primitive_desc pd) {
        dnnl_primitive p = new dnnl_primitive();
        check(dnnl_primitive_create(p, pd), () -> "dnnl_primitive_create");
        primitives.add(p);
        return p;
    }

    /** A copy of pd's descriptor of {@code argument}, added to {@code descs} (which the constructor destroys). */
    private static dnnl_memory_desc cloned(dnnl_primitive_desc pd, int argument, List<dnnl_memory_desc> descs) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_clone(md,
                dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, argument)), () -> "dnnl_memory_desc_clone");
        descs.add(md);
        return md;
    }

    /** A reorder of u8 values from layout {@code from} to {@code to} (neither destroyed here). */
    private dnnl_primitive relayout(dnnl_memory_desc from, dnnl_memory_desc to) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try {
            check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null),
                    () -> "dnnl_reorder_primitive_desc_create (u8 between two convolutions)");
            return created(pd);
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /** {@code primitive} run next with the memory objects {@code memories} as the arguments {@code ids}. */
    private void step(dnnl_primitive primitive, int[] ids, dnnl_memory... memories) {
        steps.add(primitive);
        stepArgs.add(args(ids, memories));
        stepArgCounts.add(ids.length);
    }

    /** A copy of the first {@code count} floats of {@code scales}, freed on close. */
    private Pointer copied(CpuStorage scales, int count) {
        CpuStorage copy = (CpuStorage) backend.allocate(DType.F32, count);
        storages.add(copy);
        for (int c = 0; c < count; c++) {
            copy.f32.put(c, scales.f32.get(c));
        }
        return copy.floatPointer(0);
    }

    /** {@code p}, closed with the call. */
    private <P extends Pointer> P value(P p) {
        values.add(p);
        return p;
    }

    /** A memory object of {@code md} backed by storage of its own, freed on close. */
    private dnnl_memory owned(dnnl_memory_desc md) {
        long bytes = dnnl_memory_desc_get_size(md);
        long floats = Math.max(1, (bytes + Float.BYTES - 1) / Float.BYTES);
        CpuStorage storage = (CpuStorage) backend.allocate(DType.F32, floats);
        storages.add(storage);
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, engine, storage.bytePointer(0)), () -> "dnnl_memory_create");
        memories.add(m);
        return m;
    }

    /**
     * A memory object of {@code md} at {@code data} (null: set at each call), destroying md where {@code owned}
     * (a memory object keeps its own copy of its descriptor).
     */
    private dnnl_memory memory(dnnl_memory_desc md, Pointer data) {
        try {
            dnnl_memory m = new dnnl_memory();
            check(dnnl_memory_create(m, md, engine, data), () -> "dnnl_memory_create");
            memories.add(m);
            return m;
        } finally {
            dnnl_memory_desc_destroy(md);
        }
    }

    private dnnl_memory scalar(int type, Pointer value) {
        return memory(descriptor(new long[] {1}, type, dnnl_a), value);
    }

    private dnnl_exec_arg_t args(int[] ids, dnnl_memory... memories) {
        dnnl_exec_arg_t a = OneDnnPlan.args(ids, memories);
        argLists.add(a);
        return a;
    }

    private static dnnl_memory_desc descriptor(long[] dims, int type, int tag) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        check(dnnl_memory_desc_create_with_tag(md, dims.length, dims, type, tag),
                () -> "dnnl_memory_desc_create_with_tag");
        return md;
    }
}
