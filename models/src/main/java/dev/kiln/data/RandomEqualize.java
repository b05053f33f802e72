package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomEqualize(p)} on grey or RGB images [..., 1 or 3, height, width] with values in [0, 1]: with
 * probability {@code p}, equalizes the histogram of each plane's uint8 levels. torchvision equalizes uint8 images;
 * here each value is converted to uint8 as its {@code convert_image_dtype} does, {@code trunc(x * 255.999)} after
 * clamping to [0, 1], and back as {@code v / 255}.
 */
public final class RandomEqualize implements Augmentation {
    private final double p;

    /** Probability 0.5, torchvision's default. */
    public RandomEqualize() {
        this(0.5);
    }

    /** @param p probability that an image is changed, in [0, 1] */
    public RandomEqualize(double p) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomEqualize: p must be in [0, 1], got " + p);
        }
        this.p = p;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("RandomEqualize", shape);
        int[] size = Datasets.imageSize("RandomEqualize", shape);
        if (random.nextDouble() < p) {
            // Plane by plane: every image's channels in turn.
            ImageOps.equalize(features, offset, size[0] * size[1], channels * ImageOps.images(shape));
        }
    }

    @Override
    public String toString() {
        return "RandomEqualize(" + p + ")";
    }
}
