package dev.kiln.onnx;

import dev.kiln.nn.LazyConv2d;
import dev.kiln.nn.LazyLinear;

/**
 * LazyLinear and LazyConv2d as Linear and Conv2d: the exporter's trial forward pass has fixed their input sizes and
 * created their weights.
 */
final class LazyConverters {
    private LazyConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(LazyLinear.class, (m, x, g) -> DenseConverters.linear(m.weight(), m.bias(), x, g));
        c.put(LazyConv2d.class, (m, x, g) -> {
            int[] p = m.padding();
            int[] w = m.weight().shape().dims();
            return g.node("Conv", ConvolutionConverters.withBias(g, x, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", w[2], w[3]),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p[0], p[1], p[0], p[1]),
                    AttributeProto.ofInts("dilations", m.dilation()),
                    AttributeProto.ofInt("group", m.groups()));
        });
    }
}
