package dev.kiln.zoo;

import dev.kiln.nn.AdaptiveAvgPool2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Fire;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;

/**
 * torchvision's SqueezeNet ({@code torchvision.models.squeezenet1_0} and {@code squeezenet1_1}), layer for layer and
 * name for name, so that its state dict carries over both ways: {@code features}, a stride-2 stem convolution with
 * ReLU (7x7 to 96 channels in 1.0, 3x3 to 64 in 1.1), eight {@link Fire} modules and three 3x3 stride-2 max poolings
 * rounding up (after the stem and after Fire 3 and 7 in 1.0, after Fire 2 and 4 in 1.1); and {@code classifier}:
 * dropout 0.5, a 1x1 convolution 512 -> classes ({@code classifier.1}), ReLU and adaptive average pooling to 1x1,
 * flattened. Input [batch, inChannels, height, width] with height and width at least 21 (1.0) or 17 (1.1), as
 * torchvision's, where the last pooling's 3x3 window hangs over a 2x2 input (torchvision's pretrained weights expect 3
 * channels at 224x224); below, that pooling's output would be empty and it refuses the input, naming the sizes; output
 * [batch, classes].
 *
 * <p>To start from torchvision's weights, save them from PyTorch as safetensors
 * ({@code safetensors.torch.save_file(torchvision.models.squeezenet1_1(weights="IMAGENET1K_V1").state_dict(), "sq.safetensors")})
 * and load them into {@code SqueezeNet.squeezenet1_1(3, 1000)} with {@code SafeTensors.read} and
 * {@link Module#loadStateDict}, then give it a head for your classes with {@link #replaceClassifier}. torchvision
 * initialises the classifier's convolution from N(0, 0.01) and the others with Kaiming's uniform; here every
 * convolution has PyTorch's default initialisation.
 */
public final class SqueezeNet extends ImageClassifier {
    private final String version;

    private SqueezeNet(String version, int inChannels, int classes) {
        super("SqueezeNet", inChannels, classes);
        this.version = version;
        registerModule("features", version.equals("1_0") ? features10(inChannels) : features11(inChannels));
        registerModule("classifier", new Sequential(new Dropout(0.5), Conv2d.builder(512, classes, 1).build(),
                new ReLU(), new AdaptiveAvgPool2d(1, 1)));
        registerModule("flatten", new Flatten());
    }

    private static Sequential features10(int inChannels) {
        return new Sequential(Conv2d.builder(inChannels, 96, 7).stride(2).build(), new ReLU(), pool(),
                new Fire(96, 16, 64, 64), new Fire(128, 16, 64, 64), new Fire(128, 32, 128, 128), pool(),
                new Fire(256, 32, 128, 128), new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192),
                new Fire(384, 64, 256, 256), pool(), new Fire(512, 64, 256, 256));
    }

    private static Sequential features11(int inChannels) {
        return new Sequential(Conv2d.builder(inChannels, 64, 3).stride(2).build(), new ReLU(), pool(),
                new Fire(64, 16, 64, 64), new Fire(128, 16, 64, 64), pool(),
                new Fire(128, 32, 128, 128), new Fire(256, 32, 128, 128), pool(),
                new Fire(256, 48, 192, 192), new Fire(384, 48, 192, 192), new Fire(384, 64, 256, 256),
                new Fire(512, 64, 256, 256));
    }

    /** SqueezeNet's max pooling: 3x3, stride 2, rounding the output size up. */
    private static MaxPool2d pool() {
        return new MaxPool2d(3, 2, 0, true);
    }

    /**
     * torchvision's {@code squeezenet1_0(num_classes=classes)} for images of {@code inChannels} channels: 1.25 M
     * parameters at 3 and 1000.
     */
    public static SqueezeNet squeezenet1_0(int inChannels, int classes) {
        return new SqueezeNet("1_0", inChannels, classes);
    }

    /**
     * torchvision's {@code squeezenet1_1(num_classes=classes)} for images of {@code inChannels} channels: 2.4 times
     * fewer operations than 1.0 at about its accuracy, 1.24 M parameters at 3 and 1000.
     */
    public static SqueezeNet squeezenet1_1(int inChannels, int classes) {
        return new SqueezeNet("1_1", inChannels, classes);
    }

    /** The classifier's convolution, {@code classifier.1}: 1x1, 512 -> classes. */
    public Conv2d classifier() {
        return (Conv2d) layer("classifier", 1);
    }

    /**
     * Puts a new convolution of {@code classes} outputs (PyTorch's default initialisation) in place of
     * {@code classifier.1}, as {@code model.classifier[1] = nn.Conv2d(512, classes, 1)} does in PyTorch, and closes the old
     * one.
     */
    public SqueezeNet replaceClassifier(int classes) {
        replaceLayer("classifier", 1, Conv2d.builder(512, classes, 1).build());
        return this;
    }

    /** One line naming the model in messages; {@link #toString()} prints its layers, as PyTorch's repr. */
    @Override
    public String describe() {
        return "SqueezeNet" + version.replace('_', '.') + "(" + inChannels() + " channels -> "
                + classifier().outChannels() + " classes)";
    }
}
