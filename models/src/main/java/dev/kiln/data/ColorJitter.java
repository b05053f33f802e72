package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code ColorJitter(brightness, contrast)} on grey or RGB images [..., 1 or 3, height, width] (the
 * channels on axis -3, [height, width] one channel; the dimensions before it images that share the draw, as a batch
 * shares torchvision's) with values in [0, 1]:
 * scales each image's brightness and its contrast by factors drawn uniformly from [max(0, 1 - brightness),
 * 1 + brightness] and [max(0, 1 - contrast), 1 + contrast], in a random order, clamping to [0, 1] after each. A
 * brightness factor f gives {@code f x}; a contrast factor f gives {@code f x + (1 - f) m}, m the mean of the image
 * (of its grey image, 0.2989 R + 0.587 G + 0.114 B, when it has 3 channels). An amount of 0 leaves that property
 * alone.
 */
public final class ColorJitter implements Augmentation {
    private final double brightness;
    private final double contrast;

    /**
     * @param brightness largest change of the brightness factor from 1, at least 0
     * @param contrast   largest change of the contrast factor from 1, at least 0
     */
    public ColorJitter(double brightness, double contrast) {
        requireAmount("brightness", brightness);
        requireAmount("contrast", contrast);
        this.brightness = brightness;
        this.contrast = contrast;
    }

    private static void requireAmount(String name, double amount) {
        if (!(amount >= 0 && amount < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("ColorJitter: " + name + " must be finite and >= 0, got " + amount);
        }
    }

    public double brightness() {
        return brightness;
    }

    public double contrast() {
        return contrast;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("ColorJitter", shape);
        int length = Datasets.product(shape);
        // torchvision's adjust_brightness and adjust_contrast both refuse other channel counts.
        int channels = brightness > 0 || contrast > 0 ? ImageOps.greyOrRgbChannels("ColorJitter", shape) : 0;
        boolean brightnessFirst = random.nextBoolean();
        double brightnessFactor = brightness > 0 ? factor(brightness, random) : 1;
        double contrastFactor = contrast > 0 ? factor(contrast, random) : 1;
        if (brightnessFirst && brightness > 0) {
            adjustBrightness(features, offset, length, brightnessFactor);
        }
        if (contrast > 0) {
            // Each image its own mean.
            int image = channels * size[0] * size[1];
            for (int k = 0; k < ImageOps.images(shape); k++) {
                adjustContrast(features, offset + k * image, image, channels, contrastFactor);
            }
        }
        if (!brightnessFirst && brightness > 0) {
            adjustBrightness(features, offset, length, brightnessFactor);
        }
    }

    private static double factor(double amount, SplittableRandom random) {
        double low = Math.max(0, 1 - amount);
        return low + (1 + amount - low) * random.nextDouble();
    }

    /** {@code x -> clamp(factor x, 0, 1)}: torchvision's adjust_brightness. */
    static void adjustBrightness(float[] features, int offset, int length, double factor) {
        blend(features, offset, length, factor, 0);
    }

    /**
     * {@code x -> clamp(factor x + (1 - factor) mean, 0, 1)}, the mean over the image (over its grey image when it
     * has 3 channels, [R, G, B] planes): torchvision's adjust_contrast.
     */
    static void adjustContrast(float[] features, int offset, int length, int channels, double factor) {
        double mean = channels == 3 ? greyMean(features, offset, length) : mean(features, offset, length);
        blend(features, offset, length, factor, mean);
    }

    private static double mean(float[] features, int offset, int length) {
        double sum = 0;
        for (int i = offset; i < offset + length; i++) {
            sum += features[i];
        }
        return sum / length;
    }

    private static double greyMean(float[] features, int offset, int length) {
        int plane = length / 3;
        double sum = 0;
        for (int i = offset; i < offset + plane; i++) {
            // torchvision rounds the grey image to the image's F32 before averaging it.
            sum += (float) (0.2989 * features[i] + 0.587 * features[i + plane] + 0.114 * features[i + 2 * plane]);
        }
        return sum / plane;
    }

    private static void blend(float[] features, int offset, int length, double factor, double other) {
        for (int i = offset; i < offset + length; i++) {
            double blended = factor * features[i] + (1 - factor) * other;
            features[i] = (float) Math.max(0, Math.min(1, blended));
        }
    }

    @Override
    public String toString() {
        return "ColorJitter(brightness=" + brightness + ", contrast=" + contrast + ")";
    }
}
