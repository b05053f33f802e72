package dev.kiln.onnx;

import dev.kiln.nn.MaxUnpool1d;
import dev.kiln.nn.MaxUnpool2d;
import dev.kiln.nn.MaxUnpool3d;
import java.util.Arrays;
import java.util.List;

/**
 * MaxUnpool1d, MaxUnpool2d and MaxUnpool3d (input, indices) as ONNX's MaxUnpool, to the default output size
 * (in - 1) stride - 2 padding + kernel on each axis. Kiln's indices, as PyTorch's, count within each output plane
 * (h outW + w; a volume's (d outH + h) outW + w); ONNX's, as its MaxPool gives them, count over the whole output
 * tensor, so each plane's offset (n C + c) times the plane's size is added first, worked out from the input's Shape so
 * that no axis is fixed in the graph.
 */
final class UnpoolingConverters {
    private UnpoolingConverters() {
    }

    static void register(OnnxConverters c) {
        c.putTwoInput(MaxUnpool2d.class, (m, x, indices, g) -> maxUnpool(x, indices, new long[] {m.kernel(),
                m.kernel()}, new long[] {m.stride(), m.stride()}, new long[] {m.padding(), m.padding()}, g));
        c.putTwoInput(MaxUnpool1d.class, (m, x, indices, g) -> maxUnpool(x, indices, new long[] {m.kernel()},
                new long[] {m.stride()}, new long[] {m.padding()}, g));
        c.putTwoInput(MaxUnpool3d.class, (m, x, indices, g) -> maxUnpool(x, indices, longs(m.kernel()),
                longs(m.stride()), longs(m.padding()), g));
    }

    private static long[] longs(int[] values) {
        return Arrays.stream(values).asLongStream().toArray();
    }

    /** The unpooling of x [N, C, spatial...] with Kiln's per-plane indices, one kernel, stride and padding per axis. */
    private static String maxUnpool(String x, String indices, long[] kernel, long[] stride, long[] padding,
            OnnxGraph g) {
        String flat = g.node("Add", List.of(indices, planeOffsets(x, kernel, stride, padding, g)));
        long[] pads = new long[2 * padding.length];
        for (int k = 0; k < padding.length; k++) {
            pads[k] = padding[k];
            pads[padding.length + k] = padding[k];
        }
        return g.node("MaxUnpool", List.of(x, flat), AttributeProto.ofInts("kernel_shape", kernel),
                AttributeProto.ofInts("strides", stride), AttributeProto.ofInts("pads", pads));
    }

    /** (n C + c) times the output plane's size for x [N, C, spatial...], as [N, C, 1...] INT64. */
    private static String planeOffsets(String x, long[] kernel, long[] stride, long[] padding, OnnxGraph g) {
        int axes = kernel.length;
        long[] extent = new long[axes];
        for (int k = 0; k < axes; k++) {
            extent[k] = kernel[k] - 2 * padding[k];
        }
        String shape = g.node("Shape", x);
        String batchAndChannels = g.node("Slice", List.of(shape, g.int64s(0), g.int64s(2)));
        String spatial = g.node("Slice", List.of(shape, g.int64s(2), g.int64s(2 + axes)));
        String outSpatial = g.node("Add", List.of(g.node("Mul", List.of(g.node("Sub", List.of(spatial, g.int64s(1))),
                g.int64s(stride))), g.int64s(extent)));
        String planeSize = g.node("ReduceProd", outSpatial, AttributeProto.ofInt("keepdims", 1));
        String planes = g.node("ReduceProd", batchAndChannels, AttributeProto.ofInt("keepdims", 0));
        String index = g.node("Range", List.of(g.node("Constant", List.of(), AttributeProto.ofTensor("value",
                TensorProto.ofLongs("zero", new long[0], 0))), planes, g.node("Constant", List.of(),
                AttributeProto.ofTensor("value", TensorProto.ofLongs("one", new long[0], 1)))));
        long[] ones = new long[axes];
        Arrays.fill(ones, 1);
        String grid = g.node("Reshape", List.of(index, g.node("Concat", List.of(batchAndChannels, g.int64s(ones)),
                AttributeProto.ofInt("axis", 0))));
        return g.node("Mul", List.of(grid, planeSize));
    }
}
