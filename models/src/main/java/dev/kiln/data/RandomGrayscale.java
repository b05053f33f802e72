package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * With probability {@code p}, turns each RGB image [3, height, width] grey, keeping its 3 channels, as torchvision's
 * {@code RandomGrayscale}: every channel becomes {@code 0.2989 R + 0.587 G + 0.114 B} (ITU-R 601-2 luma). A grey
 * image [1, height, width] or [height, width] stays as it is. The channels are on axis -3, as torchvision reads them;
 * an example [..., 1 or 3, height, width] is a batch of images that share the one draw.
 */
public final class RandomGrayscale implements Augmentation {
    private final double p;

    /** torchvision's default: p 0.1. */
    public RandomGrayscale() {
        this(0.1);
    }

    /** @param p probability that an image is turned grey, in [0, 1] */
    public RandomGrayscale(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomGrayscale: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomGrayscale", shape);
        int plane = size[0] * size[1];
        int channels = ImageOps.greyOrRgbChannels("RandomGrayscale", shape);
        if (random.nextDouble() < p && channels == 3) {
            for (int k = 0; k < ImageOps.images(shape); k++) {
                grey(features, offset + k * 3 * plane, plane);
            }
        }
    }

    /** Sets the R, G and B planes of {@code plane} pixels from {@code offset} on to their luma. */
    static void grey(float[] features, int offset, int plane) {
        for (int i = offset; i < offset + plane; i++) {
            float luma = (float) (0.2989 * features[i] + 0.587 * features[i + plane] + 0.114 * features[i + 2 * plane]);
            features[i] = luma;
            features[i + plane] = luma;
            features[i + 2 * plane] = luma;
        }
    }

    @Override
    public String toString() {
        return "RandomGrayscale(" + p + ")";
    }
}
