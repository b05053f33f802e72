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
            int[] p = m.padding();
            String input = padded(m, m.paddingMode(), p, x, g);
            int[] pads = m.paddingMode() == PaddingMode.ZEROS ? new int[] {p[0], p[1], p[0], p[1]} : new int[4];
            return g.node("Conv", withBias(g, input, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", pads),
                    AttributeProto.ofInts("dilations", m.dilation()),
                    AttributeProto.ofInt("group", m.groups()));
        });
        c.put(Conv1d.class, (m, x, g) -> {
            String input = padded(m, m.paddingMode(), new int[] {m.padding()}, x, g);
            int p = m.paddingMode() == PaddingMode.ZEROS ? m.padding() : 0;
            return g.node("Conv", withBias(g, input, m.weight(), m.bias()),
                    AttributeProto.ofInts("kernel_shape", m.kernelSize()),
                    AttributeProto.ofInts("strides", m.stride()),
                    AttributeProto.ofInts("pads", p, p),
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
    static List<String> withBias(OnnxGraph g, String x, Tensor weight, Tensor bias) {
        List<String> inputs = new ArrayList<>(List.of(x, g.parameter("weight", weight)));
        if (bias != null) {
            inputs.add(g.parameter("bias", bias));
        }
        return inputs;
    }

    /**
     * The input as the convolution reads it: itself for zero padding (Conv's own pads), else padded first by a Pad in
     * reflect or edge mode, as PyTorch pads before a convolution of {@code padding_mode} reflect or replicate.
     * {@code padding} holds the amount of each spatial axis. Circular padding (Pad's wrap mode, opset 19) is refused.
     */
    static String padded(Module m, PaddingMode mode, int[] padding, String x, OnnxGraph g) {
        String onnxMode = switch (mode) {
            case ZEROS -> null;
            case REFLECT -> "reflect";
            case REPLICATE -> "edge";
            default -> throw new IllegalArgumentException("ONNX export: " + m.describe() + " at '" + g.path()
                    + "' pads in mode " + mode + "; only ZEROS, REFLECT and REPLICATE are supported");
        };
        if (onnxMode == null) {
            return x;
        }
        int rank = padding.length + 2;
        long[] pads = new long[2 * rank];
        for (int i = 0; i < padding.length; i++) {
            pads[2 + i] = padding[i];
            pads[rank + 2 + i] = padding[i];
        }
        return g.node("Pad", List.of(x, g.int64s(pads)), AttributeProto.ofString("mode", onnxMode));
    }
}
