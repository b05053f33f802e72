package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * A {@link Conv2d} (groups 1, zero padding) and the {@link BatchNorm2d} after it in quantisation-aware training,
 * PyTorch's {@code nn.intrinsic.qat.ConvBn2d} (with ReLU fused {@code ConvBnReLU2d}) and its
 * {@code activation_post_process}. Each forward pass folds the batch norm into the weight by its running variance,
 * {@code w * gamma / sqrt(running_var + eps)} per output channel, fake-quantises that per channel, convolves without
 * bias, divides each channel back by {@code gamma / sqrt(running_var + eps)}, adds the convolution's bias and
 * normalises through the batch norm (child {@code bn}): with the batch's statistics, updating the running ones, in
 * training mode; with the running ones in evaluation mode or once its statistics are frozen
 * ({@link #freezeBatchNormStats}, PyTorch's {@code freeze_bn_stats}). Then the fused ReLU and the output fake
 * quantisation, as {@link QatLayer} says; the gradients reach the weight, bias, gamma and beta. Its parameters are the
 * trained layers' own tensors: {@code weight}, {@code bias} (where the convolution has one), {@code bn.weight},
 * {@code bn.bias} and buffers {@code bn.running_mean}, {@code bn.running_var}, {@code bn.num_batches_tracked}, as
 * PyTorch names them. Input [batch, in, height, width] to [batch, out, outH, outW]. Made by
 * {@link QuantizationAwareTraining#prepareQat}; {@link QuantizationAwareTraining#convert} folds the batch norm by its
 * running statistics, as PyTorch's {@code fuse_conv_bn_weights}, into a {@link QuantizedConv2d}.
 */
public final class QatConvBn2d extends Conv2d implements QatLayer {
    static final String NORM = "bn";

    private final boolean relu;
    private final String inputSource;
    private boolean statsFrozen;

    private QatConvBn2d(Conv2d conv, BatchNorm2d norm, boolean relu, String inputSource) {
        super(conv.inChannels(), conv.outChannels(), conv.kernelSize(), conv.stride(), conv.padding(), conv.dilation(),
                1, conv.bias() != null);
        this.relu = relu;
        this.inputSource = inputSource;
        QatLayer.takeParameters(this, conv);
        registerModule(NORM, norm);
        QatLayer.registerFakeQuantizations(this, inputSource);
    }

    /**
     * {@code conv}'s and {@code norm}'s tensors (norm itself becomes child {@code bn}) with fake quantisations; its
     * input on {@code inputSource}'s grid (null: its own).
     */
    static QatConvBn2d of(Conv2d conv, BatchNorm2d norm, boolean relu, String inputSource) {
        return QatLayer.withoutRandomDraws(() -> new QatConvBn2d(conv, norm, relu, inputSource));
    }

    /** The batch norm, child {@code bn}. */
    public BatchNorm2d norm() {
        return (BatchNorm2d) module(NORM);
    }

    /**
     * Normalises with the running statistics from now on, in training mode too, and leaves them alone, as PyTorch's
     * {@code freeze_bn_stats}; returns this.
     */
    public QatConvBn2d freezeBatchNormStats() {
        statsFrozen = true;
        return this;
    }

    /** Undoes {@link #freezeBatchNormStats}, as PyTorch's {@code update_bn_stats}; returns this. */
    public QatConvBn2d updateBatchNormStats() {
        statsFrozen = false;
        return this;
    }

    /** Whether {@link #freezeBatchNormStats} holds. */
    public boolean batchNormStatsFrozen() {
        return statsFrozen;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() != 4 || x.dim(1) != inChannels()) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + inChannels()
                    + ", height, width]");
        }
        BatchNorm2d norm = norm();
        int channels = outChannels();
        Tensor in = inputSource == null ? inputFakeQuant().forward(x) : x;
        Tensor runningStd = norm.runningVar().add(norm.eps()).sqrt();
        Tensor scaleFactor = norm.weight().div(runningStd);
        Tensor weight = weightFakeQuant().forward(weight().mul(scaleFactor.reshape(channels, 1, 1, 1)));
        Tensor conv = F.conv2d(in, weight, null, stride(), padding(), dilation(), 1)
                .div(scaleFactor.reshape(1, channels, 1, 1));
        if (bias() != null) {
            conv = conv.add(bias().reshape(1, channels, 1, 1));
        }
        return QatLayer.activated(this, normalised(norm, conv));
    }

    /** The batch norm of y: norm's own forward pass unless its statistics are frozen, then its evaluation mode's. */
    private Tensor normalised(BatchNorm2d norm, Tensor y) {
        if (!statsFrozen || !norm.isTraining()) {
            return norm.forward(y);
        }
        return F.batchNorm(y, norm.runningMean(), norm.runningVar(), norm.weight(), norm.bias(), false, 0,
                norm.eps());
    }

    /**
     * A plain convolution computing this layer's convolution and batch norm in evaluation mode, in F32 as PyTorch's
     * {@code fuse_conv_bn_weights}: what {@link QuantizationAwareTraining#convert} quantises.
     */
    Conv2d folded() {
        return QatLayer.withoutRandomDraws(() -> ConvBatchNormFolding.folded(this, norm()));
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

    /** PyTorch's names of its QAT layers: {@code ConvBn2d}, or {@code ConvBnReLU2d} with the ReLU fused. */
    @Override
    protected String typeName() {
        return relu ? "ConvBnReLU2d" : "ConvBn2d";
    }
}
