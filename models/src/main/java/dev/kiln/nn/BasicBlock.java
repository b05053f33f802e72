package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import dev.kiln.engine.UnaryOp;
import java.util.Map;

/**
 * The residual basic block of ResNet (He et al. 2015), as torchvision's {@code BasicBlock}: input
 * [batch, in, height, width], output [batch, out, height / stride, width / stride];
 * <pre>
 * out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
 * </pre>
 * with 3x3 convolutions (padding 1, no bias; conv1 carries the stride) and a shortcut that is the identity
 * when the shape is kept, else a 1x1 convolution with the stride followed by batch norm
 * ({@code downsample.0}, {@code downsample.1}). Sub-modules are named as in torchvision so that state
 * dicts carry over. {@link Fusion#fuseConvBatchNorm(Module)} folds bn1 into conv1 and bn2 into conv2; the fused block
 * has no bn1 and bn2 and computes {@code relu(conv2(relu(conv1(x))) + shortcut(x))}.
 */
public class BasicBlock extends Module implements ConvBatchNormBlock {
    /** A block that keeps the shape: in = out channels, stride 1. */
    public BasicBlock(int channels) {
        this(channels, channels, 1);
    }

    public BasicBlock(int inChannels, int outChannels, int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("BasicBlock: stride must be at least 1, got " + stride);
        }
        registerModule("conv1", conv3x3(inChannels, outChannels, stride));
        registerModule("bn1", new BatchNorm2d(outChannels));
        registerModule("conv2", conv3x3(outChannels, outChannels, 1));
        registerModule("bn2", new BatchNorm2d(outChannels));
        if (stride != 1 || inChannels != outChannels) {
            registerModule("downsample", new Sequential(
                    Conv2d.builder(inChannels, outChannels, 1).stride(stride).bias(false).build(),
                    new BatchNorm2d(outChannels)));
        }
    }

    /**
     * The ReLUs after each normalisation, fused into it (the second after the shortcut is added), unless the
     * normalisation has forward hooks, which see its own output.
     */
    private static final FusableActivation RELU = new Activation(UnaryOp.RELU, 0);

    private record Activation(UnaryOp op, double param) implements FusableActivation {
    }

    private static Conv2d conv3x3(int in, int out, int stride) {
        return Conv2d.builder(in, out, 3).stride(stride).padding(1).bias(false).build();
    }

    @Override
    public Map<String, String> convBatchNormPairs() {
        return Map.of("conv1", "bn1", "conv2", "bn2");
    }

    @Override
    public Tensor forward(Tensor x) {
        BatchNorm bn1 = (BatchNorm) module("bn1");
        Tensor y;
        if (bn1 == null) {
            y = firstFolded(x);
        } else {
            Tensor convolved = module("conv1").call(x);
            y = bn1.hasHooks() ? consume(bn1.call(convolved), Tensor::relu)
                    : bn1.recordOutput(bn1.forward(convolved, RELU));
            releaseConsumed(convolved, y);
        }
        Tensor secondConvolved = module("conv2").call(y);
        releaseConsumed(y, secondConvolved);
        Module downsample = module("downsample");
        Tensor shortcut = downsample == null ? x : downsample.call(x);
        Tensor out = secondNormalised(secondConvolved, shortcut);
        releaseConsumed(shortcut, out, x);
        return out;
    }

    /**
     * relu(conv1(x)) once bn1 is folded into conv1: one op with the ReLU fused into a plain convolution of one group
     * without hooks, as {@link Sequential} runs a Conv2d and its activation.
     */
    private Tensor firstFolded(Tensor x) {
        Module conv1 = module("conv1");
        if (conv1.getClass() == Conv2d.class && ((Conv2d) conv1).groups() == 1 && !conv1.hasHooks()) {
            return conv1.recordOutput(((Conv2d) conv1).forward(x, RELU));
        }
        return consume(conv1.call(x), Tensor::relu);
    }

    /** relu(bn2(convolved) + shortcut), or relu(convolved + shortcut) once bn2 is folded into conv2. */
    private Tensor secondNormalised(Tensor convolved, Tensor shortcut) {
        BatchNorm bn2 = (BatchNorm) module("bn2");
        if (bn2 == null) {
            return consume(consume(convolved, t -> t.add(shortcut)), Tensor::relu);
        }
        Tensor out = bn2.hasHooks() ? consume(consume(bn2.call(convolved), t -> t.add(shortcut)), Tensor::relu)
                : bn2.recordOutput(bn2.forward(convolved, shortcut, RELU));
        releaseConsumed(convolved, out);
        return out;
    }

    /** One line naming the block in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        Conv2d conv1 = (Conv2d) module("conv1");
        return "BasicBlock(" + conv1.inChannels() + " -> " + conv1.outChannels() + ", stride=" + conv1.stride()[0] + ")";
    }
}
