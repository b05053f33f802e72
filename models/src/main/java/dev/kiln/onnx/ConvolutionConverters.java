package dev.kiln.onnx;

import dev.kiln.engine.PaddingMode;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Conv1d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Module;
import java.util.ArrayList;
import java.util.List;

/** Conv1d, Conv2d (Conv with pads, strides, dilations and groups) and ConvTranspose2d (ConvTranspose). */
final class ConvolutionConverters {
    private ConvolutionConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Conv2d.class, (m, x, g) -> {
            zeroPadding(m, m.paddingMode(), g);
            int[] p = m.padding();
            return g.node("Conv", withBias(g, x, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p[0], p[1], p[0], p[1]),
                    AttributeProto.ofInts("dilations", m.dilation()),
                    AttributeProto.ofInt("group", m.groups()));
        });
        c.put(Conv1d.class, (m, x, g) -> {
            zeroPadding(m, m.paddingMode(), g);
            return g.node("Conv", withBias(g, x, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", m.padding(), m.padding()),
                    AttributeProto.ofInts("dilations", m.dilation()),
                    AttributeProto.ofInt("group", m.groups()));
        });
        c.put(ConvTranspose2d.class, (m, x, g) -> {
            int[] p = m.padding();
            return g.node("ConvTranspose", withBias(g, x, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p[0], p[1], p[0], p[1]),
                    AttributeProto.ofInts("output_padding", m.outputPadding()),
                    AttributeProto.ofInts("dilations", m.dilation()));
        });
    }

    /** The input, the weight and, when the layer has one, the bias, as Conv and ConvTranspose take them. */
    private static List<String> withBias(OnnxGraph g, String x, Tensor weight, Tensor bias) {
        List<String> inputs = new ArrayList<>(List.of(x, g.parameter("weight", weight)));
        if (bias != null) {
            inputs.add(g.parameter("bias", bias));
        }
        return inputs;
    }

    /** ONNX's Conv pads with zeros only; the reflect, replicate and circular modes are refused by name. */
    private static void zeroPadding(Module m, PaddingMode mode, OnnxGraph g) {
        if (mode != PaddingMode.ZEROS) {
            throw new IllegalArgumentException("ONNX export: " + m + " at '" + g.path() + "' pads in mode " + mode
                    + "; only ZEROS is supported");
        }
    }
}
