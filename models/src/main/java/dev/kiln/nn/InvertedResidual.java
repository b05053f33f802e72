package dev.kiln.nn;

import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.List;

/**
 * MobileNetV2's inverted residual block (Sandler et al. 2018), as torchvision's {@code InvertedResidual}: a 1x1
 * expansion to {@code in * expandRatio} channels (left out at ratio 1), a 3x3 depthwise convolution carrying the
 * stride, each a {@link Conv2dNormActivation} with ReLU6, then a linear 1x1 projection to {@code out} channels
 * without bias and its batch norm, all in the {@link Sequential} {@code conv} (so {@code conv.0.0.weight} is the
 * expansion's, or the depthwise one's at ratio 1, and the last two are {@code conv.N} and {@code conv.N+1}); the input
 * is added to the output where the block keeps the shape (stride 1 and in = out). Input [batch, in, height, width],
 * output [batch, out, ceil(height / stride), ceil(width / stride)].
 */
public class InvertedResidual extends Module {
    private final boolean residual;

    /**
     * @param stride 1 or 2
     * @param expandRatio at least 1: the hidden width is {@code in * expandRatio}
     * @throws IllegalArgumentException naming the stride or ratio when out of range
     */
    public InvertedResidual(int in, int out, int stride, int expandRatio) {
        if (stride != 1 && stride != 2) {
            throw new IllegalArgumentException("InvertedResidual: stride must be 1 or 2, got " + stride);
        }
        if (expandRatio < 1) {
            throw new IllegalArgumentException("InvertedResidual: expandRatio must be at least 1, got " + expandRatio);
        }
        int hidden = in * expandRatio;
        Sequential conv = new Sequential();
        if (expandRatio != 1) {
            conv.add(new Conv2dNormActivation(in, hidden, 1, 1, 1, new ReLU6()));
        }
        conv.add(new Conv2dNormActivation(hidden, hidden, 3, stride, hidden, new ReLU6()));
        conv.add(Conv2d.builder(hidden, out, 1).bias(false).build());
        conv.add(new BatchNorm2d(out));
        registerModule("conv", conv);
        this.residual = stride == 1 && in == out;
    }

    /** Whether the input is added to the output: stride 1 and as many channels out as in. */
    public boolean hasResidual() {
        return residual;
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor y = module("conv").call(x);
        return residual ? consume(y, t -> t.add(x)) : y;
    }

    /** One line naming the block in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        List<Conv2d> convs = new ArrayList<>();
        for (Module m : module("conv").modules()) {
            if (m instanceof Conv2d c) {
                convs.add(c);
            }
        }
        Conv2d projection = convs.get(convs.size() - 1);
        Conv2d depthwise = convs.get(convs.size() - 2);
        return "InvertedResidual(" + convs.get(0).inChannels() + " -> " + projection.outChannels() + ", stride="
                + depthwise.stride()[0] + ", hidden=" + projection.inChannels() + ")";
    }
}
