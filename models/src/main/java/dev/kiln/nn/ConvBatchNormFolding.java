package dev.kiln.nn;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.Tensor;

/**
 * PyTorch's {@code fuse_modules} of a {@link Conv2d} and the {@link BatchNorm2d} right after it in a
 * {@link Sequential}, in eval mode ({@code fuse_conv_bn_eval}): the norm's running statistics and affine folded into
 * a new convolution, {@code w' = w * (gamma * rsqrt(var + eps))} per output channel and
 * {@code b' = (b - mean) * rsqrt(var + eps) * gamma + beta}, in F32, and the norm's slot an {@link Identity}. The
 * folded convolution computes what the pair computes in eval mode, so {@link StaticQuantization} quantises it as one
 * layer (with a ReLU after the Identity fused too, as PyTorch's {@code ConvReLU2d}).
 */
final class ConvBatchNormFolding {
    private ConvBatchNormFolding() {
    }

    /** Folds every such pair in every Sequential inside {@code m} (m included), in place. */
    static void foldInside(Module m) {
        if (m.getClass() == Sequential.class) {
            Sequential seq = (Sequential) m;
            for (int i = 0; i + 1 < seq.size(); i++) {
                if (seq.get(i).getClass() == Conv2d.class && seq.get(i + 1).getClass() == BatchNorm2d.class) {
                    Conv2d conv = (Conv2d) seq.get(i);
                    BatchNorm2d norm = (BatchNorm2d) seq.get(i + 1);
                    if (conv.outChannels() == norm.channels()) {
                        seq.replaceModule(Integer.toString(i), folded(conv, norm));
                        seq.replaceModule(Integer.toString(i + 1), new Identity());
                        conv.close();
                        norm.close();
                    }
                }
            }
        }
        for (Module child : m.namedChildren().values()) {
            foldInside(child);
        }
    }

    /** A convolution with conv's settings and bias, computing conv then norm (eval mode); conv is left as it is. */
    static Conv2d folded(Conv2d conv, BatchNorm2d norm) {
        Conv2d out = new Conv2d(conv.inChannels(), conv.outChannels(), conv.kernelSize(), conv.stride(),
                conv.padding(), conv.dilation(), conv.groups(), true, conv.paddingMode());
        out.train(conv.isTraining());
        int channels = conv.outChannels();
        try (var g = Autograd.noGrad()) {
            Tensor rsqrt = norm.runningVar().add(norm.eps()).rsqrt();
            Tensor factor = norm.weight().mul(rsqrt);
            out.weight().assign(conv.weight().mul(factor.reshape(channels, 1, 1, 1)));
            Tensor shifted = conv.bias() == null ? norm.runningMean().neg() : conv.bias().sub(norm.runningMean());
            out.bias().assign(shifted.mul(rsqrt).mul(norm.weight()).add(norm.bias()));
        }
        return out;
    }
}
