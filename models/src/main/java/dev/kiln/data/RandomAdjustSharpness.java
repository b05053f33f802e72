package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomAdjustSharpness(sharpness_factor, p)} on grey or RGB images [..., 1 or 3, height, width]
 * with values in [0, 1]: with probability {@code p}, blends each plane with its smoothed copy,
 * {@code clamp(factor x + (1 - factor) smooth, 0, 1)} (factor 0 blurs, 1 keeps the image, 2 sharpens), smooth the
 * 3 x 3 average weighting the centre 5 and its neighbours 1 on interior pixels and the pixel itself on the border.
 * Images of height or width 2 or less are left alone.
 */
public final class RandomAdjustSharpness implements Augmentation {
    private final double sharpnessFactor;
    private final double p;

    /** Probability 0.5, torchvision's default. */
    public RandomAdjustSharpness(double sharpnessFactor) {
        this(sharpnessFactor, 0.5);
    }

    /**
     * @param sharpnessFactor the blend factor, finite and at least 0
     * @param p               probability that an image is changed, in [0, 1]
     */
    public RandomAdjustSharpness(double sharpnessFactor, double p) {
        if (!(sharpnessFactor >= 0 && sharpnessFactor < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RandomAdjustSharpness: sharpnessFactor must be finite and >= 0, got "
                    + sharpnessFactor);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomAdjustSharpness: p must be in [0, 1], got " + p);
        }
        this.sharpnessFactor = sharpnessFactor;
        this.p = p;
    }

    public double sharpnessFactor() {
        return sharpnessFactor;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int channels = ImageOps.greyOrRgbChannels("RandomAdjustSharpness", shape);
        int[] size = Datasets.imageSize("RandomAdjustSharpness", shape);
        if (random.nextDouble() < p) {
            // Plane by plane: every image's channels in turn.
            ImageOps.sharpness(features, offset, size[0], size[1], channels * ImageOps.images(shape), sharpnessFactor);
        }
    }

    @Override
    public String toString() {
        return "RandomAdjustSharpness(sharpnessFactor=" + sharpnessFactor + ", p=" + p + ")";
    }
}
