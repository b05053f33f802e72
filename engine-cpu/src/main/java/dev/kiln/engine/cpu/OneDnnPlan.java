package dev.kiln.engine.cpu;

import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SCRATCHPAD;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_get_size;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_get_memory_desc;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_exec_arg_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_impl_info_str;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_scratchpad_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

import dev.kiln.engine.DType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_exec_arg_t;
import org.bytedeco.dnnl.dnnl_memory;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.PointerPointer;

/**
 * One oneDNN primitive ready to run on Kiln's F32 tensors: the primitive, created for the memory layouts oneDNN chose
 * ({@code format_tag any}), and for each operand whose chosen layout is not Kiln's row-major one a reorder between the
 * two, into or out of a temporary of the backend's allocator. Tensors are handed to oneDNN as their own memory (the
 * handle of a oneDNN memory object set to the tensor's element on each call), never copied on the Java side; so are
 * the temporaries and the primitive's scratchpad ({@code scratchpad_mode user}), which the allocator caches between
 * calls and counts in its bytes in use. Weights read in another layout are taken from {@link OneDnnWeights}, which
 * reorders them only where they changed since it last did, where the call names their source. Not thread-safe: its
 * memory objects hold one call's handles (see {@link OneDnnLane}).
 */
final class OneDnnPlan implements AutoCloseable {
    /** A primitive's argument ({@code DNNL_ARG_*}), Kiln's layout of its tensor, and whether the primitive writes it. */
    record Argument(int id, dnnl_memory_desc user, boolean output) {
    }

    /** One of the primitive's tensors: its argument, Kiln's layout and the primitive's, and the reorder between them. */
    private static final class Operand {
        final boolean output;
        /** Whether these are weights the primitive reads in its own layout, which {@link OneDnnWeights} may hold. */
        final boolean cachedWeights;
        /** The primitive's layout of the weights where {@link #cachedWeights}, owned by {@link #innerMemory}. */
        final dnnl_memory_desc layout;
        final dnnl_memory_desc user;
        final dnnl_memory userMemory;
        final dnnl_memory innerMemory;
        final long innerBytes;
        final dnnl_primitive reorder;
        final dnnl_exec_arg_t reorderArgs;

        Operand(int id, dnnl_memory_desc user, boolean output, dnnl_memory_desc chosen, dnnl_engine engine) {
            this.output = output;
            this.user = user;
            this.userMemory = memory(user, engine);
            if (dnnl_memory_desc_equal(user, chosen) != 0) {
                innerMemory = userMemory;
                innerBytes = 0;
                reorder = null;
                reorderArgs = null;
            } else {
                innerMemory = memory(chosen, engine);
                innerBytes = dnnl_memory_desc_get_size(chosen);
                reorder = output ? reorder(chosen, user, engine) : reorder(user, chosen, engine);
                reorderArgs = args(new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                        output ? new dnnl_memory[] {innerMemory, userMemory} : new dnnl_memory[] {userMemory, innerMemory});
            }
            cachedWeights = id == DNNL_ARG_WEIGHTS && reorder != null;
            layout = cachedWeights ? layoutOf(innerMemory) : null;
        }

        private static dnnl_memory_desc layoutOf(dnnl_memory memory) {
            dnnl_memory_desc md = new dnnl_memory_desc();
            check(dnnl_memory_get_memory_desc(memory, md), () -> "dnnl_memory_get_memory_desc");
            return md;
        }

        /** Reorders the input at this operand's user handle into {@code target}, in the primitive's layout. */
        void reorderInto(FloatPointer target, dnnl_stream stream) {
            check(dnnl_memory_set_data_handle(innerMemory, target), () -> "dnnl_memory_set_data_handle");
            run(reorder, stream, 2, reorderArgs);
            check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
        }

        void close() {
            if (reorder != null) {
                dnnl_primitive_destroy(reorder);
                dnnl_memory_destroy(innerMemory);
                reorderArgs.close();
            }
            dnnl_memory_destroy(userMemory);
            dnnl_memory_desc_destroy(user);
        }
    }

    private final dnnl_primitive primitive;
    private final List<Operand> operands = new ArrayList<>();
    private final dnnl_memory scratchpad;
    private final long scratchpadBytes;
    private final dnnl_exec_arg_t args;
    private final String implementation;

