package dev.kiln.zoo;

import dev.kiln.nn.Conv2dNormActivation;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.GlobalAvgPool2d;
import dev.kiln.nn.InvertedResidual;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU6;
import dev.kiln.nn.Sequential;

/**
 * torchvision's MobileNetV2 ({@code torchvision.models.mobilenet_v2}), layer for layer and name for name, so that
 * its state dict carries over both ways: {@code features}, a 3x3 stride-2 {@link Conv2dNormActivation} with ReLU6 to
 * 32 channels ({@code features.0}), seventeen {@link InvertedResidual} blocks ({@code features.1} to {@code .17}, in
 * torchvision's seven groups of expansion, channels, blocks and first stride: 1, 16, 1, 1; 6, 24, 2, 2; 6, 32, 3, 2;
 * 6, 64, 4, 2; 6, 96, 3, 1; 6, 160, 3, 2; 6, 320, 1, 1) and a 1x1 Conv2dNormActivation to 1280 channels
 * ({@code features.18}); global average pooling; and {@code classifier}: dropout 0.2, Linear 1280 -> classes
 * ({@code classifier.1}). A width multiplier scales every width, each rounded as torchvision's
 * {@code _make_divisible(width, 8)}, the last one only upwards. Input [batch, inChannels, height, width] of any size
 * (the stem and four blocks halve it, rounding up; torchvision's pretrained weights expect 3 channels at 224x224);
 * output [batch, classes].
 *
 * <p>To start from torchvision's weights, save them from PyTorch as safetensors
 * ({@code safetensors.torch.save_file(torchvision.models.mobilenet_v2(weights="IMAGENET1K_V1").state_dict(), "mnv2.safetensors")})
 * and load them into {@code MobileNetV2.mobilenetV2(3, 1000)} with {@code SafeTensors.read} and
 * {@link Module#loadStateDict}, then give it a head for your classes with {@link #replaceClassifier}.
 */
public final class MobileNetV2 extends ImageClassifier {
    /** torchvision's inverted_residual_setting: expansion, output channels, blocks and the first block's stride. */
    private static final int[][] SETTING = {
            {1, 16, 1, 1}, {6, 24, 2, 2}, {6, 32, 3, 2}, {6, 64, 4, 2}, {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
    /** Every width is rounded to a multiple of this, torchvision's round_nearest. */
    private static final int ROUND = 8;

    private final double widthMult;

    private MobileNetV2(int inChannels, int classes, double widthMult) {
        super("MobileNetV2", inChannels, classes);
        if (!(widthMult > 0)) {
            throw new IllegalArgumentException("MobileNetV2: widthMult must be positive, got " + widthMult);
        }
        this.widthMult = widthMult;
        int channels = makeDivisible(32 * widthMult, ROUND);
        Sequential features = new Sequential(new Conv2dNormActivation(inChannels, channels, 3, 2, 1, new ReLU6()));
        for (int[] group : SETTING) {
            int out = makeDivisible(group[1] * widthMult, ROUND);
            for (int b = 0; b < group[2]; b++) {
                features.add(new InvertedResidual(channels, out, b == 0 ? group[3] : 1, group[0]));
                channels = out;
            }
        }
        int last = makeDivisible(1280 * Math.max(1.0, widthMult), ROUND);
        features.add(new Conv2dNormActivation(channels, last, 1, 1, 1, new ReLU6()));
        registerModule("features", features);
        registerModule("avgpool", new GlobalAvgPool2d());
        registerModule("flatten", new Flatten());
        registerModule("classifier", new Sequential(new Dropout(0.2), new Linear(last, classes)));
    }

    /**
     * torchvision's {@code mobilenet_v2(num_classes=classes)} for images of {@code inChannels} channels: 3.5 M
     * parameters at 3 and 1000.
     */
    public static MobileNetV2 mobilenetV2(int inChannels, int classes) {
        return new MobileNetV2(inChannels, classes, 1);
    }

    /**
     * torchvision's {@code mobilenet_v2(num_classes=classes, width_mult=widthMult)} for images of {@code inChannels}
     * channels.
     *
     * @throws IllegalArgumentException when widthMult is not positive
     */
    public static MobileNetV2 mobilenetV2(int inChannels, int classes, double widthMult) {
        return new MobileNetV2(inChannels, classes, widthMult);
    }

    /**
     * torchvision's {@code _make_divisible(v, divisor)}: v rounded to the nearest multiple of divisor (halves up), at
     * least divisor, and one divisor more where rounding would lose over 10% of v.
     */
    static int makeDivisible(double v, int divisor) {
        int rounded = Math.max(divisor, (int) (v + divisor / 2.0) / divisor * divisor);
        return rounded < 0.9 * v ? rounded + divisor : rounded;
    }

    /** The classifier's last layer, {@code classifier.1}: 1280 (or the last width) -> classes. */
    public Linear classifier() {
        return (Linear) layer("classifier", 1);
    }

    /**
     * Puts a new Linear of {@code classes} outputs (PyTorch's default initialisation) in place of
     * {@code classifier.1}, as {@code model.classifier[1] = nn.Linear(1280, classes)} does in PyTorch, and closes the old
     * one.
     */
    public MobileNetV2 replaceClassifier(int classes) {
        replaceLayer("classifier", 1, new Linear(classifier().inFeatures(), classes));
        return this;
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "MobileNetV2" + (widthMult == 1 ? "" : "x" + widthMult) + "(" + inChannels() + " channels -> "
                + classes(layer("classifier", 1)) + " classes)";
    }
}
