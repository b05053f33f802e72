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
import static org.bytedeco.dnnl.global.dnnl.DNNL_RUNTIME_DIM_VAL;
import static org.bytedeco.dnnl.global.dnnl.dnnl_a;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_clone;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_scales_mask;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_zero_points_mask;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_exec_arg_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_s32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_s8;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_u8;

import dev.kiln.engine.DType;
import dev.kiln.engine.InputQuantization;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One block of output columns of an int8 linear layer on oneDNN's int8 matmul: u8 input with a zero point, s8
 * weights in the layout the primitive chose (laid out once, at packing), s32 accumulation, the input's scale and the
 * columns' scales applied to an F32 output, bias added after them. The weights are packed for a primitive whose batch
 * is a runtime dimension; each batch size seen gets a primitive of its own, as for a fixed batch oneDNN picks its
 * brgemm kernels where the open one gets only the generic int8 GEMM, with the weights reordered for it where it wants
 * another layout. The output is written in place, a column block of Kiln's row-major [batch, out]. One call at a time
 * (it holds one stream and one call's scale and zero point).
 */
final class OneDnnInt8Part implements AutoCloseable {
    /**
     * Batch sizes whose primitives and memory objects are kept: an evaluation loop has one or two (the last, partial
     * batch), a serving loop a few more.
     */
    static final int CALLS_KEPT = 8;
    /** The primitive's arguments: input, weights, bias, output, the two scales and the input's zero point. */
    private static final int ARGUMENTS = 7;

    /**
     * One batch size's primitive, its weights (the packed ones, or a copy in the layout it wants), its input and
     * output memory objects, and the argument list naming them.
     */
    private final class Call {
        final dnnl_primitive primitive;
        final String implementation;
        /** The weights reordered for this primitive, null where it reads the packed ones. */
        final Relaid relaid;
        final dnnl_memory src;
        final dnnl_memory dst;
        final dnnl_exec_arg_t args;

        Call(int batch) {
            this.primitive = new dnnl_primitive();
            dnnl_memory_desc wanted = new dnnl_memory_desc();
            Relaid relaidWeights = null;
            dnnl_memory source = null;
            dnnl_memory target = null;
            try {
                this.implementation = created(batch, wanted);
                relaidWeights = dnnl_memory_desc_equal(wanted, layout) != 0 ? null : relaid(wanted);
                source = owned(matrix(batch, in, in, dnnl_u8), null);
                target = owned(matrix(batch, count, out, dnnl_f32), null);
                this.args = OneDnnPlan.args(new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_BIAS, DNNL_ARG_DST,
                    DNNL_ARG_ATTR_SCALES | DNNL_ARG_SRC, DNNL_ARG_ATTR_SCALES | DNNL_ARG_WEIGHTS,
                    DNNL_ARG_ATTR_ZERO_POINTS | DNNL_ARG_SRC},
                        new dnnl_memory[] {source, relaidWeights == null ? weights : relaidWeights.memory, bias,
                            target, inputScale, weightScales, inputZeroPoint});
            } catch (RuntimeException | Error e) {
                // A batch size that fails to build (oneDNN's error, or memory for relaid weights) leaves nothing held.
                dnnl_primitive_destroy(primitive);
                dnnl_memory_destroy(source);
                dnnl_memory_destroy(target);
                release(relaidWeights);
                throw e;
            } finally {
                dnnl_memory_desc_destroy(wanted);
            }
            this.relaid = relaidWeights;
            this.src = source;
            this.dst = target;
        }

        /** Creates the primitive for {@code batch} rows, sets {@code wanted} to its weights' layout; its kernel's name. */
        private String created(int batch, dnnl_memory_desc wanted) {
            dnnl_primitive_desc pd = descriptor(batch);
            try {
                check(dnnl_primitive_create(primitive, pd), () -> "dnnl_primitive_create (int8 matmul, batch " + batch
                        + ")");
                check(dnnl_memory_desc_clone(wanted, dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md,
                        DNNL_ARG_WEIGHTS)), () -> "dnnl_memory_desc_clone");
                return OneDnnPlan.implementation(pd);
            } finally {
                dnnl_primitive_desc_destroy(pd);
            }
        }

        void close() {
            args.close();
            dnnl_primitive_destroy(primitive);
            dnnl_memory_destroy(src);
            dnnl_memory_destroy(dst);
            release(relaid);
        }
    }

    /** The weights in a layout that batch sizes' primitives want, other than the packed one, shared by those calls. */
    private final class Relaid {
        final dnnl_memory_desc md;
        final CpuStorage storage;
        final dnnl_memory memory;
        /** The calls using these weights: the last to close frees them. */
        int users;

        Relaid(dnnl_memory_desc wanted) {
            this.storage = reordered(wanted);
            this.md = new dnnl_memory_desc();
            check(dnnl_memory_desc_clone(md, wanted), () -> "dnnl_memory_desc_clone");
            this.memory = memory(md, storage.bytePointer(0));
        }

        void close() {
            dnnl_memory_destroy(memory);
            storage.release();
            dnnl_memory_desc_destroy(md);
        }
    }

    private final int first;
    private final int count;
    private final int in;
    private final int out;
    private final CpuBackend backend;
    private final dnnl_engine engine;
    private final dnnl_stream stream;
    private final String implementation;
    /** The primitive's layout of the weights, which {@link #values} reads back. */
    private final dnnl_memory_desc layout;
    private final CpuStorage packed;
    private final dnnl_memory weights;
    private final dnnl_memory weightScales;
    private final dnnl_memory bias;
    private final dnnl_memory inputScale;
    private final dnnl_memory inputZeroPoint;
    /**
     * The primitives, memory objects and argument lists of the batch sizes used last, whose handles each call sets:
     * made anew at every call, their JavaCPP allocations (each asks the JVM for its process's memory use) took most of
     * a batch-1 call's time.
     */
    private final Map<Integer, Call> calls = new LinkedHashMap<>(CALLS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<Integer, Call> eldest) {
            if (size() <= CALLS_KEPT) {
                return false;
            }
            eldest.getValue().close();
            return true;
        }
    };
    /** The weights in the other layouts the kept calls' primitives want: one per layout, at most one per call. */
    private final List<Relaid> relaids = new ArrayList<>();
    private final FloatPointer inputScaleValue = new FloatPointer(1);
    private final IntPointer inputZeroPointValue = new IntPointer(1);

    /**
     * Columns [first, first + count) of a layer of {@code out} outputs and {@code in} inputs, whose s8 values
     * {@code plain} holds row-major [out, in] and whose F32 scales {@code scales} holds [out]; {@code plain} is read
     * here only, {@code scales} for the part's life.
     */
    OneDnnInt8Part(CpuBackend backend, dnnl_engine engine, int first, int count, int in, int out, CpuStorage plain,
                   CpuStorage scales) {
        this.first = first;
        this.count = count;
        this.in = in;
        this.out = out;
        this.backend = backend;
        this.engine = engine;
        this.stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), () -> "dnnl_stream_create");
        try {
            dnnl_primitive_desc pd = descriptor(DNNL_RUNTIME_DIM_VAL());
            try {
                this.implementation = OneDnnPlan.implementation(pd);
                this.layout = new dnnl_memory_desc();
                check(dnnl_memory_desc_clone(layout, dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md,
                        DNNL_ARG_WEIGHTS)), () -> "dnnl_memory_desc_clone");
            } finally {
                dnnl_primitive_desc_destroy(pd);
            }
            long bytes = dnnl_memory_desc_get_size(layout);
            this.packed = (CpuStorage) backend.allocate(DType.F32, (bytes + Float.BYTES - 1) / Float.BYTES);
            this.weights = memory(layout, packed.bytePointer(0));
            reorder(plainWeights(), plain.bytePointer((long) first * in), layout, packed.bytePointer(0));
            this.weightScales = owned(vector(count, dnnl_f32), scales.floatPointer(first));
            this.bias = owned(matrix(1, count, out, dnnl_f32), null);
            this.inputScale = owned(vector(1, dnnl_f32), inputScaleValue);
            this.inputZeroPoint = owned(vector(1, dnnl_s32), inputZeroPointValue);
        } catch (RuntimeException | Error e) {
            // The packing closes only the parts it got back: this one frees what it made before oneDNN failed.
            close();
            throw e;
        }
    }

    /** oneDNN's name for the kernel of the packing's open batch, e.g. {@code gemm:jit} (for logs and tests). */
    String implementation() {
        return implementation;
    }

    /** oneDNN's name for the kernel it chose for {@code batch} rows, e.g. {@code brg_matmul:avx512_core_vnni}. */
    String implementation(int batch) {
        return calls.computeIfAbsent(batch, Call::new).implementation;
    }

    /**
     * Bytes of the weights in the packed layout and in the kept calls' other layouts (with any compensation oneDNN
     * keeps beside them).
     */
    long bytes() {
        long bytes = packed.capacity() * Float.BYTES;
        for (Relaid r : relaids) {
            bytes += r.storage.capacity() * Float.BYTES;
        }
        return bytes;
    }

    /**
     * out[:, first .. first + count) = (input - zeroPoint) W^T * (inputScale * columnScale) + bias, from the u8
     * input {@code input} [batch, in] and the F32 bias {@code biasValues} [out] (zeros where the layer has none),
     * into the F32 {@code output} [batch, out].
     */
    void execute(int batch, BytePointer input, InputQuantization q, FloatPointer biasValues, FloatPointer output) {
        inputScaleValue.put(0, q.scale());
        inputZeroPointValue.put(0, q.zeroPoint());
        Call call = calls.computeIfAbsent(batch, Call::new);
        check(dnnl_memory_set_data_handle(bias, biasValues.getPointer(first)), () -> "dnnl_memory_set_data_handle");
        check(dnnl_memory_set_data_handle(call.src, input), () -> "dnnl_memory_set_data_handle");
        check(dnnl_memory_set_data_handle(call.dst, output.getPointer(first)), () -> "dnnl_memory_set_data_handle");
        check(dnnl_primitive_execute(call.primitive, stream, ARGUMENTS, call.args),
                () -> "dnnl_primitive_execute (int8)");
        check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
    }

    /** Writes the part's s8 values back into {@code plain}'s rows [first, first + count), row-major [out, in]. */
    void values(CpuStorage plain) {
        reorder(layout, packed.bytePointer(0), plainWeights(), plain.bytePointer((long) first * in));
    }

    @Override
    public void close() {
        calls.values().forEach(Call::close);
        calls.clear();
        dnnl_memory_destroy(weights);
        dnnl_memory_destroy(weightScales);
        dnnl_memory_destroy(bias);
        dnnl_memory_destroy(inputScale);
        dnnl_memory_destroy(inputZeroPoint);
        dnnl_memory_desc_destroy(layout);
        dnnl_stream_destroy(stream);
        inputScaleValue.close();
        inputZeroPointValue.close();
        // Null where the constructor failed before it: oneDNN's destroy functions take null as nothing to free.
        if (packed != null) {
            packed.release();
        }
    }

    /**
     * The matmul [batch, in] x [in, count] ({@code batch} DNNL_RUNTIME_DIM_VAL for any), weights in a layout of
     * oneDNN's choosing, the input's scale and zero point one each, the weights' scales one per column (mask bit 1,
     * the N dimension).
     */
    private dnnl_primitive_desc descriptor(long batch) {
        dnnl_memory_desc src = matrix(batch, in, in, dnnl_u8);
        dnnl_memory_desc wei = new dnnl_memory_desc();
        try (LongPointer dims = new LongPointer((long) in, count)) {
            check(dnnl_memory_desc_create_with_tag(wei, 2, dims, dnnl_s8,
                    dnnl_format_tag_any), () -> "dnnl_memory_desc_create_with_tag");
        }
        dnnl_memory_desc biasDesc = matrix(1, count, out, dnnl_f32);
        dnnl_memory_desc dst = matrix(batch, count, out, dnnl_f32);
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), () -> "dnnl_primitive_attr_create");
        try {
            check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_SRC, 0), () -> "set_scales_mask (src)");
            check(dnnl_primitive_attr_set_scales_mask(attr, DNNL_ARG_WEIGHTS, 1 << 1), () -> "set_scales_mask (wei)");
            check(dnnl_primitive_attr_set_zero_points_mask(attr, DNNL_ARG_SRC, 0), () -> "set_zero_points_mask");
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            check(dnnl_matmul_primitive_desc_create(pd, engine, src, wei, biasDesc, dst, attr),
                    () -> "dnnl_matmul_primitive_desc_create (u8 x s8 -> f32)");
            return pd;
        } finally {
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory_desc_destroy(src);
            dnnl_memory_desc_destroy(wei);
            dnnl_memory_desc_destroy(biasDesc);
            dnnl_memory_desc_destroy(dst);
        }
    }

    /** The part's weights as Kiln holds them: [in, count] with in the faster dimension, rows of [out, in]. */
    private dnnl_memory_desc plainWeights() {
        dnnl_memory_desc md = new dnnl_memory_desc();
        try (LongPointer dims = new LongPointer((long) in, count); LongPointer strides = new LongPointer(1L, in)) {
            check(dnnl_memory_desc_create_with_strides(md, 2, dims, dnnl_s8, strides),
                    () -> "dnnl_memory_desc_create_with_strides");
        }
        return md;
    }

    /** The weights in layout {@code wanted}, reordered once for all the kept calls that want it, one more user. */
    private Relaid relaid(dnnl_memory_desc wanted) {
        Relaid found = relaids.stream().filter(r -> dnnl_memory_desc_equal(r.md, wanted) != 0).findFirst()
                .orElse(null);
        if (found == null) {
            found = new Relaid(wanted);
            relaids.add(found);
        }
        found.users++;
        return found;
    }

    /** One user fewer of {@code r} (none for null): the last frees the weights. */
    private void release(Relaid r) {
        if (r != null && --r.users == 0) {
            r.close();
            relaids.remove(r);
        }
    }

    /**
     * The packed weights in layout {@code wanted}, through the plain layout: oneDNN reorders from a layout with
     * compensation to the plain one and from the plain one to any, not between two with compensation.
     */
    private CpuStorage reordered(dnnl_memory_desc wanted) {
        long bytes = dnnl_memory_desc_get_size(wanted);
        CpuStorage target = (CpuStorage) backend.allocate(DType.F32, (bytes + Float.BYTES - 1) / Float.BYTES);
        CpuStorage plain = (CpuStorage) backend.allocate(DType.F32, ((long) out * in + Float.BYTES - 1) / Float.BYTES);
        try {
            values(plain);
            dnnl_memory_desc copy = new dnnl_memory_desc();
            check(dnnl_memory_desc_clone(copy, wanted), () -> "dnnl_memory_desc_clone");
            reorder(plainWeights(), plain.bytePointer((long) first * in), copy, target.bytePointer(0));
            return target;
        } catch (RuntimeException | Error e) {
            target.release();
            throw e;
        } finally {
            plain.release();
        }
    }

    /** Copies {@code from}'s data at {@code source} into {@code to}'s at {@code target}; destroys both but layout. */
    private void reorder(dnnl_memory_desc from, Pointer source, dnnl_memory_desc to, Pointer target) {
        boolean destroyFrom = from != layout;
        boolean destroyTo = to != layout;
        dnnl_memory a = memory(from, source);
        dnnl_memory b = memory(to, target);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        dnnl_primitive reorder = new dnnl_primitive();
        try {
            check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null),
                    () -> "dnnl_reorder_primitive_desc_create (int8 weights)");
            check(dnnl_primitive_create(reorder, pd), () -> "dnnl_primitive_create (reorder)");
            try (dnnl_exec_arg_t args = OneDnnPlan.args(new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                    new dnnl_memory[] {a, b})) {
                check(dnnl_primitive_execute(reorder, stream, 2, args), () -> "dnnl_primitive_execute (reorder)");
                check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
            }
        } finally {
            dnnl_primitive_destroy(reorder);
            dnnl_primitive_desc_destroy(pd);
            dnnl_memory_destroy(a);
            dnnl_memory_destroy(b);
            if (destroyFrom) {
                dnnl_memory_desc_destroy(from);
            }
            if (destroyTo) {
                dnnl_memory_desc_destroy(to);
            }
        }
    }

    /** [rows, cols] of {@code type} with rows {@code stride} elements apart. */
    private static dnnl_memory_desc matrix(long rows, long cols, long stride, int type) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        try (LongPointer dims = new LongPointer(rows, cols); LongPointer strides = new LongPointer(stride, 1L)) {
            check(dnnl_memory_desc_create_with_strides(md, 2, dims, type, strides),
                    () -> "dnnl_memory_desc_create_with_strides");
        }
        return md;
    }

    /** [n] of {@code type}: the scales' and zero point's layout. */
    private static dnnl_memory_desc vector(long n, int type) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        try (LongPointer dims = new LongPointer(1L)) {
            dims.put(0, n);
            check(dnnl_memory_desc_create_with_tag(md, 1, dims, type, dnnl_a),
                    () -> "dnnl_memory_desc_create_with_tag");
        }
        return md;
    }

    /** {@link #memory} of {@code md}, which it destroys (a memory object keeps its own copy). */
    private dnnl_memory owned(dnnl_memory_desc md, Pointer data) {
        try {
            return memory(md, data);
        } finally {
            dnnl_memory_desc_destroy(md);
        }
    }

    /** A memory object of {@code md} at {@code data}, null for one whose handle each call sets. */
    private dnnl_memory memory(dnnl_memory_desc md, Pointer data) {
        dnnl_memory m = new dnnl_memory();
        check(dnnl_memory_create(m, md, engine, data), () -> "dnnl_memory_create");
        return m;
    }
}
