package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * A {@link BasicBlock} in quantisation-aware training, as torchvision's {@code QuantizableBasicBlock} after
 * {@code fuse_modules_qat} of [conv1, bn1, relu], [conv2, bn2], [downsample.0, downsample.1] and {@code prepare_qat}:
 * {@code conv1} a {@link QatConvBn2d} with the ReLU fused ({@code ConvBnReLU2d}), {@code conv2} one without
 * ({@code ConvBn2d}), {@code downsample.0} (when the block has a shortcut convolution) one holding
 * {@code downsample.1}'s norm (that slot an {@link Identity}), and {@code add_relu} ({@link QatAddReLU}) fake-quantising
 * {@code relu(conv2 + shortcut)}, whose grid the next layers read. Where nothing fake-quantised its input (the model's
 * first module, as PyTorch's {@code QuantStub}), it holds {@code input_fake_quant} and passes the fake-quantised input
 * to conv1 and the shortcut. State-dict names are those of PyTorch's prepared block ({@code conv1.bn.running_mean},
 * {@code add_relu.activation_post_process.scale}, ...). Input [batch, in, height, width], output
 * [batch, out, height / stride, width / stride]. Made by {@link QuantizationAwareTraining#prepareQat};
 * {@link QuantizationAwareTraining#convert} turns it into a {@link QuantizedBasicBlock}.
 */
public final class QatBasicBlock extends Module {
    static final String ADD_RELU = "add_relu";

    private final boolean roundsInput;

    private QatBasicBlock(Module conv1, Module conv2, Module downsample, boolean ownInput, boolean roundsInput) {
        this.roundsInput = roundsInput;
        if (ownInput) {
            registerModule(QatLayer.INPUT_FAKE_QUANT, FakeQuantize.perTensorActivation());
        }
        registerModule("conv1", conv1);
        registerModule("conv2", conv2);
        if (downsample != null) {
            registerModule("downsample", downsample);
        }
        registerModule(ADD_RELU, new QatAddReLU());
    }

    /**
     * {@code block}'s convolutions and norms (which it takes over) as QAT layers, the block at {@code path} in its
     * model: conv1 and the shortcut convolution read the grid of the module at {@code inputSource}, or of the block's
     * own {@code input_fake_quant} where that is null; {@code shortcutNorm} is the norm taken out of
     * {@code downsample.1} (null without a shortcut convolution, or where its slot held an Identity: a shortcut
     * convolution without a norm becomes a plain {@link QatConv2d}). Its {@link QuantizedBasicBlock} rounds an
     * identity shortcut's input onto the input grid where {@code roundsInput}.
     */
    static QatBasicBlock of(String path, BasicBlock block, BatchNorm2d shortcutNorm, String inputSource,
                            boolean roundsInput) {
        String in = inputSource != null ? inputSource : join(path, QatLayer.INPUT_FAKE_QUANT);
        Module conv1 = QatConvBn2d.of((Conv2d) block.module("conv1"), (BatchNorm2d) block.module("bn1"), true, in);
        Module conv2 = QatConvBn2d.of((Conv2d) block.module("conv2"), (BatchNorm2d) block.module("bn2"), false,
                join(path, "conv1"));
        Sequential downsample = (Sequential) block.module("downsample");
        Module shortcut = downsample == null ? null : new Sequential(shortcutNorm == null
                ? QatConv2d.of((Conv2d) downsample.get(0), false, in)
                : QatConvBn2d.of((Conv2d) downsample.get(0), shortcutNorm, false, in), new Identity());
        QatBasicBlock qat = new QatBasicBlock(conv1, conv2, shortcut, inputSource == null, roundsInput);
        qat.train(block.isTraining());
        return qat;
    }

    private static String join(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** The fake quantisation of its output, {@code add_relu.activation_post_process}. */
    public FakeQuantize outputFakeQuant() {
        return ((QatAddReLU) module(ADD_RELU)).fakeQuant();
    }

    /** Its own input fake quantisation, or null where its input lies on the grid of the module before it. */
    public FakeQuantize inputFakeQuant() {
        return (FakeQuantize) module(QatLayer.INPUT_FAKE_QUANT);
    }

    /** Whether its {@link QuantizedBasicBlock} rounds an identity shortcut's input onto the input grid. */
    boolean roundsInput() {
        return roundsInput;
    }

    @Override
    public Tensor forward(Tensor x) {
        FakeQuantize own = inputFakeQuant();
        Tensor in = own == null ? x : own.call(x);
        Tensor residual = module("conv2").call(module("conv1").call(in));
        Module downsample = module("downsample");
        Tensor shortcut = downsample == null ? in : downsample.call(in);
        return module(ADD_RELU).call(residual, shortcut);
    }

    /** One line naming the block in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        Conv2d conv1 = (Conv2d) module("conv1");
        return "QatBasicBlock(" + conv1.inChannels() + " -> " + conv1.outChannels() + ", stride="
                + conv1.stride()[0] + ")";
    }
}
