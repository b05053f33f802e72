package dev.kiln.onnx;

import dev.kiln.engine.StaticInt8ConvWeights;
import dev.kiln.engine.Tensor;
import dev.kiln.engine.Uint8Grid;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizedBasicBlock;
import dev.kiln.nn.QuantizedConv2d;
import dev.kiln.nn.QuantizedLayer;
import dev.kiln.nn.QuantizedLinear;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * QuantizedConv2d, QuantizedLinear and QuantizedBasicBlock (static quantisation) in the QDQ form that ONNX Runtime
 * fuses into int8 kernels (QLinearConv, QGemm, QLinearAdd): the input through QuantizeLinear and DequantizeLinear on
 * the layer's input grid, the weight an INT8 initializer through a per-channel DequantizeLinear (axis of the output
 * channels, zero points 0), the F32 bias, Conv or Gemm (MatMul and Add beyond 2-D input), Relu where fused,
 * QuantizeLinear and DequantizeLinear on the output grid, MaxPool where a max pooling is fused into the convolution,
 * GlobalAveragePool and Flatten before a Linear's input where it fuses them (the F32 mean rounded onto the input grid,
 * within one step of Kiln's); a block's residual sum is Add and Relu, requantised onto its output grid. In F32 arithmetic this is the
 * layer's computation; ONNX Runtime's int8 kernels agree within one output step.
 */
final class QuantizedConverters {
    private QuantizedConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(QuantizedConv2d.class, (m, x, g) -> {
            int[] shape = m.packedWeight().shape().dims();
            int[] p = m.padding();
            String weight = weight(g, m.packedWeight(), shape, 0);
            String y = g.node("Conv", withBias(g, m, onGrid(g, x, m.inputGrid()), weight),
                    AttributeProto.ofInts("kernel_shape", shape[2], shape[3]),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p[0], p[1], p[0], p[1]),
                    AttributeProto.ofInts("dilations", m.dilation()),
                    AttributeProto.ofInt("group", 1));
            String out = requantised(g, y, m.outputGrid(), m.fusedRelu());
            MaxPool2d pool = m.fusedMaxPool();
            return pool == null ? out : PoolingNdConverters.maxPool(out, new int[] {pool.kernel(), pool.kernel()},
                    new int[] {pool.stride(), pool.stride()}, new int[] {pool.padding(), pool.padding()},
                    new int[] {1, 1}, pool.ceilMode(), g);
        });
        c.put(QuantizedLinear.class, (m, x, g) -> {
            int[] shape = m.packedWeight().shape().dims();
            boolean pooled = m.fusesGlobalAvgPool();
            String input = onGrid(g, pooled ? g.node("Flatten", g.node("GlobalAveragePool", x),
                    AttributeProto.ofInt("axis", 1)) : x, m.inputGrid());
            String y;
            if (pooled || g.inputShape().length == 2) {
                String weight = weight(g, m.packedWeight(), new int[] {shape[0], shape[1]}, 0);
                y = g.node("Gemm", withBias(g, m, input, weight), AttributeProto.ofInt("transB", 1));
            } else {
                String transposed = transposedWeight(g, m.packedWeight(), shape[0], shape[1]);
                String product = g.node("MatMul", List.of(input, transposed));
                y = m.bias() == null ? product : g.node("Add", List.of(product, g.parameter("bias", m.bias())));
            }
            return requantised(g, y, m.outputGrid(), m.fusedRelu());
        });
        c.put(QuantizedBasicBlock.class, QuantizedConverters::basicBlock);
    }

    /**
     * conv2(conv1(x)) plus the shortcut (downsample's convolution, or x, rounded onto the input grid where the block
     * rounds it), through Relu onto the block's output grid: the QDQ form of {@code add_relu}, which ONNX Runtime
     * fuses into QLinearAdd.
     */
    private static String basicBlock(QuantizedBasicBlock m, String x, OnnxGraph g) {
        Map<String, Module> children = m.namedChildren();
        String convolved = g.convert(children.get("conv2"), "conv2", g.convert(children.get("conv1"), "conv1", x));
        Module downsample = children.get("downsample");
        String shortcut = downsample != null ? g.convert(downsample, "downsample", x)
                : m.roundsInput() ? onGrid(g, x, m.inputGrid()) : x;
        return requantised(g, g.node("Add", List.of(convolved, shortcut)), m.outputGrid(), true);
    }

    /** A node's input and weight, then the layer's bias where it has one. */
    private static List<String> withBias(OnnxGraph g, QuantizedLayer m, String input, String weight) {
        List<String> inputs = new ArrayList<>(List.of(input, weight));
        if (m.bias() != null) {
            inputs.add(g.parameter("bias", m.bias()));
        }
        return inputs;
    }

    /** {@code x} quantised onto {@code grid} and back: QuantizeLinear then DequantizeLinear. */
    static String onGrid(OnnxGraph g, String x, Uint8Grid grid) {
        String scale = g.scalar(grid.scale());
        String zeroPoint = g.byteConstant(TensorProto.UINT8, new long[0], (byte) grid.zeroPoint());
        String q = g.node("QuantizeLinear", List.of(x, scale, zeroPoint));
        return g.node("DequantizeLinear", List.of(q, scale, zeroPoint));
    }

    /** y, through Relu when {@code relu}, requantised onto the layer's output grid. */
    private static String requantised(OnnxGraph g, String y, Uint8Grid grid, boolean relu) {
        return onGrid(g, relu ? g.node("Relu", y) : y, grid);
    }

    /**
     * The weight as DequantizeLinear of its INT8 values ({@code weight_quantized}, in {@code dims}, whose axis 0 is
     * the output channel) with the per-channel scales ({@code weight_scale}) and zero points 0.
     */
    private static String weight(OnnxGraph g, StaticInt8ConvWeights packed, int[] dims, int axis) {
        byte[] values;
        try (Tensor v = packed.values()) {
            values = bytes(v.toFloatArray());
        }
        return dequantized(g, values, dims, axis, packed);
    }

    /** The weight [out, in] transposed to [in, out] as MatMul reads it, per-channel along axis 1. */
    private static String transposedWeight(OnnxGraph g, StaticInt8ConvWeights packed, int out, int in) {
        float[] v;
        try (Tensor values = packed.values()) {
            v = values.toFloatArray();
        }
        byte[] transposed = new byte[v.length];
        for (int o = 0; o < out; o++) {
            for (int i = 0; i < in; i++) {
                transposed[i * out + o] = (byte) v[o * in + i];
            }
        }
        return dequantized(g, transposed, new int[] {in, out}, 1, packed);
    }

    private static String dequantized(OnnxGraph g, byte[] values, int[] dims, int axis, StaticInt8ConvWeights packed) {
        float[] scales;
        try (Tensor s = packed.scales()) {
            scales = s.toFloatArray();
        }
        long[] channels = {scales.length};
        String q = g.byteParameter("weight_quantized", TensorProto.INT8, OnnxGraph.longs(dims), values);
        String scale;
        try (Tensor s = Tensor.fromArray(scales, scales.length)) {
            scale = g.parameter("weight_scale", s);
        }
        String zeroPoint = g.byteParameter("weight_zero_point", TensorProto.INT8, channels, new byte[scales.length]);
        return g.node("DequantizeLinear", List.of(q, scale, zeroPoint), AttributeProto.ofInt("axis", axis));
    }

    private static byte[] bytes(float[] integers) {
        byte[] b = new byte[integers.length];
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) integers[i];
        }
        return b;
    }
}
