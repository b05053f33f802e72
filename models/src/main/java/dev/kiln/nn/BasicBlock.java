package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * The residual basic block of ResNet (He et al. 2015), as torchvision's {@code BasicBlock}: input
 * [batch, in, height, width], output [batch, out, height / stride, width / stride];
 * <pre>
 * out = relu(bn2(conv2(relu(bn1(conv1(x))))) + shortcut(x))
 * </pre>
 * with 3x3 convolutions (padding 1, no bias; conv1 carries the stride) and a shortcut that is the identity
 * when the shape is kept, else a 1x1 convolution with the stride followed by batch norm
 * ({@code downsample.0}, {@code downsample.1}). Sub-modules are named as in torchvision so that state
 * dicts carry over.
 */
public class BasicBlock extends Module {
    private final Conv2d conv1;
    private final BatchNorm2d bn1;
    private final Conv2d conv2;
    private final BatchNorm2d bn2;
    private final Sequential downsample;

    /** A block that keeps the shape: in = out channels, stride 1. */
    public BasicBlock(int channels) {
        this(channels, channels, 1);
    }

    public BasicBlock(int inChannels, int outChannels, int stride) {
        if (stride < 1) {
            throw new IllegalArgumentException("BasicBlock: stride must be at least 1, got " + stride);
        }
        conv1 = registerModule("conv1", conv3x3(inChannels, outChannels, stride));
        bn1 = registerModule("bn1", new BatchNorm2d(outChannels));
        conv2 = registerModule("conv2", conv3x3(outChannels, outChannels, 1));
        bn2 = registerModule("bn2", new BatchNorm2d(outChannels));
        boolean reshapes = stride != 1 || inChannels != outChannels;
        downsample = reshapes
                ? registerModule("downsample", new Sequential(
                        Conv2d.builder(inChannels, outChannels, 1).stride(stride).bias(false).build(),
                        new BatchNorm2d(outChannels)))
                : null;
    }

    private static Conv2d conv3x3(int in, int out, int stride) {
        return Conv2d.builder(in, out, 3).stride(stride).padding(1).bias(false).build();
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = bn1.call(conv1.call(x)).relu();
        y = bn2.call(conv2.call(y));
        Tensor shortcut = downsample == null ? x : downsample.call(x);
        return y.add(shortcut).relu();
    }

    @Override
    public String toString() {
        return "BasicBlock(" + conv1.inChannels() + " -> " + conv1.outChannels() + ", stride=" + conv1.stride()[0] + ")";
    }
}
