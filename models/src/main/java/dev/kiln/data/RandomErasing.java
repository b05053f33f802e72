package dev.kiln.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomErasing(p, scale, ratio, value)} on images [channels, height, width]: with probability
 * {@code p}, sets a random rectangle of each image to {@code value} in every channel. The rectangle covers a share of
 * the image's area drawn uniformly from [minScale, maxScale], with a height to width ratio drawn log-uniformly from
 * [minRatio, maxRatio], at a uniformly drawn position; when 10 draws give no rectangle smaller than the image in both
 * directions, the image is left as it is.
 */
public final class RandomErasing implements Augmentation {
    private static final int ATTEMPTS = 10;

    private final double p;
    private final double minScale;
    private final double maxScale;
    private final double minRatio;
    private final double maxRatio;
    private final float value;

    /** torchvision's defaults: p 0.5, scale (0.02, 0.33), ratio (0.3, 3.3), value 0. */
    public RandomErasing() {
        this(0.5, 0.02, 0.33, 0.3, 3.3, 0f);
    }

    /**
     * @param p        probability that an image is erased, in [0, 1]
     * @param minScale smallest share of the image's area erased, in [0, 1]
     * @param maxScale largest share, in [minScale, 1]
     * @param minRatio smallest height / width of the rectangle, above 0
     * @param maxRatio largest height / width, at least minRatio
     * @param value    what the erased pixels become
     */
    public RandomErasing(double p, double minScale, double maxScale, double minRatio, double maxRatio, float value) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("RandomErasing: p must be in [0, 1], got " + p);
        }
        Ranges.requireShareRange("RandomErasing", "scale", minScale, maxScale);
        Ranges.requirePositiveRange("RandomErasing", "ratio", minRatio, maxRatio);
        if (!Float.isFinite(value)) {
            throw new IllegalArgumentException("RandomErasing: value must be finite, got " + value);
        }
        this.p = p;
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
        this.value = value;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomErasing", shape);
        if (random.nextDouble() >= p) {
            return;
        }
        int[] box = eraseBox(size[0], size[1], random);
        if (box != null) {
            erase(features, offset, Datasets.product(shape), size[0], size[1], box[0], box[1], box[2], box[3], value);
        }
    }

    /**
     * The rectangle of one [height, width] image: {top, left, eraseHeight, eraseWidth}, or null when no draw fits,
     * as torchvision's get_params.
     */
    int[] eraseBox(int height, int width, SplittableRandom random) {
        double area = (double) height * width;
        double logMinRatio = Math.log(minRatio);
        double logMaxRatio = Math.log(maxRatio);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double eraseArea = area * (minScale + (maxScale - minScale) * random.nextDouble());
            double ratio = Math.exp(logMinRatio + (logMaxRatio - logMinRatio) * random.nextDouble());
            int h = (int) Math.rint(Math.sqrt(eraseArea * ratio));
            int w = (int) Math.rint(Math.sqrt(eraseArea / ratio));
            if (h < height && w < width) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        return null;
    }

    /** Sets rows [top, top + eraseHeight) x columns [left, left + eraseWidth) of every plane to {@code value}. */
    static void erase(float[] features, int offset, int length, int height, int width, int top, int left,
            int eraseHeight, int eraseWidth, float value) {
        int plane = height * width;
        for (int start = offset; start < offset + length; start += plane) {
            for (int y = top; y < top + eraseHeight; y++) {
                int row = start + y * width;
                Arrays.fill(features, row + left, row + left + eraseWidth, value);
            }
        }
    }

    @Override
    public String toString() {
        return "RandomErasing(p=" + p + ", scale=(" + minScale + ", " + maxScale + "), ratio=(" + minRatio + ", "
                + maxRatio + "), value=" + value + ")";
    }
}
