package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomPosterize(bits, p)} on grey or RGB images [..., 1 or 3, height, width] with values in
 * [0, 1]: with probability {@code p}, keeps the top {@code bits} bits of each value's uint8 level (torchvision
 * posterizes uint8 images; here each value is converted to uint8 as its {@code convert_image_dtype} does,
 * {@code trunc(x * 255.999)} after clamping to [0, 1], and back as {@code v / 255}).
 */
public final class RandomPosterize implements Augmentation {
    private final int bits;
    private final double p;

    /** Probability 0.5, torchvision's default. */
    public RandomPosterize(int bits) {
        this(bits, 0.5);
    }

    /**
     * @param bits bits kept of each level, in [0, 8]
     * @param p    probability that an image is posterized, in [0, 1]
     */
    public RandomPosterize(int bits, double p) {
        if (bits < 0 || bits > 8) {
            throw new IllegalArgumentException("RandomPosterize: bits must be in [0, 8], got " + bits);
        }
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomPosterize: p must be in [0, 1], got " + p);
        }
        this.bits = bits;
        this.p = p;
    }

    public int bits() {
        return bits;
    }

    public double p() {
        return p;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        ImageOps.greyOrRgbChannels("RandomPosterize", shape);
        if (random.nextDouble() < p) {
            ImageOps.posterize(features, offset, Datasets.product(shape), bits);
        }
    }

    @Override
    public String toString() {
        return "RandomPosterize(bits=" + bits + ", p=" + p + ")";
    }
}
