package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_DST;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_FROM;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_SRC;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_TO;
import static org.bytedeco.dnnl.global.dnnl.DNNL_ARG_WEIGHTS;
import static org.bytedeco.dnnl.global.dnnl.dnnl_data_type_undef;
import static org.bytedeco.dnnl.global.dnnl.dnnl_f32;
import static org.bytedeco.dnnl.global.dnnl.dnnl_format_tag_any;
import static org.bytedeco.dnnl.global.dnnl.dnnl_matmul_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_clone;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_strides;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_create_with_tag;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_desc_equal;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_memory_set_data_handle;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_append_sum;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_post_ops_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_attr_set_post_ops;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_desc_query_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_destroy;
import static org.bytedeco.dnnl.global.dnnl.dnnl_primitive_execute;
import static org.bytedeco.dnnl.global.dnnl.dnnl_query_exec_arg_md;
import static org.bytedeco.dnnl.global.dnnl.dnnl_reorder_primitive_desc_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_wait;
import static org.bytedeco.dnnl.global.dnnl.dnnl_success;

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
import org.bytedeco.javacpp.LongPointer;

/**
 * One F32 oneDNN matmul for one block of a row-major {@code C = op(A) op(B) (+ C)}: every operand read and written in
 * place, a transposed one described by its strides ({@code ba}), so no copy or packing on the Java side; or, where its
 * key says so, B read in the layout oneDNN chose, from the copy that {@link OneDnnWeights} keeps. Its memory objects
 * hold one call's handles, so a plan is used by one thread at a time ({@link OneDnnGemmLane}).
 */
final class OneDnnGemmPlan implements AutoCloseable {
    /**
     * A block's product: its sizes, the operands' row strides, whether it adds to C (beta 1) or overwrites it, and
     * whether it reads B in the layout oneDNN chooses ({@link OneDnnWeights} keeps it) rather than in place.
     */
    record Key(boolean transA, boolean transB, int m, int n, int k, int lda, int ldb, int ldc, boolean accumulate,
               boolean laidOut) {
    }

    private final dnnl_primitive primitive;
    private final dnnl_memory a;
    private final dnnl_memory b;
    private final dnnl_memory c;
    private final dnnl_exec_arg_t args;
    private final String implementation;
    /** B's reorder from Kiln's layout into the primitive's, or null where the primitive reads B in place. */
    private final Relayout relayout;

    /** B in Kiln's layout and in the primitive's ({@code layout}), and the reorder from the one into the other. */
    private record Relayout(dnnl_memory user, dnnl_memory target, dnnl_primitive reorder, dnnl_exec_arg_t args,
                            dnnl_memory_desc layout) {
        /** Reorders B at {@code from} into {@code to}. */
        void run(dnnl_stream stream, FloatPointer from, FloatPointer to) {
            check(dnnl_memory_set_data_handle(user, from), () -> "dnnl_memory_set_data_handle");
            check(dnnl_memory_set_data_handle(target, to), () -> "dnnl_memory_set_data_handle");
            check(dnnl_primitive_execute(reorder, stream, 2, args), () -> "dnnl_primitive_execute (reorder)");
            check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
        }

        void close() {
            args.close();
            dnnl_primitive_destroy(reorder);
            dnnl_memory_destroy(user);
            dnnl_memory_destroy(target);
            dnnl_memory_desc_destroy(layout);
        }
    }

    private OneDnnGemmPlan(dnnl_primitive primitive, dnnl_memory a, dnnl_memory b, dnnl_memory c, String implementation,
                           Relayout relayout) {
        this.primitive = primitive;
        this.a = a;
        this.b = b;
        this.c = c;
        this.args = OneDnnPlan.args(new int[] {DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST}, new dnnl_memory[] {a, b, c});
        this.implementation = implementation;
        this.relayout = relayout;
    }

    /**
     * The plan of {@code key}, or null where oneDNN has no primitive for it or only its reference one (a loop far
     * slower than OpenBLAS).
     */
    static OneDnnGemmPlan create(dnnl_engine engine, Key key) {
        dnnl_memory_desc aDesc = matrix(key.m(), key.k(), key.lda(), key.transA());
        dnnl_memory_desc bDesc = matrix(key.k(), key.n(), key.ldb(), key.transB());
        dnnl_memory_desc wanted = key.laidOut() ? anyLayout(key.k(), key.n()) : bDesc;
        dnnl_memory_desc cDesc = matrix(key.m(), key.n(), key.ldc(), false);
        dnnl_primitive_attr attr = attributes(key.accumulate());
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        try {
            if (dnnl_matmul_primitive_desc_create(pd, engine, aDesc, wanted, null, cDesc, attr) != dnnl_success) {
                return null;
            }
            try {
                String implementation = OneDnnPlan.implementation(pd);
                if (implementation.startsWith("ref")) {
                    return null;
                }
                dnnl_memory_desc chosen = dnnl_primitive_desc_query_md(pd, dnnl_query_exec_arg_md, DNNL_ARG_WEIGHTS);
                Relayout relayout = dnnl_memory_desc_equal(chosen, bDesc) != 0 ? null
                        : relayout(bDesc, chosen, engine);
                dnnl_primitive primitive = new dnnl_primitive();
                check(dnnl_primitive_create(primitive, pd), () -> "dnnl_primitive_create (matmul " + key + ")");
                return new OneDnnGemmPlan(primitive, memory(aDesc, engine), memory(chosen, engine),
                        memory(cDesc, engine), implementation, relayout);
            } finally {
                dnnl_primitive_desc_destroy(pd);
            }
        } finally {
            dnnl_primitive_attr_destroy(attr);
            dnnl_memory_desc_destroy(aDesc);
            dnnl_memory_desc_destroy(bDesc);
            if (wanted != bDesc) {
                dnnl_memory_desc_destroy(wanted);
            }
            dnnl_memory_desc_destroy(cDesc);
        }
    }

