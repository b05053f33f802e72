package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * A {@link Conv2d} (groups 1, zero padding) in quantisation-aware training, PyTorch's {@code nn.qat.Conv2d} (with ReLU
 * fused {@code nn.intrinsic.qat.ConvReLU2d}) and its {@code activation_post_process}: the convolution computes with
 * the fake-quantised weight and the output is fake-quantised, as {@link QatLayer} says; the gradients reach the weight
 * and bias through the straight-through estimator. Its parameters are the trained layer's own tensors under the same
 * names. Input [batch, in, height, width] to [batch, out, outH, outW]. Made by
 * {@link QuantizationAwareTraining#prepareQat}.
 */
public final class QatConv2d extends Conv2d implements QatLayer {
    private final boolean relu;
    private final String inputSource;

    private QatConv2d(Conv2d conv, boolean relu, String inputSource) {
        super(conv.inChannels(), conv.outChannels(), conv.kernelSize(), conv.stride(), conv.padding(), conv.dilation(),
                1, conv.bias() != null);
        this.relu = relu;
        this.inputSource = inputSource;
        QatLayer.takeParameters(this, conv);
        QatLayer.registerFakeQuantizations(this, inputSource);
    }

    /** {@code conv}'s tensors with fake quantisations; its input on {@code inputSource}'s grid (null: its own). */
    static QatConv2d of(Conv2d conv, boolean relu, String inputSource) {
        return QatLayer.withoutRandomDraws(() -> new QatConv2d(conv, relu, inputSource));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", height, width]");
        }
        Tensor in = inputSource == null ? inputFakeQuant().forward(x) : x;
        Tensor weight = weightFakeQuant().forward(weight());
        return QatLayer.activated(this, F.conv2d(in, weight, bias(), stride(), padding(), dilation(), 1));
    }

    @Override
    Tensor forward(Tensor x, FusableActivation activation) {
        throw new IllegalStateException(describe() + " fuses its own ReLU; nothing fuses into it");
    }

    @Override
    public String inputSource() {
        return inputSource;
    }

    @Override
    public boolean fusedRelu() {
        return relu;
    }

    /** PyTorch's names of its QAT layers: {@code Conv2d}, or {@code ConvReLU2d} with the ReLU fused. */
    @Override
    protected String typeName() {
        return relu ? "ConvReLU2d" : "Conv2d";
    }
}
