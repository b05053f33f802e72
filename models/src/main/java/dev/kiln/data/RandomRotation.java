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
        return -degrees + 2 * degrees * random.nextDouble();
    }

    /**
     * Turns every [height, width] plane of {@code features[offset, offset + length)} by {@code angle} degrees
     * counter-clockwise about its centre: output pixel (x, y), at offset (dx, dy) from the centre, reads the input at
     * (cos a dx - sin a dy, sin a dx + cos a dy) from the centre.
     */
    static void rotate(float[] features, int offset, int length, int height, int width, double angle,
            Interpolation interpolation, float fill) {
        double radians = Math.toRadians(angle);
        double cos = Math.cos(radians);
        double sin = Math.sin(radians);
        double centreX = (width - 1) * 0.5;
        double centreY = (height - 1) * 0.5;
        int plane = height * width;
        float[] source = new float[plane];
        for (int start = offset; start < offset + length; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            for (int y = 0; y < height; y++) {
                double dy = y - centreY;
                for (int x = 0; x < width; x++) {
                    double dx = x - centreX;
                    double sourceX = cos * dx - sin * dy + centreX;
                    double sourceY = sin * dx + cos * dy + centreY;
                    features[start + y * width + x] = interpolation == Interpolation.NEAREST
                            ? nearest(source, height, width, sourceX, sourceY, fill)
                            : bilinear(source, height, width, sourceX, sourceY, fill);
                }
            }
        }
    }

    /** grid_sample's nearest: the pixel at the rounded position (halves to even), or fill outside the image. */
    private static float nearest(float[] source, int height, int width, double x, double y, float fill) {
        double column = Math.rint(x);
        double row = Math.rint(y);
        boolean inside = row >= 0 && row < height && column >= 0 && column < width;
        return inside ? source[(int) row * width + (int) column] : fill;
    }

    /**
     * grid_sample's bilinear with zeros outside the image, blended with fill by the share of the weight that fell
     * inside. torchvision samples a channel of ones for that share and blends even when fill is 0, so a pixel that
     * straddles the border is scaled by the share twice; kept for parity.
     */
    private static float bilinear(float[] source, int height, int width, double x, double y, float fill) {
        int left = (int) Math.floor(x);
        int top = (int) Math.floor(y);
        double right = x - left;
        double bottom = y - top;
        double value = 0;
        double inside = 0;
        for (int corner = 0; corner < 4; corner++) {
            int column = left + (corner & 1);
            int row = top + (corner >> 1);
            if (row >= 0 && row < height && column >= 0 && column < width) {
                double weight = ((corner & 1) == 1 ? right : 1 - right) * ((corner >> 1) == 1 ? bottom : 1 - bottom);
                value += weight * source[row * width + column];
                inside += weight;
            }
        }
        return (float) (value * inside + (1 - inside) * fill);
    }

    @Override
    public String toString() {
        return "RandomRotation(degrees=" + degrees + ", " + interpolation + ", fill=" + fill + ")";
    }
}
