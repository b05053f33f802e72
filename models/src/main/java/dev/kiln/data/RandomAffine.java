package dev.kiln.data;

import dev.kiln.data.RandomRotation.Interpolation;
import java.util.Arrays;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomAffine(degrees, translate, scale, shear, interpolation, fill)} on images
 * [channels, height, width], keeping their size; every channel alike. Each image is turned about its centre by an
 * angle drawn uniformly from the degrees range (clockwise as the image is seen, as torchvision's affine), and,
 * where asked ({@code with...}), moved by whole pixels (a share of its size drawn uniformly either way and rounded,
 * halves to even), scaled by a factor drawn uniformly from the scale range and sheared by angles drawn uniformly
 * from the shear ranges (x, then y). The draws come in that order, and only those asked for are drawn.
 * Each output pixel reads the input through torchvision's inverse affine matrix ({@code grid_sample} with
 * {@code align_corners=False}); pixels that come from outside the image are {@code fill}.
 *
 * <pre>{@code
 * // torchvision's RandomAffine(10, translate=(0.1, 0.1), scale=(0.9, 1.1), shear=5)
 * new RandomAffine(10).withTranslate(0.1, 0.1).withScale(0.9, 1.1).withShear(5)
 * }</pre>
 */
public final class RandomAffine implements Augmentation {
    private final double minDegrees;
    private final double maxDegrees;
    /** {maxX, maxY} shares of the size, or null for no translation. */
    private final double[] translate;
    /** {min, max}, or null for scale 1. */
    private final double[] scale;
    /** {minX, maxX} or {minX, maxX, minY, maxY} in degrees, or null for no shear. */
    private final double[] shear;
    private final Interpolation interpolation;
    private final float fill;

    /**
     * Turns by up to {@code degrees} either way, nothing else; nearest interpolation and fill 0, torchvision's
     * defaults.
     *
     * @param degrees largest turn either way, at least 0
     */
    public RandomAffine(double degrees) {
        this(-requireDegrees(degrees), degrees);
    }

    /**
     * Turns by an angle in [minDegrees, maxDegrees], nothing else; nearest interpolation and fill 0.
     *
     * @param minDegrees smallest angle, clockwise
     * @param maxDegrees largest angle, at least minDegrees
     */
    public RandomAffine(double minDegrees, double maxDegrees) {
        this(requireRange("degrees", minDegrees, maxDegrees), null, null, null, Interpolation.NEAREST, 0f);
    }

    private RandomAffine(double[] degrees, double[] translate, double[] scale, double[] shear,
            Interpolation interpolation, float fill) {
        this.minDegrees = degrees[0];
        this.maxDegrees = degrees[1];
        this.translate = translate;
        this.scale = scale;
        this.shear = shear;
        this.interpolation = interpolation;
        this.fill = fill;
    }

