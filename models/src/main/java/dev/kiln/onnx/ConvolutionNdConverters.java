package dev.kiln.onnx;

import dev.kiln.engine.PaddingMode;
import dev.kiln.nn.Conv3d;
import dev.kiln.nn.ConvTranspose1d;
import dev.kiln.nn.ConvTranspose3d;

/** Conv3d (Conv, a Pad first for reflect and replicate padding), ConvTranspose1d and ConvTranspose3d (ConvTranspose). */
final class ConvolutionNdConverters {
    private ConvolutionNdConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Conv3d.class, (m, x, g) -> {
            int[] p = m.paddingMode() == PaddingMode.ZEROS ? m.padding() : new int[3];
            String input = ConvolutionConverters.padded(m, m.paddingMode(), m.padding(), x, g);
            return g.node("Conv", ConvolutionConverters.withBias(g, input, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p[0], p[1], p[2], p[0], p[1], p[2]),
                    AttributeProto.ofInts("dilations", m.dilation()),
                    AttributeProto.ofInt("group", m.groups()));
        });
        c.put(ConvTranspose1d.class, (m, x, g) -> g.node("ConvTranspose",
                ConvolutionConverters.withBias(g, x, m.weight(), m.bias()),
                AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                AttributeProto.ofInts("strides", m.stride()),
                AttributeProto.ofInts("pads", m.padding(), m.padding()),
                AttributeProto.ofInts("output_padding", m.outputPadding()),
                AttributeProto.ofInts("dilations", m.dilation())));
        c.put(ConvTranspose3d.class, (m, x, g) -> {
            int[] p = m.padding();
            return g.node("ConvTranspose", ConvolutionConverters.withBias(g, x, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p[0], p[1], p[2], p[0], p[1], p[2]),
                    AttributeProto.ofInts("output_padding", m.outputPadding()),
                    AttributeProto.ofInts("dilations", m.dilation()));
        });
    }
}
