package dev.kiln.data;

import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomRotation(degrees, interpolation, fill=fill)} on images [channels, height, width]: turns
 * each image about its centre ((width - 1) / 2, (height - 1) / 2) by an angle drawn uniformly from
 * [-degrees, degrees], positive counter-clockwise as the image is seen (rows top to bottom), keeping its size; every
 * channel alike. Each output pixel samples the input at its own centre turned back by the angle, as torchvision's
 * tensor path does ({@code grid_sample} with {@code align_corners=False}); pixels that come from outside the image
 * are {@code fill}.
 */
public final class RandomRotation implements Augmentation {
    /** How an output pixel reads the input between pixel centres. */
    public enum Interpolation {
        /** The nearest input pixel (torchvision's default). */
        NEAREST,
        /** The four nearest input pixels, weighted by closeness. */
        BILINEAR
    }

    private final double degrees;
    private final Interpolation interpolation;
    private final float fill;

    /**
     * Nearest interpolation and fill 0, torchvision's defaults.
     *
     * @param degrees largest turn either way, at least 0
     */
    public RandomRotation(double degrees) {
        this(degrees, Interpolation.NEAREST, 0f);
    }

    /**
     * @param degrees       largest turn either way, at least 0
     * @param interpolation how pixels between input pixel centres are read
     * @param fill          value of the pixels that come from outside the image
     */
    public RandomRotation(double degrees, Interpolation interpolation, float fill) {
        if (!(degrees >= 0 && degrees < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RandomRotation: degrees must be finite and >= 0, got " + degrees);
        }
        if (!Float.isFinite(fill)) {
            throw new IllegalArgumentException("RandomRotation: fill must be finite, got " + fill);
        }
        this.degrees = degrees;
        this.interpolation = Objects.requireNonNull(interpolation, "interpolation");
        this.fill = fill;
    }

    public double degrees() {
        return degrees;
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    public float fill() {
        return fill;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomRotation", shape);
        rotate(features, offset, Datasets.product(shape), size[0], size[1], angle(random), interpolation, fill);
    }

    /** The angle of one image in degrees, uniform in [-degrees, degrees). */
    double angle(SplittableRandom random) {
        return Ranges.uniform(random, -degrees, degrees);
    }

    /**
     * Turns every [height, width] plane of {@code features[offset, offset + length)} by {@code angle} degrees
     * counter-clockwise about its centre: output pixel (x, y), at offset (dx, dy) from the centre, reads the input at
     * (cos a dx - sin a dy, sin a dx + cos a dy) from the centre. torchvision's rotate is its affine warp turned the
     * other way (F.affine turns clockwise).
     */
    static void rotate(float[] features, int offset, int length, int height, int width, double angle,
            Interpolation interpolation, float fill) {
        double[] inverse = AffineWarp.inverseMatrix(-angle, 0, 0, 1, 0, 0);
        AffineWarp.warp(features, offset, length, height, width, inverse, interpolation, fill);
    }

    @Override
    public String toString() {
        return "RandomRotation(degrees=" + degrees + ", " + interpolation + ", fill=" + fill + ")";
    }
}
