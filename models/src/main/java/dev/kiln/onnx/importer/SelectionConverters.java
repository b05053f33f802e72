package dev.kiln.onnx.importer;

import dev.kiln.engine.DType;
import dev.kiln.engine.IndexedValues;
import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;

/**
 * The ops that pick elements by value or by index: TopK (values and I64 indices), ArgMax and ArgMin, GatherElements,
 * ScatterElements (reductions none, add, mul, max and min) and NonZero, as {@link Tensor#topk}, {@link Tensor#argmax},
 * {@link Tensor#gather}, {@link Tensor#scatter} and {@link Tensor#nonzero} run them. Indices may count from the end
 * (negative), as ONNX allows.
 */
final class SelectionConverters {
    private SelectionConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("TopK", new TopK());
        ops.put("ArgMax", n -> argExtreme(n, true));
        ops.put("ArgMin", n -> argExtreme(n, false));
        ops.put("GatherElements", SelectionConverters::gatherElements);
        ops.put("ScatterElements", SelectionConverters::scatterElements);
        ops.put("NonZero", n -> (in, floatType) -> OnnxValue.of(in[0].tensor(floatType).nonzero().t()));
    }

    /**
     * TopK: the K (input 1) largest or smallest entries along {@code axis}, sorted or in their order along the axis;
     * of equal entries the one of lower index first, as ONNX specifies. Values and indices come from one run. ONNX
     * leaves the order of sorted 0's outputs open (ONNX Runtime's differs by kernel), so any order of the same entries
     * is correct: Kiln gives them in their order along the axis, as {@link Tensor#topk} with sorted false.
     */
    private static final class TopK implements OnnxConverter {
        @Override
        public OnnxStep compile(OnnxNode node) {
            return compileOutputs(node, 1)[0];
        }

        @Override
        public OnnxStep[] compileOutputs(OnnxNode node, int count) {
            if (count > 2) {
                throw node.error("has " + count + " outputs; TopK has 2 (values and indices)");
            }
            long axisAttr = node.intAttr("axis", -1);
            boolean largest = node.intAttr("largest", 1) != 0;
            boolean sorted = node.intAttr("sorted", 1) != 0;
            int last = count == 2 && !node.proto().outputs().get(1).isEmpty() ? 1 : 0;
            SharedRun shared = new SharedRun(last, (in, floatType) -> {
                Tensor x = in[0].tensor(floatType);
                int axis = ShapeConverters.axis(node, axisAttr, x.rank());
                IndexedValues top = x.topk(Math.toIntExact(in[1].longs()[0]), axis, largest, sorted);
                return new OnnxValue[] {OnnxValue.of(top.values()), OnnxValue.of(top.indices())};
            });
            OnnxStep[] steps = new OnnxStep[count];
            for (int k = 0; k < count; k++) {
                int index = k;
                steps[k] = (in, floatType) -> shared.output(index, in, floatType);
            }
            return steps;
        }
    }

    /** ArgMax or ArgMin along {@code axis}: the first extreme, or with select_last_index the last one. */
    private static OnnxStep argExtreme(OnnxNode node, boolean max) {
        long axisAttr = node.intAttr("axis", 0);
        boolean keep = node.intAttr("keepdims", 1) != 0;
        boolean lastIndex = node.intAttr("select_last_index", 0) != 0;
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            int axis = ShapeConverters.axis(node, axisAttr, x.rank());
            if (!lastIndex) {
                return OnnxValue.of(max ? x.argmax(axis, keep) : x.argmin(axis, keep));
            }
            // The first extreme of the reversed axis is the last one of the axis, counted from its end; the
            // subtraction runs in floating point (exact for indices), as Kiln's arithmetic is.
            Tensor flipped = x.flip(axis);
            Tensor fromEnd = max ? flipped.argmax(axis, keep) : flipped.argmin(axis, keep);
            return OnnxValue.of(fromEnd.to(floatType).neg().add(x.dim(axis) - 1).to(DType.I64));
        };
    }

    /** GatherElements: {@code data[..., index[i, j, ...], ...]} along {@code axis}, the output of index's shape. */
    private static OnnxStep gatherElements(OnnxNode node) {
        long axisAttr = node.intAttr("axis", 0);
        return (in, floatType) -> {
            Tensor data = in[0].tensor(floatType);
            int axis = ShapeConverters.axis(node, axisAttr, data.rank());
            return OnnxValue.of(data.gather(axis, indices(node, in[1], data, axis)));
        };
    }

    /**
     * ScatterElements: a copy of data with {@code updates} written at {@code indices} along {@code axis}; reduction
     * none (duplicate indices, which ONNX leaves undefined, keep one of the updates), add, mul, max or min combine
     * each element with the updates sent to it.
     */
    private static OnnxStep scatterElements(OnnxNode node) {
        long axisAttr = node.intAttr("axis", 0);
        String reduction = node.stringAttr("reduction", "none");
        String kilnReduction = switch (reduction) {
            case "none" -> null;
            case "add" -> "sum";
            case "mul" -> "prod";
            case "max" -> "amax";
            case "min" -> "amin";
            default -> throw node.error("reduction " + reduction + " is not one of ONNX's none, add, mul, max, min");
        };
        return (in, floatType) -> {
            Tensor data = in[0].tensor(floatType);
            int axis = ShapeConverters.axis(node, axisAttr, data.rank());
            Tensor index = indices(node, in[1], data, axis);
            Tensor updates = in[2].tensor(floatType).to(data.backend());
            if (!Arrays.equals(index.shape().dims(), updates.shape().dims())) {
                throw node.error("indices " + index.shape() + " and updates " + updates.shape()
                        + " must have one shape");
            }
            Tensor y = kilnReduction == null ? data.scatter(axis, index, updates)
                    : data.scatterReduce(axis, index, updates, kilnReduction, true);
            return OnnxValue.of(y);
        };
    }

    /**
     * The indices as I64 on {@code data}'s backend, each negative one counted from the end of {@code axis}, checked
     * against its size.
     */
    private static Tensor indices(OnnxNode node, OnnxValue index, Tensor data, int axis) {
        int size = data.dim(axis);
        long[] values = index.longs();
        for (int k = 0; k < values.length; k++) {
            if (values[k] < -size || values[k] >= size) {
                throw node.error("index " + values[k] + " is out of range for axis " + axis + " of size " + size);
            }
            values[k] = values[k] < 0 ? values[k] + size : values[k];
        }
        return Tensor.fromArray(values, index.shape()).to(data.backend());
    }
}