    /**
     * The primitive of {@code descriptor}, which it destroys once created, as it does {@code hint} (the forward
     * descriptor a backward one was created with, or null), on {@code arguments} in the order {@link #execute} gets
     * their tensors; it owns their descriptors.
     */
    OneDnnPlan(dnnl_engine engine, dnnl_primitive_desc descriptor, dnnl_primitive_desc hint, List<Argument> arguments) {
        try {
            this.primitive = new dnnl_primitive();
            check(dnnl_primitive_create(primitive, descriptor), () -> "dnnl_primitive_create");
            int count = arguments.size();
            int[] ids = new int[count + 1];
            dnnl_memory[] inner = new dnnl_memory[count + 1];
            for (int i = 0; i < count; i++) {
                Argument a = arguments.get(i);
                Operand o = new Operand(a.id(), a.user(), a.output(),
                        dnnl_primitive_desc_query_md(descriptor, dnnl_query_exec_arg_md, a.id()), engine);
                operands.add(o);
                ids[i] = a.id();
                inner[i] = o.innerMemory;
            }
            dnnl_memory_desc scratch = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0);
            this.scratchpadBytes = scratch == null ? 0 : dnnl_memory_desc_get_size(scratch);
            this.scratchpad = scratchpadBytes == 0 ? null : memory(scratch, engine);
            ids[count] = DNNL_ARG_SCRATCHPAD;
            inner[count] = scratchpad;
            int used = count + (scratchpad == null ? 0 : 1);
            this.args = args(Arrays.copyOf(ids, used), Arrays.copyOf(inner, used));
            this.implementation = implementation(descriptor);
        } finally {
            dnnl_primitive_desc_destroy(descriptor);
            if (hint != null) {
                dnnl_primitive_desc_destroy(hint);
            }
        }
    }

    /**
     * Bytes of the backend's memory that {@link #execute} holds besides the operands: oneDNN's layouts of those it
     * wants in another layout than Kiln's, and its scratchpad.
     */
    long temporaryBytes() {
        long bytes = scratchpadBytes;
        for (Operand o : operands) {
            bytes += o.innerBytes;
        }
        return bytes;
    }

    /** oneDNN's name for the kernel it chose, e.g. {@code jit:avx512_core} (for logs). */
    String implementation() {
        return implementation;
    }

    /**
     * Runs the primitive on the F32 memory at {@code handles} (row-major, in the order of the constructor's
     * arguments): inputs reordered into temporaries where the primitive wants another layout, but for the weights
     * of {@code weights} (null for none), which {@link OneDnnWeights} lays out; the primitive; outputs reordered back.
     */
    void execute(dnnl_stream stream, CpuBackend backend, OneDnnWeights.Source weights, FloatPointer... handles) {
        List<CpuStorage> temporaries = new ArrayList<>();
        try {
            for (int i = 0; i < operands.size(); i++) {
                Operand o = operands.get(i);
                check(dnnl_memory_set_data_handle(o.userMemory, handles[i]), () -> "dnnl_memory_set_data_handle");
                if (o.cachedWeights && weights != null) {
                    FloatPointer laidOut = weights.laidOut(o.layout, target -> o.reorderInto(target, stream));
                    check(dnnl_memory_set_data_handle(o.innerMemory, laidOut), () -> "dnnl_memory_set_data_handle");
                } else if (o.reorder != null) {
                    bind(o.innerMemory, o.innerBytes, backend, temporaries);
                    if (!o.output) {
                        run(o.reorder, stream, 2, o.reorderArgs);
                    }
                }
            }
            if (scratchpad != null) {
                bind(scratchpad, scratchpadBytes, backend, temporaries);
            }
            run(primitive, stream, operands.size() + (scratchpad == null ? 0 : 1), args);
            for (Operand o : operands) {
                if (o.output && o.reorder != null) {
                    run(o.reorder, stream, 2, o.reorderArgs);
                }
            }
            check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
        } finally {
            temporaries.forEach(CpuStorage::release);
        }
    }

    @Override
    public void close() {
        operands.forEach(Operand::close);
        if (scratchpad != null) {
            dnnl_memory_destroy(scratchpad);
        }
        args.close();
        dnnl_primitive_destroy(primitive);
    }

    /** Points {@code memory} at a new temporary of {@code bytes}, added to {@code temporaries}. */
    private static void bind(dnnl_memory memory, long bytes, CpuBackend backend, List<CpuStorage> temporaries) {
        CpuStorage storage = (CpuStorage) backend.allocate(DType.F32, (bytes + Float.BYTES - 1) / Float.BYTES);
        temporaries.add(storage);
        check(dnnl_memory_set_data_handle(memory, storage.floatPointer(0)), () -> "dnnl_memory_set_data_handle");
    }

    private static void run(dnnl_primitive p, dnnl_stream stream, int count, dnnl_exec_arg_t args) {
        check(dnnl_primitive_execute(p, stream, count, args), () -> "dnnl_primitive_execute");
    }

    /** A memory object of layout {@code md} with no buffer yet: each call sets its handle. */
    private static dnnl_memory memory(dnnl_memory_desc md, dnnl_engine engine) {
        dnnl_memory memory = new dnnl_memory();
        check(dnnl_memory_create(memory, md, engine, null), () -> "dnnl_memory_create");
        return memory;
    }

    private static dnnl_primitive reorder(dnnl_memory_desc from, dnnl_memory_desc to, dnnl_engine engine) {
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, from, engine, to, engine, null),
                () -> "dnnl_reorder_primitive_desc_create");
        try {
            dnnl_primitive reorder = new dnnl_primitive();
            check(dnnl_primitive_create(reorder, pd), () -> "dnnl_primitive_create (reorder)");
            return reorder;
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /** oneDNN's execution arguments: {@code ids[i]} bound to {@code memories[i]}. */
    static dnnl_exec_arg_t args(int[] ids, dnnl_memory[] memories) {
        dnnl_exec_arg_t args = new dnnl_exec_arg_t(ids.length);
        for (int i = 0; i < ids.length; i++) {
            args.getPointer(i).arg(ids[i]).memory(memories[i]);
        }
        return args;
    }

    /** The name of the implementation oneDNN chose for {@code pd}, e.g. {@code jit:avx512_core}. */
    static String implementation(dnnl_primitive_desc pd) {
        try (PointerPointer<BytePointer> name = new PointerPointer<>(1)) {
            check(dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, name), () -> "dnnl_primitive_desc_query");
            return name.get(BytePointer.class, 0).getString();
        }
    }

    /** Throws, naming the call, unless oneDNN reports success. */
    static void check(int status, Supplier<String> call) {
        if (status != dnnl_success) {
            throw new IllegalStateException("oneDNN: " + call.get() + " failed with status " + status);
        }
    }
}
