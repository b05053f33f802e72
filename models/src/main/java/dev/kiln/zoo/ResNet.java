package dev.kiln.zoo;

import dev.kiln.nn.BasicBlock;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvBatchNormBlock;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.util.Arrays;
import java.util.Map;

/**
 * torchvision's ImageNet ResNet ({@code torchvision.models.resnet18}, {@code resnet34}), layer for layer and name
 * for name, so that its state dict carries over both ways: a 7x7 stride-2 stem convolution ({@code conv1}, no bias),
 * {@code bn1}, ReLU, a 3x3 stride-2 max pooling (padding 1), four stages {@code layer1} to {@code layer4} of
 * {@link BasicBlock}s at 64, 128, 256 and 512 channels (each later stage starting with a stride-2 block), global
 * average pooling and the classifier {@code fc} 512 -> classes. Input [batch, inChannels, height, width] of any
 * size (the stem and each later stage halve it, rounding up, down to 1x1 at 32x32 and below; torchvision's
 * pretrained weights expect 3 channels at 224x224); output [batch, classes].
 *
 * <p>To start from torchvision's weights, save them from PyTorch as safetensors
 * ({@code safetensors.torch.save_file(torchvision.models.resnet18(weights="IMAGENET1K_V1").state_dict(), "r18.safetensors")}),
 * load them into {@code ResNet.resnet18(3, 1000)} with {@code SafeTensors.read} and {@link Module#loadStateDict},
 * then give it a head for your classes with {@link #replaceClassifier} (PyTorch's {@code model.fc = nn.Linear(512, n)}).
 */
public final class ResNet extends ImageClassifier implements ConvBatchNormBlock {
    private static final String[] STAGES = {"layer1", "layer2", "layer3", "layer4"};
    private static final int[] RESNET18 = {2, 2, 2, 2};
    private static final int[] RESNET34 = {3, 4, 6, 3};

    private final int[] blocksPerStage;

    private ResNet(int[] blocksPerStage, int inChannels, int classes) {
        super("ResNet", inChannels, classes);
        this.blocksPerStage = blocksPerStage.clone();
        registerModule("conv1", Conv2d.builder(inChannels, 64, 7).stride(2).padding(3).bias(false).build());
        registerModule("bn1", new BatchNorm2d(64));
        registerModule("relu", new ReLU());
        registerModule("maxpool", new MaxPool2d(3, 2, 1));
        int channels = 64;
        for (int stage = 0; stage < STAGES.length; stage++) {
            int width = 64 << stage;
            Sequential blocks = new Sequential();
            for (int b = 0; b < blocksPerStage[stage]; b++) {
                blocks.add(new BasicBlock(channels, width, stage > 0 && b == 0 ? 2 : 1));
                channels = width;
            }
            registerModule(STAGES[stage], blocks);
        }
        registerModule("avgpool", new GlobalAvgPool2d());
        registerModule("flatten", new Flatten());
        registerModule("fc", new Linear(channels, classes));
    }

    /** The stem's conv1 and bn1, which {@link dev.kiln.nn.Fusion} folds into one convolution. */
    @Override
    public Map<String, String> convBatchNormPairs() {
        return Map.of("conv1", "bn1");
    }

    /** torchvision's {@code resnet18(num_classes=classes)} for images of {@code inChannels} channels: 11.7 M parameters at 3 and 1000. */
    public static ResNet resnet18(int inChannels, int classes) {
        return new ResNet(RESNET18, inChannels, classes);
    }

    /** torchvision's {@code resnet34(num_classes=classes)} for images of {@code inChannels} channels. */
    public static ResNet resnet34(int inChannels, int classes) {
        return new ResNet(RESNET34, inChannels, classes);
    }

    /** The classifier, {@code fc}: 512 -> classes. */
    public Linear classifier() {
        return (Linear) module("fc");
    }

    /**
     * Puts a new classifier of {@code classes} outputs (PyTorch's default initialisation) in place of {@code fc},
     * as {@code model.fc = nn.Linear(512, classes)} does in PyTorch, and closes the old one.
     */
    public ResNet replaceClassifier(int classes) {
        Linear old = classifier();
        replaceModule("fc", new Linear(old.inFeatures(), classes));
        old.close();
        return this;
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        String depth = Arrays.equals(blocksPerStage, RESNET18) ? "18" : Arrays.equals(blocksPerStage, RESNET34) ? "34" : "";
        return "ResNet" + depth + "(" + inChannels() + " channels -> " + classes(module("fc")) + " classes)";
    }
}
