package dev.kiln.nn;

/**
 * torchvision's {@code Conv2dNormActivation} (MobileNet's convolution unit) with its defaults: a square convolution
 * without bias, padded by {@code (kernel - 1) / 2} so that stride 1 keeps the size, then {@link BatchNorm2d}, then
 * the given activation, as children {@code 0}, {@code 1}, {@code 2}. Input [batch, in, height, width], output
 * [batch, out, ceil(height / stride), ceil(width / stride)] for an odd kernel.
 */
public class Conv2dNormActivation extends Sequential {
    /**
     * @param groups the convolution's groups: {@code in} for a depthwise one
     * @param activation the layer after the batch norm, e.g. {@link ReLU6} in MobileNetV2
     */
    public Conv2dNormActivation(int in, int out, int kernel, int stride, int groups, Module activation) {
        super(Conv2d.builder(in, out, kernel).stride(stride).padding((kernel - 1) / 2).groups(groups).bias(false)
                .build(), new BatchNorm2d(out), activation);
    }
}
