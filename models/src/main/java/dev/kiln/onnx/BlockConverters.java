package dev.kiln.onnx;

import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.Conv2dNormActivation;
import dev.kiln.nn.Fire;
import dev.kiln.nn.InvertedResidual;
import dev.kiln.nn.Module;
import dev.kiln.nn.Residual;
import dev.kiln.nn.Sequential;
import dev.kiln.zoo.AlexNet;
import dev.kiln.zoo.MobileNetV2;
import dev.kiln.zoo.ResNet;
import dev.kiln.zoo.SqueezeNet;
import dev.kiln.zoo.VGG;
import java.util.List;
import java.util.Map;

/**
 * Modules made of modules: the chains (Sequential and the zoo's image classifiers, whose forward applies their
 * children in order) and the blocks with forward code of their own (BasicBlock, Residual, Fire, InvertedResidual),
 * each as the sub-graph of its children joined by Add or Concat.
 */
final class BlockConverters {
    private BlockConverters() {
    }

    static void register(OnnxConverters c) {
        c.put(Sequential.class, BlockConverters::chain);
        c.put(Conv2dNormActivation.class, BlockConverters::chain);
        c.put(ResNet.class, BlockConverters::chain);
        c.put(VGG.class, BlockConverters::chain);
        c.put(AlexNet.class, BlockConverters::chain);
        c.put(MobileNetV2.class, BlockConverters::chain);
        c.put(SqueezeNet.class, BlockConverters::chain);
        c.put(BasicBlock.class, BlockConverters::basicBlock);
        c.put(Residual.class, (m, x, g) -> g.node("Add", List.of(x, g.convert(m.inner(), "inner", x))));
        c.put(Fire.class, BlockConverters::fire);
        c.put(InvertedResidual.class, (m, x, g) -> {
            String y = g.convert(child(m, "conv"), "conv", x);
            return m.hasResidual() ? g.node("Add", List.of(y, x)) : y;
        });
    }

    /** The children applied one after another, in the order they were registered. */
    private static String chain(Module m, String x, OnnxGraph g) {
        String y = x;
        for (Map.Entry<String, Module> child : m.namedChildren().entrySet()) {
            y = g.convert(child.getValue(), child.getKey(), y);
        }
        return y;
    }

    /** relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x)), the shortcut the downsample branch or x itself. */
    private static String basicBlock(BasicBlock m, String x, OnnxGraph g) {
        String y = g.convert(child(m, "bn1"), "bn1", g.convert(child(m, "conv1"), "conv1", x));
        y = g.node("Relu", y);
        y = g.convert(child(m, "bn2"), "bn2", g.convert(child(m, "conv2"), "conv2", y));
        Module downsample = m.namedChildren().get("downsample");
        String shortcut = downsample == null ? x : g.convert(downsample, "downsample", x);
        return g.node("Relu", g.node("Add", List.of(y, shortcut)));
    }

    /** relu(squeeze(x)), then relu(expand1x1(.)) and relu(expand3x3(.)) concatenated along the channels. */
    private static String fire(Fire m, String x, OnnxGraph g) {
        String squeezed = activated(m, "squeeze", x, g);
        String narrow = activated(m, "expand1x1", squeezed, g);
        String wide = activated(m, "expand3x3", squeezed, g);
        return g.node("Concat", List.of(narrow, wide), AttributeProto.ofInt("axis", 1));
    }

    private static String activated(Module m, String name, String x, OnnxGraph g) {
        String y = g.convert(child(m, name), name, x);
        return g.convert(child(m, name + "_activation"), name + "_activation", y);
    }

    private static Module child(Module m, String name) {
        return m.namedChildren().get(name);
    }
}
