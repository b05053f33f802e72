package dev.kiln.onnx;

import dev.kiln.engine.Uint8Grid;
import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.AvgPool2d;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.GridAveragePooling;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Average pooling on a uint8 grid (a converted model's {@link AvgPool2d}, {@link AdaptiveAvgPool2d} or
 * {@link GlobalAvgPool2d} with a grid) exported as Kiln and PyTorch 1.13 round it ({@link GridAveragePooling}), in
 * ops whose arithmetic ONNX Runtime does exactly: the input's integers {@code q - zero point} (x times the F32
 * reciprocal of the scale, then QuantizeLinear with scale 1 and the zero point, cast to F32 less the zero point:
 * Kiln's and 1.13's quantisation, clamped to [0, 255]); their window sums (a depthwise Conv of ones, products with
 * 0/1 matrices, or ReduceSum: integers, exact in F32 while a window's sum stays below 2^24, as any window of up to
 * 65,793 values does, where Kiln and 1.13 sum integers); times each window's F32 {@code 1 / n}; rounded half to even
 * by QuantizeLinear with scale 1, the zero point added after rounding (channels-last) or before (contiguous layouts,
 * {@link GridAveragePooling#channelsLast}); DequantizeLinear onto the grid. A requantisation of the F32 mean instead
 * rounds ties one step apart. The windows' divisors and a ceil-mode pooling's end padding are fixed at the trial's
 * input size, but for a global pooling's, read from the input's shape.
 */
final class GridPoolingConverters {
    private GridPoolingConverters() {
    }

    /** An AvgPool2d on {@code grid}: window sums by a depthwise Conv of ones over {@code q - zero point}. */
    static String windows(AvgPool2d m, String x, Uint8Grid grid, OnnxGraph g) {
        refuseSymbolicPlanes(g);
        int[] in = g.inputShape();
        boolean unbatched = in.length == 3;
        int channels = in[in.length - 3];
        int height = in[in.length - 2];
        int width = in[in.length - 1];
        int k = m.kernel();
        int s = m.stride();
        int p = m.padding();
        String q = offsets(x, grid, g);
        String planes = unbatched ? g.node("Unsqueeze", List.of(q, g.int64s(0))) : q;
        float[] ones = new float[channels * k * k];
        Arrays.fill(ones, 1f);
        int endH = Math.max(p, (GridAveragePooling.outputSize(height, m) - 1) * s + k - height - p);
        int endW = Math.max(p, (GridAveragePooling.outputSize(width, m) - 1) * s + k - width - p);
        String sums = g.node("Conv", List.of(planes, g.constant(new long[] {channels, 1, k, k}, ones)),
                AttributeProto.ofInts("kernel_shape", k, k), AttributeProto.ofInts("strides", s, s),
                AttributeProto.ofInts("pads", p, p, endH, endW), AttributeProto.ofInt("group", channels));
        if (unbatched) {
            sums = g.node("Squeeze", List.of(sums, g.int64s(0)));
        }
        sums = throughInt32(sums, g);
        float[] reciprocals = GridAveragePooling.reciprocals(height, width, m);
        return rounded(sums, reciprocals(reciprocals, GridAveragePooling.outputSize(height, m),
                GridAveragePooling.outputSize(width, m), g), grid, GridAveragePooling.channelsLast(in,
                m.poolsStubOutput()), g);
    }

    /**
     * Adaptive pooling (global where the output is 1 x 1) on {@code grid} to the trial's output size: window sums by
     * ReduceSum, or by two products with 0/1 window matrices.
     */
    static String adaptive(String x, Uint8Grid grid, boolean stubOutput, OnnxGraph g) {
        int[] in = g.inputShape();
        int[] out = g.outputShape();
        int height = in[in.length - 2];
        int width = in[in.length - 1];
        int outH = out[out.length - 2];
        int outW = out[out.length - 1];
        String q = offsets(x, grid, g);
        boolean channelsLast = GridAveragePooling.channelsLast(in, stubOutput);
        if (outH == 1 && outW == 1) {
            String sums = g.node("ReduceSum", List.of(q, g.int64s(-2, -1)), AttributeProto.ofInt("keepdims", 1));
            return rounded(sums, planeReciprocal(q, g), grid, channelsLast, g);
        }
        refuseSymbolicPlanes(g);
        String columns = g.node("MatMul", List.of(q, g.constant(new long[] {width, outW},
                PoolingConverters.transpose(PoolingConverters.adaptiveWindows(width, outW, false), outW))));
        String sums = throughInt32(g.node("MatMul", List.of(g.constant(new long[] {outH, height},
                PoolingConverters.adaptiveWindows(height, outH, false)), columns)), g);
        return rounded(sums, reciprocals(GridAveragePooling.reciprocals(height, width, outH, outW), outH, outW, g),
                grid, channelsLast, g);
    }

    /**
     * Refuses a model input with symbolic axes besides the batch: the windows' divisors (and an adaptive pooling's
     * window matrices) are fixed at the trial's plane, so ONNX Runtime would average another plane wrongly.
     */
    private static void refuseSymbolicPlanes(OnnxGraph g) {
        Map<Integer, String> others = new TreeMap<>(g.symbolicInputAxes());
        others.remove(0);
        if (!others.isEmpty()) {
            throw new IllegalArgumentException("ONNX export: " + g.path() + " pools on an int8 grid with divisors"
                    + " fixed at the trial input's plane " + Arrays.toString(g.inputShape()) + ", but the input's"
                    + " axes " + others + " are symbolic, so another size would be averaged wrongly; export with"
                    + " only the batch axis symbolic (global average pooling takes any plane)");
        }
    }

    /**
     * The F32 {@code 1 / (height * width)} of {@code x}'s plane, read from its Shape so that a file with symbolic
     * plane axes averages each input's own plane (IEEE division: the reciprocal Kiln takes).
     */
    private static String planeReciprocal(String x, OnnxGraph g) {
        String plane = g.node("ReduceProd", g.node("Shape", x, AttributeProto.ofInt("start", -2)),
                AttributeProto.ofInt("keepdims", 0));
        return g.node("Div", List.of(g.scalar(1f), g.node("Cast", plane,
                AttributeProto.ofInt("to", TensorProto.FLOAT))));
    }

    /**
     * {@code x}'s integers on {@code grid} less the zero point, as F32: {@code x * (1 / scale)} rounded half to even
     * with the zero point added and clamped to [0, 255] (QuantizeLinear of scale 1), cast to F32 and the zero point
     * taken off. Not DequantizeLinear: ORT would fuse it with the Conv or MatMul after it into an int8 kernel that
     * requantises otherwise.
     */
    private static String offsets(String x, Uint8Grid grid, OnnxGraph g) {
        String zeroPoint = g.byteConstant(TensorProto.UINT8, new long[0], (byte) grid.zeroPoint());
        String q = g.node("QuantizeLinear", List.of(g.node("Mul", List.of(x, g.scalar(1f / grid.scale()))),
                g.scalar(1f), zeroPoint));
        return g.node("Sub", List.of(g.node("Cast", q, AttributeProto.ofInt("to", TensorProto.FLOAT)),
                g.scalar(grid.zeroPoint())));
    }

    /**
     * F32 {@code sums} of integers cast to INT32 and back, which keeps them as they are, so that ORT folds no
     * reciprocal into the Conv or MatMul before it (its Conv-Mul and MatMul-scale fusions would scale each term).
     */
    private static String throughInt32(String sums, OnnxGraph g) {
        return g.node("Cast", g.node("Cast", sums, AttributeProto.ofInt("to", TensorProto.INT32)),
                AttributeProto.ofInt("to", TensorProto.FLOAT));
    }

    /**
     * {@code sums} times {@code reciprocals} rounded onto the grid and dequantised: {@code zp + rint(mean)}
     * channels-last, else {@code rint(mean + zp)}, clamped to [0, 255].
     */
    private static String rounded(String sums, String reciprocals, Uint8Grid grid, boolean channelsLast, OnnxGraph g) {
        String mean = g.node("Mul", List.of(sums, reciprocals));
        String one = g.scalar(1f);
        String zeroPoint = g.byteConstant(TensorProto.UINT8, new long[0], (byte) grid.zeroPoint());
        String q = channelsLast ? g.node("QuantizeLinear", List.of(mean, one, zeroPoint))
                : g.node("QuantizeLinear", List.of(g.node("Add", List.of(mean, g.scalar(grid.zeroPoint()))), one,
                g.byteConstant(TensorProto.UINT8, new long[0], (byte) 0)));
        return g.node("DequantizeLinear", List.of(q, g.scalar(grid.scale()), zeroPoint));
    }

    /** One scalar where every window has the same {@code 1 / n}, else the [outH, outW] of them. */
    private static String reciprocals(float[] r, int outH, int outW, OnnxGraph g) {
        boolean uniform = true;
        for (float v : r) {
            uniform &= v == r[0];
        }
        return uniform ? g.scalar(r[0]) : g.constant(new long[] {outH, outW}, r);
    }
}