    /** The reorder of B from {@code user} into {@code chosen}, writing into {@code target} (set at each use). */
    private static Relayout relayout(dnnl_memory_desc user, dnnl_memory_desc chosen, dnnl_engine engine) {
        dnnl_memory from = memory(user, engine);
        dnnl_memory to = memory(chosen, engine);
        dnnl_primitive_desc pd = new dnnl_primitive_desc();
        check(dnnl_reorder_primitive_desc_create(pd, user, engine, chosen, engine, null),
                () -> "dnnl_reorder_primitive_desc_create");
        try {
            dnnl_primitive reorder = new dnnl_primitive();
            check(dnnl_primitive_create(reorder, pd), () -> "dnnl_primitive_create (reorder)");
            dnnl_memory_desc layout = new dnnl_memory_desc();
            check(dnnl_memory_desc_clone(layout, chosen), () -> "dnnl_memory_desc_clone");
            return new Relayout(from, to, reorder, OneDnnPlan.args(new int[] {DNNL_ARG_FROM, DNNL_ARG_TO},
                    new dnnl_memory[] {from, to}), layout);
        } finally {
            dnnl_primitive_desc_destroy(pd);
        }
    }

    /** oneDNN's name for the kernel it chose, e.g. {@code brg_matmul:avx512_core}. */
    String implementation() {
        return implementation;
    }

    /**
     * Runs the product on the F32 memory at {@code a}, {@code b} and {@code c}, and waits for it; where the primitive
     * reads B in its own layout, it reads {@code weights}' copy of B in that layout, laid out from {@code b} where
     * not current.
     */
    void execute(dnnl_stream stream, FloatPointer a, FloatPointer b, FloatPointer c, OneDnnWeights.Source weights) {
        check(dnnl_memory_set_data_handle(this.a, a), () -> "dnnl_memory_set_data_handle");
        FloatPointer bHandle = relayout == null ? b
                : weights.laidOut(relayout.layout(), target -> relayout.run(stream, b, target));
        check(dnnl_memory_set_data_handle(this.b, bHandle), () -> "dnnl_memory_set_data_handle");
        check(dnnl_memory_set_data_handle(this.c, c), () -> "dnnl_memory_set_data_handle");
        check(dnnl_primitive_execute(primitive, stream, 3, args), () -> "dnnl_primitive_execute (matmul)");
        check(dnnl_stream_wait(stream), () -> "dnnl_stream_wait");
    }

    @Override
    public void close() {
        if (relayout != null) {
            relayout.close();
        }
        args.close();
        dnnl_primitive_destroy(primitive);
        dnnl_memory_destroy(a);
        dnnl_memory_destroy(b);
        dnnl_memory_destroy(c);
    }

    /** A [rows, cols] F32 matrix whose rows are {@code ld} elements apart, or, transposed, whose columns are. */
    private static dnnl_memory_desc matrix(long rows, long cols, long ld, boolean transposed) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        try (LongPointer dims = new LongPointer(rows, cols);
             LongPointer strides = transposed ? new LongPointer(1L, ld) : new LongPointer(ld, 1L)) {
            check(dnnl_memory_desc_create_with_strides(md, 2, dims, dnnl_f32, strides),
                    () -> "dnnl_memory_desc_create_with_strides");
        }
        return md;
    }

    /** [rows, cols] F32 in whatever layout the primitive prefers. */
    private static dnnl_memory_desc anyLayout(long rows, long cols) {
        dnnl_memory_desc md = new dnnl_memory_desc();
        try (LongPointer dims = new LongPointer(rows, cols)) {
            check(dnnl_memory_desc_create_with_tag(md, 2, dims, dnnl_f32, dnnl_format_tag_any),
                    () -> "dnnl_memory_desc_create_with_tag");
        }
        return md;
    }

    /** No attributes, or where the product adds to C, a sum post-op of scale 1 (C's old value, in F32). */
    private static dnnl_primitive_attr attributes(boolean accumulate) {
        dnnl_primitive_attr attr = new dnnl_primitive_attr();
        check(dnnl_primitive_attr_create(attr), () -> "dnnl_primitive_attr_create");
        if (accumulate) {
            dnnl_post_ops ops = new dnnl_post_ops();
            check(dnnl_post_ops_create(ops), () -> "dnnl_post_ops_create");
            try {
                check(dnnl_post_ops_append_sum(ops, 1f, 0, dnnl_data_type_undef), () -> "dnnl_post_ops_append_sum");
                check(dnnl_primitive_attr_set_post_ops(attr, ops), () -> "dnnl_primitive_attr_set_post_ops");
            } finally {
                dnnl_post_ops_destroy(ops);
            }
        }
        return attr;
    }

    /** A memory object of layout {@code md} with no buffer yet: each call sets its handle. */
    private static dnnl_memory memory(dnnl_memory_desc md, dnnl_engine engine) {
        dnnl_memory memory = new dnnl_memory();
        check(dnnl_memory_create(memory, md, engine, null), () -> "dnnl_memory_create");
        return memory;
    }
}
