package dev.kiln.zoo;

import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;

/**
 * torchvision's AlexNet ({@code torchvision.models.alexnet}), layer for layer and name for name, so that its state
 * dict carries over both ways: {@code features}, convolutions 11x11 stride 4 padding 2 to 64 channels, 5x5 padding 2
 * to 192, and 3x3 padding 1 to 384, 256 and 256, each followed by ReLU, with a 3x3 stride-2 max pooling after the
 * first, second and last ({@code features.0}, {@code .3}, {@code .6}, {@code .8}, {@code .10}); {@code avgpool},
 * adaptive average pooling to 6x6; and {@code classifier}: dropout 0.5, Linear 256 * 6 * 6 -> 4096, ReLU, dropout
 * 0.5, Linear 4096 -> 4096, ReLU, Linear 4096 -> classes ({@code classifier.1}, {@code .4}, {@code .6}). Input
 * [batch, inChannels, height, width] with height and width at least 63 (torchvision's pretrained weights expect 3
 * channels at 224x224); output [batch, classes].
 *
 * <p>To start from torchvision's weights, save them from PyTorch as safetensors
 * ({@code safetensors.torch.save_file(torchvision.models.alexnet(weights="IMAGENET1K_V1").state_dict(), "alexnet.safetensors")})
 * and load them into {@code AlexNet.alexnet(3, 1000)} with {@code SafeTensors.read} and {@link Module#loadStateDict},
 * then give it a head for your classes with {@link #replaceClassifier}.
 */
public final class AlexNet extends ImageClassifier {
    /** The width of torchvision's two hidden classifier layers. */
    private static final int HIDDEN = 4096;

    /** hidden: the width of the classifier's two hidden layers, torchvision's 4096 except in tests. */
    private AlexNet(int inChannels, int classes, int hidden) {
        super("AlexNet", inChannels, classes);
        registerModule("features", new Sequential(
                Conv2d.builder(inChannels, 64, 11).stride(4).padding(2).build(), new ReLU(), new MaxPool2d(3, 2),
                Conv2d.builder(64, 192, 5).padding(2).build(), new ReLU(), new MaxPool2d(3, 2),
                Conv2d.builder(192, 384, 3).padding(1).build(), new ReLU(),
                Conv2d.builder(384, 256, 3).padding(1).build(), new ReLU(),
                Conv2d.builder(256, 256, 3).padding(1).build(), new ReLU(), new MaxPool2d(3, 2)));
        registerModule("avgpool", new AdaptiveAvgPool2d(6, 6));
        registerModule("flatten", new Flatten());
        registerModule("classifier", new Sequential(new Dropout(0.5), new Linear(256 * 6 * 6, hidden), new ReLU(),
                new Dropout(0.5), new Linear(hidden, hidden), new ReLU(), new Linear(hidden, classes)));
    }

    /**
     * torchvision's {@code alexnet(num_classes=classes)} for images of {@code inChannels} channels: 61.1 M parameters
     * at 3 and 1000.
     */
    public static AlexNet alexnet(int inChannels, int classes) {
        return new AlexNet(inChannels, classes, HIDDEN);
    }

    /** {@link #alexnet} with {@code hidden} in place of 4096: a model small enough for fast parity tests. */
    static AlexNet withHidden(int inChannels, int classes, int hidden) {
        return new AlexNet(inChannels, classes, hidden);
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
    public AlexNet replaceClassifier(int classes) {
        replaceLayer("classifier", 6, new Linear(classifier().inFeatures(), classes));
        return this;
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "AlexNet(" + inChannels() + " channels -> " + classes(layer("classifier", 6)) + " classes)";
    }
}
