package dev.kiln.onnx;

import dev.kiln.nn.MaxUnpool2d;
import java.util.List;

/**
 * MaxUnpool2d (input, indices) as ONNX's MaxUnpool, to the default output size (H - 1) stride - 2 padding + kernel.
 * Kiln's indices, as PyTorch's, count within each output plane (h outW + w); ONNX's, as its MaxPool gives them, count
 * over the whole output tensor, so each plane's offset (n C + c) outH outW is added first, worked out from the input's
 * Shape so that no axis is fixed in the graph.
 */
final class UnpoolingConverters {
    private UnpoolingConverters() {
    }

    static void register(OnnxConverters c) {
        c.putTwoInput(MaxUnpool2d.class, UnpoolingConverters::maxUnpool);
    }

    private static String maxUnpool(MaxUnpool2d m, String x, String indices, OnnxGraph g) {
        String flat = g.node("Add", List.of(indices, planeOffsets(m, x, g)));
        return g.node("MaxUnpool", List.of(x, flat), AttributeProto.ofInts("kernel_shape", m.kernel(), m.kernel()),
                AttributeProto.ofInts("strides", m.stride(), m.stride()),
                AttributeProto.ofInts("pads", m.padding(), m.padding(), m.padding(), m.padding()));
    }

    /** (n C + c) outH outW for x [N, C, H, W], as [N, C, 1, 1] INT64. */
    private static String planeOffsets(MaxUnpool2d m, String x, OnnxGraph g) {
        String shape = g.node("Shape", x);
        String batchAndChannels = g.node("Slice", List.of(shape, g.int64s(0), g.int64s(2)));
        String spatial = g.node("Slice", List.of(shape, g.int64s(2), g.int64s(4)));
        String outSpatial = g.node("Add", List.of(g.node("Mul", List.of(g.node("Sub", List.of(spatial, g.int64s(1))),
                g.int64s(m.stride()))), g.int64s((long) m.kernel() - 2L * m.padding())));
        String planeSize = g.node("ReduceProd", outSpatial, AttributeProto.ofInt("keepdims", 1));
        String planes = g.node("ReduceProd", batchAndChannels, AttributeProto.ofInt("keepdims", 0));
        String index = g.node("Range", List.of(g.node("Constant", List.of(), AttributeProto.ofTensor("value",
                TensorProto.ofLongs("zero", new long[0], 0))), planes, g.node("Constant", List.of(),
                AttributeProto.ofTensor("value", TensorProto.ofLongs("one", new long[0], 1)))));
        String grid = g.node("Reshape", List.of(index, g.node("Concat", List.of(batchAndChannels, g.int64s(1, 1)),
                AttributeProto.ofInt("axis", 0))));
        return g.node("Mul", List.of(grid, planeSize));
    }
}