    private static double requireDegrees(double degrees) {
        if (!(degrees >= 0 && degrees < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RandomAffine: degrees must be finite and >= 0, got " + degrees);
        }
        return degrees;
    }

    private static double[] requireRange(String name, double min, double max) {
        if (!(Double.isFinite(min) && Double.isFinite(max) && min <= max)) {
            throw new IllegalArgumentException("RandomAffine: " + name + " must be (min, max) with finite min <= max,"
                    + " got (" + min + ", " + max + ")");
        }
        return new double[] {min, max};
    }

    /**
     * Also moves each image by up to {@code maxX} of its width and {@code maxY} of its height either way
     * (torchvision's {@code translate=(maxX, maxY)}).
     *
     * @param maxX largest horizontal move as a share of the width, in [0, 1]
     * @param maxY largest vertical move as a share of the height, in [0, 1]
     */
    public RandomAffine withTranslate(double maxX, double maxY) {
        if (!(maxX >= 0 && maxX <= 1 && maxY >= 0 && maxY <= 1)) {
            throw new IllegalArgumentException("RandomAffine: translate must be (maxX, maxY) with each in [0, 1], got ("
                    + maxX + ", " + maxY + ")");
        }
        return new RandomAffine(degrees(), new double[] {maxX, maxY}, scale, shear, interpolation, fill);
    }

    /**
     * Also scales each image by a factor drawn uniformly from [min, max] (torchvision's {@code scale=(min, max)}).
     *
     * @param min smallest factor, above 0
     * @param max largest factor, at least min
     */
    public RandomAffine withScale(double min, double max) {
        Ranges.requirePositiveRange("RandomAffine", "scale", min, max);
        return new RandomAffine(degrees(), translate, new double[] {min, max}, shear, interpolation, fill);
    }

    /**
     * Also shears each image along x by an angle in [-degrees, degrees] (torchvision's {@code shear=degrees}).
     *
     * @param degrees largest shear either way, at least 0
     */
    public RandomAffine withShear(double degrees) {
        if (!(degrees >= 0 && degrees < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("RandomAffine: shear must be finite and >= 0, got " + degrees);
        }
        return withShear(-degrees, degrees);
    }

    /** Also shears each image along x by an angle in [minX, maxX] degrees (torchvision's {@code shear=(min, max)}). */
    public RandomAffine withShear(double minX, double maxX) {
        double[] x = requireRange("shear x", minX, maxX);
        return new RandomAffine(degrees(), translate, scale, x, interpolation, fill);
    }

    /**
     * Also shears each image along x by an angle in [minX, maxX] degrees and along y by one in [minY, maxY]
     * (torchvision's {@code shear=(minX, maxX, minY, maxY)}).
     */
    public RandomAffine withShear(double minX, double maxX, double minY, double maxY) {
        double[] x = requireRange("shear x", minX, maxX);
        double[] y = requireRange("shear y", minY, maxY);
        return new RandomAffine(degrees(), translate, scale, new double[] {x[0], x[1], y[0], y[1]}, interpolation,
                fill);
    }

    /** The same draws, reading the input between pixel centres as {@code interpolation} says. */
    public RandomAffine withInterpolation(Interpolation interpolation) {
        Objects.requireNonNull(interpolation, "interpolation");
        return new RandomAffine(degrees(), translate, scale, shear, interpolation, fill);
    }

    /** The same draws, with {@code fill} for the pixels that come from outside the image. */
    public RandomAffine withFill(float fill) {
        if (!Float.isFinite(fill)) {
            throw new IllegalArgumentException("RandomAffine: fill must be finite, got " + fill);
        }
        return new RandomAffine(degrees(), translate, scale, shear, interpolation, fill);
    }

    private double[] degrees() {
        return new double[] {minDegrees, maxDegrees};
    }

    public Interpolation interpolation() {
        return interpolation;
    }

    public float fill() {
        return fill;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomAffine", shape);
        Parameters p = draw(size[0], size[1], random);
        AffineWarp.warp(features, offset, Datasets.product(shape), size[0], size[1], p.inverseMatrix(), interpolation,
                fill);
    }

    /**
     * One image's draw: angle and shears in degrees, the move in whole pixels, as torchvision's
     * {@code RandomAffine.get_params}.
     */
    record Parameters(double angle, int translateX, int translateY, double scale, double shearX, double shearY) {
        double[] inverseMatrix() {
            return AffineWarp.inverseMatrix(angle, translateX, translateY, scale, shearX, shearY);
        }
    }

    /** The parameters for one [height, width] image, drawn in torchvision's order. */
    Parameters draw(int height, int width, SplittableRandom random) {
        double angle = Ranges.uniform(random, minDegrees, maxDegrees);
        int translateX = 0;
        int translateY = 0;
        if (translate != null) {
            double maxX = translate[0] * width;
            double maxY = translate[1] * height;
            translateX = (int) Math.rint(Ranges.uniform(random, -maxX, maxX));
            translateY = (int) Math.rint(Ranges.uniform(random, -maxY, maxY));
        }
        double factor = scale == null ? 1 : Ranges.uniform(random, scale[0], scale[1]);
        double shearX = 0;
        double shearY = 0;
        if (shear != null) {
            shearX = Ranges.uniform(random, shear[0], shear[1]);
            if (shear.length == 4) {
                shearY = Ranges.uniform(random, shear[2], shear[3]);
            }
        }
        return new Parameters(angle, translateX, translateY, factor, shearX, shearY);
    }

    @Override
    public String toString() {
        return "RandomAffine(degrees=(" + minDegrees + ", " + maxDegrees + "), translate=" + range(translate)
                + ", scale=" + range(scale) + ", shear=" + range(shear) + ", " + interpolation + ", fill=" + fill + ")";
    }

    private static String range(double[] values) {
        return values == null ? "none" : Arrays.toString(values).replace('[', '(').replace(']', ')');
    }
}
