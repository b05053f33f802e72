package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import dev.kiln.onnx.TensorProto;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The ops that move, pick or make values: Flatten, Reshape, Transpose, Concat, Gather, Unsqueeze, Squeeze, Shape,
 * Slice, Split, Constant, ConstantOfShape, Cast, Pad, Expand and CastLike. Each runs on host values when its data is
 * one, so that the shape arithmetic torch exports for a dynamic batch (Shape, Gather, Unsqueeze, Concat into Reshape)
 * never touches a device, and on tensors otherwise; shapes, axes, indices and pads are read from host values.
 */
final class ShapeConverters {
    private ShapeConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("Flatten", ShapeConverters::flatten);
        ops.put("Reshape", ShapeConverters::reshape);
        ops.put("Transpose", ShapeConverters::transpose);
        ops.put("Concat", ShapeConverters::concat);
        ops.put("Gather", ShapeConverters::gather);
        ops.put("Unsqueeze", ShapeConverters::unsqueeze);
        ops.put("Squeeze", ShapeConverters::squeeze);
        ops.put("Shape", ShapeConverters::shape);
        ops.put("Slice", ShapeConverters::slice);
        ops.put("Constant", ShapeConverters::constant);
        ops.put("ConstantOfShape", ShapeConverters::constantOfShape);
        ops.put("Cast", ShapeConverters::cast);
        ops.put("Pad", ShapeConverters::pad);
        ops.put("Expand", n -> ShapeConverters::expand);
        ops.put("Split", new Split());
        ops.put("CastLike", ShapeConverters::castLike);
    }

    /** {@code axis} counted from the end when negative, checked against {@code rank}. */
    static int axis(OnnxNode node, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) {
            throw node.error("axis " + axis + " is out of range for rank " + rank);
        }
        return (int) a;
    }

    private static OnnxValue reshaped(OnnxValue v, int[] shape, DType floatType) {
        return v.isHost() ? v.withShape(shape) : OnnxValue.of(v.tensor(floatType).reshape(shape));
    }

    private static OnnxStep flatten(OnnxNode node) {
        long axisAttr = node.intAttr("axis", 1);
        return (in, floatType) -> {
            int[] dims = in[0].shape();
            int axis = axisAttr == dims.length ? dims.length : axis(node, axisAttr, dims.length);
            int outer = OnnxValue.count(Arrays.copyOfRange(dims, 0, axis));
            return reshaped(in[0], new int[] {outer, OnnxValue.count(dims) / Math.max(1, outer)}, floatType);
        };
    }

    /** Reshape: 0 keeps the input's size there (unless allowzero), -1 takes what is left. */
    private static OnnxStep reshape(OnnxNode node) {
        boolean allowZero = node.intAttr("allowzero", 0) != 0;
        return (in, floatType) -> {
            int[] dims = in[0].shape();
            long[] requested = in[1].longs();
            int[] shape = new int[requested.length];
            int known = 1;
            int infer = -1;
            for (int k = 0; k < shape.length; k++) {
                long r = requested[k];
                if (r == -1) {
                    infer = k;
                    continue;
                }
                shape[k] = r == 0 && !allowZero ? dims[k] : Math.toIntExact(r);
                known *= shape[k];
            }
            if (infer >= 0) {
                shape[infer] = known == 0 ? 0 : OnnxValue.count(dims) / known;
            }
            if (OnnxValue.count(shape) != OnnxValue.count(dims)) {
                throw node.error("cannot reshape " + Arrays.toString(dims) + " to " + Arrays.toString(requested));
            }
            return reshaped(in[0], shape, floatType);
        };
    }

    private static OnnxStep transpose(OnnxNode node) {
        int[] permAttr = node.intsAttr("perm", null);
        return (in, floatType) -> {
            int rank = in[0].rank();
            int[] perm = permAttr;
            if (perm == null) {
                perm = new int[rank];
                Arrays.setAll(perm, k -> rank - 1 - k);
            }
            return in[0].isHost() ? HostArrays.permute(in[0], perm)
                    : OnnxValue.of(in[0].tensor(floatType).permute(perm));
        };
    }

    private static OnnxStep concat(OnnxNode node) {
        long axisAttr = node.intAttr("axis", 0);
        return (in, floatType) -> {
            List<OnnxValue> parts = Arrays.stream(in).filter(v -> v != null && OnnxValue.count(v.shape()) > 0)
                    .toList();
            if (parts.isEmpty()) {
                return in[0];
            }
            int axis = axis(node, axisAttr, parts.get(0).rank());
            if (parts.stream().allMatch(OnnxValue::isHost)) {
                return HostArrays.concat(parts, axis);
            }
            List<Tensor> tensors = new ArrayList<>();
            for (OnnxValue v : parts) {
                tensors.add(v.tensor(floatType));
            }
            return OnnxValue.of(tensors.size() == 1 ? tensors.get(0) : Tensor.cat(tensors, axis));
        };
    }

    /** Gather: the entries {@code indices} of {@code axis}, the output's shape the data's with indices' in place. */
    private static OnnxStep gather(OnnxNode node) {
        long axisAttr = node.intAttr("axis", 0);
        return (in, floatType) -> {
            int[] dims = in[0].shape();
            int axis = axis(node, axisAttr, dims.length);
            int[] indexShape = in[1].shape();
            long[] indices = in[1].longs();
            for (int k = 0; k < indices.length; k++) {
                if (indices[k] < -dims[axis] || indices[k] >= dims[axis]) {
                    throw node.error("index " + indices[k] + " is out of range for axis " + axis + " of size "
                            + dims[axis]);
                }
                indices[k] = indices[k] < 0 ? indices[k] + dims[axis] : indices[k];
            }
            if (in[0].isHost()) {
                return HostArrays.gather(in[0], axis, indices, indexShape);
            }
            int[] shape = new int[dims.length - 1 + indexShape.length];
            System.arraycopy(dims, 0, shape, 0, axis);
            System.arraycopy(indexShape, 0, shape, axis, indexShape.length);
            System.arraycopy(dims, axis + 1, shape, axis + indexShape.length, dims.length - axis - 1);
            Tensor data = in[0].tensor(floatType);
            Tensor picked = indices.length == 1 ? data.narrow(axis, (int) indices[0], 1)
                    : data.indexSelect(axis, Tensor.fromArray(indices, indices.length));
            return OnnxValue.of(picked.reshape(shape));
        };
    }

    /** The axes of Unsqueeze or Squeeze: input 1 from opset 13, the attribute before; null when neither is given. */
    private static long[] axesOf(OnnxNode node, OnnxValue[] in) {
        return in.length > 1 && in[1] != null ? in[1].longs() : node.intsAttr("axes");
    }

    private static OnnxStep unsqueeze(OnnxNode node) {
        return (in, floatType) -> {
            int[] dims = in[0].shape();
            long[] axes = axesOf(node, in);
            if (axes == null) {
                throw node.error("has no axes");
            }
            int rank = dims.length + axes.length;
            boolean[] inserted = new boolean[rank];
            for (long a : axes) {
                inserted[axis(node, a, rank)] = true;
            }
            int[] shape = new int[rank];
            for (int k = 0, from = 0; k < rank; k++) {
                shape[k] = inserted[k] ? 1 : dims[from++];
            }
            return reshaped(in[0], shape, floatType);
        };
    }

    private static OnnxStep squeeze(OnnxNode node) {
        return (in, floatType) -> {
            int[] dims = in[0].shape();
            long[] axes = axesOf(node, in);
            boolean[] dropped = new boolean[dims.length];
            for (int k = 0; k < dims.length; k++) {
                dropped[k] = axes == null && dims[k] == 1;
            }
            if (axes != null) {
                for (long a : axes) {
                    int k = axis(node, a, dims.length);
                    if (dims[k] != 1) {
                        throw node.error("cannot squeeze axis " + a + " of size " + dims[k] + " in "
                                + Arrays.toString(dims));
                    }
                    dropped[k] = true;
                }
            }
            int[] shape = new int[dims.length];
            int n = 0;
            for (int k = 0; k < dims.length; k++) {
                if (!dropped[k]) {
                    shape[n++] = dims[k];
                }
            }
            return reshaped(in[0], Arrays.copyOf(shape, n), floatType);
        };
    }

    /** Shape, on the host, with its start and end (opset 15) clamped to the rank. */
    private static OnnxStep shape(OnnxNode node) {
        long startAttr = node.intAttr("start", 0);
        Long endAttr = node.has("end") ? node.intAttr("end", 0) : null;
        return (in, floatType) -> {
            int rank = in[0].rank();
            int start = clampAxis(startAttr, rank);
            int end = endAttr == null ? rank : clampAxis(endAttr, rank);
            long[] dims = Arrays.stream(Arrays.copyOfRange(in[0].shape(), start, Math.max(start, end)))
                    .asLongStream().toArray();
            return OnnxValue.ofLongs(new int[] {dims.length}, dims);
        };
    }

    private static int clampAxis(long axis, int rank) {
        return (int) Math.max(0, Math.min(rank, axis < 0 ? axis + rank : axis));
    }

    /** Slice with starts, ends, and the optional axes and steps, clamped as ONNX clamps them. */
    private static OnnxStep slice(OnnxNode node) {
        return (in, floatType) -> {
            int[] dims = in[0].shape();
            long[] starts = in[1].longs();
            long[] ends = in[2].longs();
            long[] axes = in.length > 3 && in[3] != null ? in[3].longs() : null;
            long[] steps = in.length > 4 && in[4] != null ? in[4].longs() : null;
            int[] start = new int[dims.length];
            int[] step = new int[dims.length];
            int[] shape = dims.clone();
            Arrays.fill(step, 1);
            for (int k = 0; k < starts.length; k++) {
                int axis = axis(node, axes == null ? k : axes[k], dims.length);
                long s = steps == null ? 1 : steps[k];
                if (s == 0) {
                    throw node.error("step 0 on axis " + axis);
                }
                long from = clampSlice(starts[k], dims[axis], s);
                long to = clampSlice(ends[k], dims[axis], s);
                start[axis] = (int) from;
                step[axis] = (int) s;
                shape[axis] = (int) Math.max(0, s > 0 ? (to - from + s - 1) / s : (from - to - s - 1) / -s);
            }
            if (in[0].isHost()) {
                return HostArrays.slice(in[0], start, step, shape);
            }
            Tensor x = in[0].tensor(floatType);
            for (int axis = 0; axis < dims.length; axis++) {
                x = sliceAxis(x, axis, start[axis], step[axis], shape[axis], dims[axis]);
            }
            return OnnxValue.of(x);
        };
    }

    /** ONNX's clamping of a start or end: from the end when negative, into [0, dim] (into [-1, dim - 1] backwards). */
    private static long clampSlice(long bound, int dim, long step) {
        long b = bound < 0 ? bound + dim : bound;
        return step > 0 ? Math.max(0, Math.min(dim, b)) : Math.max(-1, Math.min(dim - 1, b));
    }

    private static Tensor sliceAxis(Tensor x, int axis, int start, int step, int count, int dim) {
        if (step == 1) {
            return count == dim ? x : x.narrow(axis, start, count);
        }
        long[] index = new long[count];
        for (int i = 0; i < count; i++) {
            index[i] = start + (long) i * step;
        }
        return x.indexSelect(axis, Tensor.fromArray(index, count));
    }

    /** Constant: its value made once, at load, as a host value. */
    private static OnnxStep constant(OnnxNode node) {
        OnnxValue value;
        if (node.has("value")) {
            value = OnnxTensors.toHost(node.attribute("value").orElseThrow().t());
        } else if (node.has("value_float")) {
            value = OnnxValue.ofDoubles(new int[0], new double[] {node.floatAttr("value_float", 0)});
        } else if (node.has("value_int")) {
            value = OnnxValue.ofLongs(new int[0], new long[] {node.intAttr("value_int", 0)});
        } else if (node.has("value_floats")) {
            float[] f = node.attribute("value_floats").orElseThrow().floats();
            double[] d = new double[f.length];
            Arrays.setAll(d, k -> f[k]);
            value = OnnxValue.ofDoubles(new int[] {d.length}, d);
        } else if (node.has("value_ints")) {
            long[] v = node.intsAttr("value_ints");
            value = OnnxValue.ofLongs(new int[] {v.length}, v);
        } else {
            throw node.error("has none of value, value_float(s) and value_int(s); Kiln reads those");
        }
        return (in, floatType) -> value;
    }

    /** ConstantOfShape: its value (a one-element tensor, float 0 when absent) repeated over the input shape. */
    private static OnnxStep constantOfShape(OnnxNode node) {
        OnnxValue fill = node.has("value") ? OnnxTensors.toHost(node.attribute("value").orElseThrow().t())
                : OnnxValue.ofDoubles(new int[] {1}, new double[] {0});
        return (in, floatType) -> {
            int[] shape = Arrays.stream(in[0].longs()).mapToInt(Math::toIntExact).toArray();
            int n = OnnxValue.count(shape);
            if (fill.isInteger()) {
                long[] v = new long[n];
                Arrays.fill(v, fill.longs()[0]);
                return OnnxValue.ofLongs(shape, v);
            }
            double[] v = new double[n];
            Arrays.fill(v, fill.doubles()[0]);
            return OnnxValue.ofDoubles(shape, v);
        };
    }

    /**
     * Cast to FLOAT or DOUBLE (floating-point values keep the precision the graph runs in), to INT64, INT32, UINT8 or
     * INT8 (integers, truncated toward zero, not wrapped into the narrower types: quantised values, as
     * torch.onnx.export casts QuantizeLinear's output, are in range), or to BOOL: 0/1 in I64, 1 wherever the input is non-zero
     * ({@link BooleanConverters}).
     */
    private static OnnxStep cast(OnnxNode node) {
        long to = node.intAttr("to", 0);
        boolean floating = OnnxTensors.isFloating((int) to);
        boolean integer = to == TensorProto.INT64 || to == TensorProto.INT32 || to == TensorProto.UINT8
                || to == TensorProto.INT8;
        if (!floating && !integer && to != TensorProto.BOOL) {
            throw node.error("cast to ONNX data type " + to + " is not supported; Kiln casts to FLOAT (1), DOUBLE (11),"
                    + " INT32 (6), INT64 (7), UINT8 (2), INT8 (3) and BOOL (9)");
        }
        if (to == TensorProto.BOOL) {
            return (in, floatType) -> in[0].isHost()
                    ? OnnxValue.ofLongs(in[0].shape(), Arrays.stream(in[0].doubles()).mapToLong(d -> d != 0 ? 1 : 0)
                            .toArray())
                    : OnnxValue.of(in[0].tensor(floatType).ne(0).to(DType.I64));
        }
        return (in, floatType) -> castTo(in[0], floating, floatType);
    }

    /** {@code v} as floating-point values (in the graph's precision) or as integers, truncated toward zero. */
    private static OnnxValue castTo(OnnxValue v, boolean floating, DType floatType) {
        if (v.isInteger() != floating) {
            return v;
        }
        if (v.isHost()) {
            return floating ? OnnxValue.ofDoubles(v.shape(), v.doubles()) : OnnxValue.ofLongs(v.shape(), v.longs());
        }
        return OnnxValue.of(v.tensor(floatType).to(floating ? floatType : DType.I64));
    }

    /**
     * CastLike (what torch 2.x's exporters write to give a constant a tensor's type): the input cast as
     * {@link #cast} casts it, to floating point where the second input is floating, else to integers. Kiln holds a
     * BOOL value as 0/1 in an integer or floating type, so a BOOL target casts as such a value does, which is
     * ONNX's cast to BOOL for inputs of 0 and 1.
     */
    private static OnnxStep castLike(OnnxNode node) {
        return (in, floatType) -> castTo(in[0], !in[1].isInteger(), floatType);
    }

    /** Expand: the input broadcast with the requested shape (NumPy's rules both ways, so a 1 keeps the input's). */
    private static OnnxValue expand(OnnxValue[] in, DType floatType) {
        int[] requested = Arrays.stream(in[1].longs()).mapToInt(Math::toIntExact).toArray();
        int[] shape = Shape.broadcast("Expand", Shape.of(in[0].shape()), Shape.of(requested)).dims();
        if (in[0].isHost()) {
            long[] zeros = new long[OnnxValue.count(shape)];
            return HostArrays.binary("Expand", in[0], OnnxValue.ofLongs(shape, zeros), (a, b) -> a, (a, b) -> a);
        }
        Tensor x = in[0].tensor(floatType);
        return OnnxValue.of(Arrays.equals(shape, x.shape().dims()) ? x : x.expand(shape));
    }

    /** Opset 18's pads for the listed {@code axes} alone, as pads of every axis (0 for the others). */
    private static long[] padsOfEveryAxis(OnnxNode node, long[] pads, long[] axes, int rank) {
        if (pads.length != 2 * axes.length) {
            throw node.error("pads " + Arrays.toString(pads) + " must hold 2 x " + axes.length + " values for axes "
                    + Arrays.toString(axes));
        }
        long[] all = new long[2 * rank];
        for (int k = 0; k < axes.length; k++) {
            int axis = axis(node, axes[k], rank);
            all[axis] = pads[k];
            all[rank + axis] = pads[axes.length + k];
        }
        return all;
    }

    /**
     * Pad in constant mode, with pads (every axis's begin, then every axis's end) and the optional value, or in
     * reflect, edge or wrap mode (opset 19; PyTorch's reflect, replicate and circular) on the last 1 to 3 axes of a
     * batched or unbatched input.
     */
    private static OnnxStep pad(OnnxNode node) {
        String mode = node.stringAttr("mode", "constant");
        PaddingMode border = switch (mode) {
            case "constant" -> null;
            case "reflect" -> PaddingMode.REFLECT;
            case "edge" -> PaddingMode.REPLICATE;
            case "wrap" -> PaddingMode.CIRCULAR;
            default -> throw node.error("mode " + mode + " is not supported; Kiln's import pads in modes constant, "
                    + "reflect, edge and wrap");
        };
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int rank = x.rank();
            long[] pads = in.length > 3 && in[3] != null ? padsOfEveryAxis(node, in[1].longs(), in[3].longs(), rank)
                    : in[1].longs();
            if (pads.length != 2 * rank) {
                throw node.error("pads " + Arrays.toString(pads) + " must hold 2 x " + rank + " values for input "
                        + x.shape());
            }
            int[] pairs = new int[2 * rank];
            for (int axis = 0; axis < rank; axis++) {
                pairs[2 * (rank - 1 - axis)] = Math.toIntExact(pads[axis]);
                pairs[2 * (rank - 1 - axis) + 1] = Math.toIntExact(pads[rank + axis]);
            }
            if (Arrays.stream(pairs).allMatch(p -> p == 0)) {
                return OnnxValue.of(x);
            }
            if (border != null) {
                return OnnxValue.of(borderPad(x, withoutLeadingAxes(pairs), border));
            }
            double value = in.length > 2 && in[2] != null ? in[2].doubles()[0] : 0;
            return OnnxValue.of(F.pad(x, pairs, value));
        };
    }

    /**
     * {@code x} padded in {@code mode} on its last {@code amounts.length / 2} axes, whatever its rank: viewed as a
     * batch of one [1, leading axes' product, padded axes...], the shape F.pad's border modes take, since they pad
     * each axis on its own.
     */
    private static Tensor borderPad(Tensor x, int[] amounts, PaddingMode mode) {
        int[] dims = x.shape().dims();
        int leading = Math.max(0, dims.length - amounts.length / 2);
        int channels = Arrays.stream(dims, 0, leading).reduce(1, Math::multiplyExact);
        int[] view = new int[2 + dims.length - leading];
        view[0] = 1;
        view[1] = channels;
        System.arraycopy(dims, leading, view, 2, dims.length - leading);
        Tensor y = F.pad(x.reshape(view), amounts, mode);
        int[] out = Arrays.copyOf(dims, dims.length);
        System.arraycopy(y.shape().dims(), 2, out, leading, dims.length - leading);
        return y.reshape(out);
    }

    /**
     * {@code pairs} (last axis first) without the trailing zero pairs of the leading axes that are not padded: the
     * border modes of {@link F#pad(Tensor, int[], PaddingMode)} pad the last 1 to 3 axes alone.
     */
    private static int[] withoutLeadingAxes(int[] pairs) {
        int length = pairs.length;
        while (length > 2 && pairs[length - 1] == 0 && pairs[length - 2] == 0) {
            length -= 2;
        }
        return Arrays.copyOf(pairs, length);
    }

    /**
     * Split: the input cut along {@code axis} into the sizes of its split input (opset 13 on) or attribute (before),
     * else into as many parts as the node has outputs, each of the rounded-up share and the last what is left (as
     * opset 18's num_outputs). Each output is its own step, a narrowing of the input.
     */
    private static final class Split implements OnnxConverter {
        @Override
        public OnnxStep compile(OnnxNode node) {
            return compileOutput(node, 0);
        }

        @Override
        public OnnxStep compileOutput(OnnxNode node, int index) {
            long axisAttr = node.intAttr("axis", 0);
            long[] splitAttr = node.intsAttr("split");
            int parts = node.proto().outputs().size();
            return (in, floatType) -> {
                int[] dims = in[0].shape();
                int axis = axis(node, axisAttr, dims.length);
                long[] sizes = in.length > 1 && in[1] != null ? in[1].longs() : splitAttr;
                if (sizes == null) {
                    sizes = new long[parts];
                    long share = (dims[axis] + parts - 1) / parts;
                    for (int k = 0; k < parts; k++) {
                        sizes[k] = Math.max(0, Math.min(share, dims[axis] - k * share));
                    }
                }
                if (sizes.length != parts || Arrays.stream(sizes).sum() != dims[axis]) {
                    throw node.error("sizes " + Arrays.toString(sizes) + " must be " + parts + " that add up to "
                            + dims[axis] + ", the size of axis " + axis + " of " + Arrays.toString(dims));
                }
                int start = (int) Arrays.stream(sizes, 0, index).sum();
                int length = (int) sizes[index];
                if (!in[0].isHost()) {
                    return OnnxValue.of(in[0].tensor(floatType).narrow(axis, start, length));
                }
                int[] from = new int[dims.length];
                int[] step = new int[dims.length];
                Arrays.fill(step, 1);
                from[axis] = start;
                int[] shape = dims.clone();
                shape[axis] = length;
                return HostArrays.slice(in[0], from, step, shape);
            };
        }
    }
}
