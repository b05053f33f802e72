package dev.kiln.onnx.importer;

import dev.kiln.engine.Tensor;
import java.util.Arrays;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * The reductions ReduceSum, ReduceMean, ReduceMax, ReduceMin, ReduceProd, ReduceL1, ReduceL2, ReduceSumSquare,
 * ReduceLogSum and ReduceLogSumExp over their axes (the attribute, or input 1 where the opset makes it one: ReduceSum's
 * from 13, the others' from 18; none: every axis, unless noop_with_empty_axes), keepdims as ONNX's.
 */
final class ReduceConverters {
    /** One reduction of a tensor over sorted, distinct axes. */
    @FunctionalInterface
    private interface Reduction {
        Tensor apply(Tensor x, int[] axes, boolean keep);
    }

    /** A reduction of one axis, as Kiln's tensor ops take it. */
    @FunctionalInterface
    private interface AxisOp {
        Tensor apply(Tensor x, int axis, boolean keep);
    }

    private ReduceConverters() {
    }

    static void register(Map<String, OnnxConverter> ops) {
        ops.put("ReduceSum", n -> reduce(n, (x, axes, keep) -> perAxis(x, axes, keep, Tensor::sum)));
        ops.put("ReduceMean", n -> reduce(n, (x, axes, keep) -> perAxis(x, axes, keep, Tensor::mean)));
        ops.put("ReduceMax", n -> reduce(n, Tensor::amax));
        ops.put("ReduceMin", n -> reduce(n, Tensor::amin));
        ops.put("ReduceProd", n -> reduce(n, (x, axes, keep) -> perAxis(x, axes, keep, Tensor::prod)));
        ops.put("ReduceL1", n -> reduce(n, (x, axes, keep) -> perAxis(x.abs(), axes, keep, Tensor::sum)));
        ops.put("ReduceL2", n -> reduce(n, (x, axes, keep) -> perAxis(x.mul(x), axes, keep, Tensor::sum).sqrt()));
        ops.put("ReduceSumSquare", n -> reduce(n, (x, axes, keep) -> perAxis(x.mul(x), axes, keep, Tensor::sum)));
        ops.put("ReduceLogSum", n -> reduce(n, (x, axes, keep) -> perAxis(x, axes, keep, Tensor::sum).log()));
        ops.put("ReduceLogSumExp", n -> reduce(n, (x, axes, keep) -> perAxis(x, axes, keep, Tensor::logsumexp)));
    }

    /** An op of one axis at a time, applied from the last axis so that the earlier ones keep their positions. */
    private static Tensor perAxis(Tensor x, int[] axes, boolean keep, AxisOp op) {
        Tensor y = x;
        for (int k = axes.length - 1; k >= 0; k--) {
            y = op.apply(y, axes[k], keep);
        }
        return y;
    }

    private static OnnxStep reduce(OnnxNode node, Reduction reduction) {
        long[] attributeAxes = node.intsAttr("axes");
        boolean keep = node.intAttr("keepdims", 1) != 0;
        boolean noopWithoutAxes = node.intAttr("noop_with_empty_axes", 0) != 0;
        return (in, floatType) -> {
            Tensor x = in[0].tensor(floatType);
            long[] axes = in.length > 1 && in[1] != null ? in[1].longs() : attributeAxes;
            if (axes == null || axes.length == 0) {
                if (noopWithoutAxes) {
                    return in[0];
                }
                axes = new long[x.rank()];
                Arrays.setAll(axes, k -> k);
            }
            int[] sorted = Arrays.stream(axes).mapToInt(a -> ShapeConverters.axis(node, a, x.rank())).distinct()
                    .sorted().toArray();
            return OnnxValue.of(reduction.apply(x, sorted, keep));
        };
    }
}
