package dev.kiln.zoo;

import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;

/**
 * torchvision's VGG ({@code torchvision.models.vgg11} to {@code vgg19_bn}), layer for layer and name for name, so
 * that its state dict carries over both ways: {@code features}, a {@link Sequential} of 3x3 convolutions (padding 1,
 * with bias), each followed by batch norm in the {@code _bn} variants and by ReLU, with a 2x2 stride-2 max pooling
 * after each of the five stages of 64, 128, 256, 512 and 512 channels (torchvision's configurations A, B, D and E: 8,
 * 10, 13 or 16 convolutions, indexed {@code features.N} as torchvision counts them); {@code avgpool}, adaptive
 * average pooling to 7x7; and {@code classifier}: Linear 512 * 7 * 7 -> 4096, ReLU, dropout 0.5, Linear 4096 -> 4096,
 * ReLU, dropout 0.5, Linear 4096 -> classes ({@code classifier.0}, {@code .3}, {@code .6}). Input
 * [batch, inChannels, height, width] with height and width at least 32 (the five poolings halve them, rounding
 * down; the adaptive pooling then makes any remaining size 7x7; torchvision's pretrained weights expect 3 channels
 * at 224x224); output [batch, classes].
 *
 * <p>To start from torchvision's weights, save them from PyTorch as safetensors
 * ({@code safetensors.torch.save_file(torchvision.models.vgg16(weights="IMAGENET1K_V1").state_dict(), "vgg16.safetensors")})
 * and load them into {@code VGG.vgg16(3, 1000)} with {@code SafeTensors.read} and {@link Module#loadStateDict},
 * then give it a head for your classes with {@link #replaceClassifier}.
 */
public final class VGG extends ImageClassifier {
    /** A max pooling in a configuration; every other entry is a convolution's output channels. */
    private static final int M = 0;
    private static final int[] VGG11 = {64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] VGG13 = {64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M};
    private static final int[] VGG16 = {64, 64, M, 128, 128, M, 256, 256, 256, M, 512, 512, 512, M, 512, 512, 512, M};
    private static final int[] VGG19 = {64, 64, M, 128, 128, M, 256, 256, 256, 256, M, 512, 512, 512, 512, M, 512, 512,
            512, 512, M};
    /** The width of torchvision's two hidden classifier layers. */
    private static final int HIDDEN = 4096;

    private final String name;

    /** hidden: the width of the classifier's two hidden layers, torchvision's 4096 except in tests. */
    private VGG(int depth, boolean batchNorm, int inChannels, int classes, int hidden) {
        super("VGG", inChannels, classes);
        this.name = "VGG" + depth + (batchNorm ? "-BN" : "");
        registerModule("features", features(config(depth), batchNorm, inChannels));
        registerModule("avgpool", new AdaptiveAvgPool2d(7, 7));
        registerModule("flatten", new Flatten());
        registerModule("classifier", new Sequential(new Linear(512 * 7 * 7, hidden), new ReLU(), new Dropout(0.5),
                new Linear(hidden, hidden), new ReLU(), new Dropout(0.5), new Linear(hidden, classes)));
    }

    /**
     * {@code vgg<depth>} or, with batch norm, {@code vgg<depth>_bn} with {@code hidden} in place of the classifier's
     * 4096: a model small enough for fast parity tests.
     */
    static VGG withHidden(int depth, boolean batchNorm, int inChannels, int classes, int hidden) {
        return new VGG(depth, batchNorm, inChannels, classes, hidden);
    }

    private static int[] config(int depth) {
        return switch (depth) {
            case 11 -> VGG11;
            case 13 -> VGG13;
            case 16 -> VGG16;
            case 19 -> VGG19;
            default -> throw new IllegalArgumentException("VGG: depth must be 11, 13, 16 or 19, got " + depth);
        };
    }

    /** torchvision's {@code make_layers(cfg, batch_norm)} for images of {@code inChannels} channels. */
    private static Sequential features(int[] config, boolean batchNorm, int inChannels) {
        Sequential layers = new Sequential();
        int channels = inChannels;
        for (int width : config) {
            if (width == M) {
                layers.add(new MaxPool2d(2, 2));
                continue;
            }
            layers.add(Conv2d.builder(channels, width, 3).padding(1).build());
            if (batchNorm) {
                layers.add(new BatchNorm2d(width));
            }
            layers.add(new ReLU());
            channels = width;
        }
        return layers;
    }

    /** torchvision's {@code vgg11(num_classes=classes)} (configuration A) for images of {@code inChannels} channels. */
    public static VGG vgg11(int inChannels, int classes) {
        return new VGG(11, false, inChannels, classes, HIDDEN);
    }

    /** torchvision's {@code vgg11_bn(num_classes=classes)}: {@link #vgg11} with batch norm after each convolution. */
    public static VGG vgg11Bn(int inChannels, int classes) {
        return new VGG(11, true, inChannels, classes, HIDDEN);
    }

    /** torchvision's {@code vgg13(num_classes=classes)} (configuration B) for images of {@code inChannels} channels. */
    public static VGG vgg13(int inChannels, int classes) {
        return new VGG(13, false, inChannels, classes, HIDDEN);
    }

    /** torchvision's {@code vgg13_bn(num_classes=classes)}: {@link #vgg13} with batch norm after each convolution. */
    public static VGG vgg13Bn(int inChannels, int classes) {
        return new VGG(13, true, inChannels, classes, HIDDEN);
    }

    /**
     * torchvision's {@code vgg16(num_classes=classes)} (configuration D) for images of {@code inChannels} channels:
     * 138.4 M parameters at 3 and 1000.
     */
    public static VGG vgg16(int inChannels, int classes) {
        return new VGG(16, false, inChannels, classes, HIDDEN);
    }

    /** torchvision's {@code vgg16_bn(num_classes=classes)}: {@link #vgg16} with batch norm after each convolution. */
    public static VGG vgg16Bn(int inChannels, int classes) {
        return new VGG(16, true, inChannels, classes, HIDDEN);
    }

    /** torchvision's {@code vgg19(num_classes=classes)} (configuration E) for images of {@code inChannels} channels. */
    public static VGG vgg19(int inChannels, int classes) {
        return new VGG(19, false, inChannels, classes, HIDDEN);
    }

    /** torchvision's {@code vgg19_bn(num_classes=classes)}: {@link #vgg19} with batch norm after each convolution. */
    public static VGG vgg19Bn(int inChannels, int classes) {
        return new VGG(19, true, inChannels, classes, HIDDEN);
    }

    /** The classifier's last layer, {@code classifier.6}: 4096 -> classes. */
    public Linear classifier() {
        return (Linear) layer("classifier", 6);
    }

    /**
     * Puts a new Linear of {@code classes} outputs (PyTorch's default initialisation) in place of
     * {@code classifier.6}, as {@code model.classifier[6] = nn.Linear(4096, classes)} does in PyTorch, and closes the old
     * one.
     */
    public VGG replaceClassifier(int classes) {
        replaceLayer("classifier", 6, new Linear(classifier().inFeatures(), classes));
        return this;
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return name + "(" + inChannels() + " channels -> "
                + classes(layer("classifier", 6)) + " classes)";
    }
}
