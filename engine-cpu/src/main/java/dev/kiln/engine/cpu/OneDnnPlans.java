package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
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
import static org.bytedeco.dnnl.global.dnnl.dnnl_unimplemented;
import static org.bytedeco.dnnl.global.dnnl.dnnl_x;

import dev.kiln.engine.Conv2dGeometry;
import dev.kiln.engine.GroupedConv2dGeometry;
import dev.kiln.engine.cpu.OneDnnPlan.Argument;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_memory_desc;
import org.bytedeco.dnnl.dnnl_primitive_attr;
import org.bytedeco.dnnl.dnnl_primitive_desc;
import org.bytedeco.javacpp.LongPointer;

/**
 * Creates the {@link OneDnnPlan} of a convolution: its primitive descriptor, made with {@code format_tag any} so that
 * oneDNN picks its blocked layouts (nChw16c and the like), with Kiln's NCHW tensors and OIHW weights reordered into
 * and out of them on every call. On plain NCHW and OIHW descriptors oneDNN 3.11 falls back to its generic
 * {@code jit_uni_ncsp} kernel, which took 1.8-6.2 s a call where the blocked kernels and their reorders took 23-83 ms
 * (3x3 convolutions of 16 channels on 28 x 28 and 64 on 7 x 7, batch 256, in each direction, 2 threads). Arithmetic
 * is strict F32 (no implicit bfloat16); the weight gradient's primitive is asked to be deterministic.
 */
final class OneDnnPlans {
    private OneDnnPlans() {
    }

    /** The plan of {@code key}, or null where oneDNN has no implementation of it. */
    static OneDnnPlan create(dnnl_engine engine, ConvolutionKey key) {
        try (Shapes s = new Shapes(key.geometry())) {
            boolean bias = key.bias();
            return switch (key.direction()) {
                case FORWARD -> plan(engine, forwardDescriptor(engine, s, bias), null, () -> bias
                        ? List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_WEIGHTS, s.weights()),
                                input(DNNL_ARG_BIAS, s.bias()), output(DNNL_ARG_DST, s.dst()))
                        : List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_WEIGHTS, s.weights()),
                                output(DNNL_ARG_DST, s.dst())));
                case BACKWARD_DATA -> {
                    dnnl_primitive_desc hint = forwardDescriptor(engine, s, false);
                    yield plan(engine, hint == null ? null : backwardDataDescriptor(engine, s, hint), hint,
                            () -> List.of(input(DNNL_ARG_DIFF_DST, s.dst()), input(DNNL_ARG_WEIGHTS, s.weights()),
                                    output(DNNL_ARG_DIFF_SRC, s.src())));
                }
                case BACKWARD_FILTER -> {
                    dnnl_primitive_desc hint = forwardDescriptor(engine, s, bias);
                    yield plan(engine, hint == null ? null : backwardWeightsDescriptor(engine, s, bias, hint), hint,
                            () -> bias
                            ? List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_DIFF_DST, s.dst()),
                                    output(DNNL_ARG_DIFF_WEIGHTS, s.weights()), output(DNNL_ARG_DIFF_BIAS, s.bias()))
                            : List.of(input(DNNL_ARG_SRC, s.src()), input(DNNL_ARG_DIFF_DST, s.dst()),
                                    output(DNNL_ARG_DIFF_WEIGHTS, s.weights())));
                }
            };
        }
    }

    /** The plan of {@code pd} on {@code arguments}, or null (destroying the hint) where there is no {@code pd}. */
    private static OneDnnPlan plan(dnnl_engine engine, dnnl_primitive_desc pd, dnnl_primitive_desc hint,
                                   Supplier<List<Argument>> arguments) {
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

    private static dnnl_primitive_desc forwardDescriptor(dnnl_engine engine, Shapes s, boolean bias) {
        try (Descriptors d = new Descriptors(s, bias, false)) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_convolution_forward_primitive_desc_create(pd, engine, dnnl_forward_training,
                    dnnl_convolution_direct, d.src, d.weights, d.bias, d.dst, s.strides, s.dilates, s.padding,
                    s.padding, d.attr);
            return created(status, pd, "dnnl_convolution_forward_primitive_desc_create");
        }
    }

    private static dnnl_primitive_desc backwardDataDescriptor(dnnl_engine engine, Shapes s, dnnl_primitive_desc hint) {
        try (Descriptors d = new Descriptors(s, false, false)) {
            dnnl_primitive_desc pd = new dnnl_primitive_desc();
            int status = dnnl_convolution_backward_data_primitive_desc_create(pd, engine, dnnl_convolution_direct,
                    d.src, d.weights, d.dst, s.strides, s.dilates, s.padding, s.padding, hint, d.attr);
            return created(status, pd, "dnnl_convolution_backward_data_primitive_desc_create");
        }
    }

    private static dnnl_primitive_desc backwardWeightsDescriptor(dnnl_engine engine, Shapes s, boolean bias,
                                                                 dnnl_primitive_desc hint) {
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
