package dev.kiln.data;

import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomResizedCrop(size, scale, ratio)} with {@code size} the image's own: crops a random
 * rectangle of each image [channels, height, width] and scales it back to [height, width], bilinear; every channel
 * alike. The rectangle covers a share of the image's area drawn uniformly from [minScale, maxScale], with a width to
 * height ratio drawn log-uniformly from [minRatio, maxRatio], at a uniformly drawn position; after 10 draws that do
 * not fit in the image it is the largest central rectangle whose ratio is in range.
 */
public final class RandomResizedCrop implements Augmentation {
    private static final int ATTEMPTS = 10;

    private final double minScale;
    private final double maxScale;
    private final double minRatio;
    private final double maxRatio;

    /** torchvision's defaults: scale (0.08, 1), ratio (3/4, 4/3). */
    public RandomResizedCrop() {
        this(0.08, 1, 3.0 / 4, 4.0 / 3);
    }

    /**
     * @param minScale smallest share of the image's area cropped, above 0
     * @param maxScale largest share, at least minScale
     * @param minRatio smallest width / height of the crop, above 0
     * @param maxRatio largest width / height, at least minRatio
     */
    public RandomResizedCrop(double minScale, double maxScale, double minRatio, double maxRatio) {
        Ranges.requirePositiveRange("RandomResizedCrop", "scale", minScale, maxScale);
        Ranges.requirePositiveRange("RandomResizedCrop", "ratio", minRatio, maxRatio);
        this.minScale = minScale;
        this.maxScale = maxScale;
        this.minRatio = minRatio;
        this.maxRatio = maxRatio;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomResizedCrop", shape);
        int[] box = cropBox(size[0], size[1], random);
        resizedCrop(features, offset, Datasets.product(shape), size[0], size[1], box[0], box[1], box[2], box[3]);
    }

    /** The crop of one [height, width] image: {top, left, cropHeight, cropWidth}, as torchvision's get_params. */
    int[] cropBox(int height, int width, SplittableRandom random) {
        double area = (double) height * width;
        double logMinRatio = Math.log(minRatio);
        double logMaxRatio = Math.log(maxRatio);
        for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
            double targetArea = area * (minScale + (maxScale - minScale) * random.nextDouble());
            double ratio = Math.exp(logMinRatio + (logMaxRatio - logMinRatio) * random.nextDouble());
            int w = (int) Math.rint(Math.sqrt(targetArea * ratio));
            int h = (int) Math.rint(Math.sqrt(targetArea / ratio));
            if (w > 0 && w <= width && h > 0 && h <= height) {
                int top = random.nextInt(height - h + 1);
                int left = random.nextInt(width - w + 1);
                return new int[] {top, left, h, w};
            }
        }
        return centralBox(height, width);
    }

    private int[] centralBox(int height, int width) {
        double imageRatio = (double) width / height;
        int w = width;
        int h = height;
        if (imageRatio < minRatio) {
            h = (int) Math.rint(w / minRatio);
        } else if (imageRatio > maxRatio) {
            w = (int) Math.rint(h * maxRatio);
        }
        return new int[] {(height - h) / 2, (width - w) / 2, h, w};
    }

    /**
     * Every [height, width] plane becomes its crop [cropHeight, cropWidth] at (top, left) scaled to [height, width]
     * as {@code F.interpolate(mode='bilinear', align_corners=False)} scales it.
     */
    static void resizedCrop(float[] features, int offset, int length, int height, int width, int top, int left,
            int cropHeight, int cropWidth) {
        int plane = height * width;
        Bilinear rows = new Bilinear(cropHeight, height);
        Bilinear columns = new Bilinear(cropWidth, width);
        float[] source = new float[plane];
        for (int start = offset; start < offset + length; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            for (int y = 0; y < height; y++) {
                int above = (top + rows.below[y]) * width + left;
                int below = (top + rows.above[y]) * width + left;
                for (int x = 0; x < width; x++) {
                    double upper = columns.mix(source, above, x);
                    double lower = columns.mix(source, below, x);
                    features[start + y * width + x] = (float) ((1 - rows.weight[y]) * upper + rows.weight[y] * lower);
                }
            }
        }
    }

    /**
     * PyTorch's linear interpolation from {@code in} positions to {@code out} along one axis, align_corners false:
     * output o reads source position max((o + 0.5) in / out - 0.5, 0), between input {@code below[o]} and
     * {@code above[o]} with {@code weight[o]} on the latter.
     */
    private static final class Bilinear {
        final int[] below;
        final int[] above;
        final double[] weight;

        Bilinear(int in, int out) {
            below = new int[out];
            above = new int[out];
            weight = new double[out];
            double scale = (double) in / out;
            for (int o = 0; o < out; o++) {
                double position = Math.max((o + 0.5) * scale - 0.5, 0);
                below[o] = Math.min((int) position, in - 1);
                above[o] = Math.min(below[o] + 1, in - 1);
                weight[o] = position - below[o];
            }
        }

        /** The interpolated value at output o of the row starting at {@code row}. */
        double mix(float[] source, int row, int o) {
            return (1 - weight[o]) * source[row + below[o]] + weight[o] * source[row + above[o]];
        }
    }

    @Override
    public String toString() {
        return "RandomResizedCrop(scale=(" + minScale + ", " + maxScale + "), ratio=(" + minRatio + ", " + maxRatio
                + "))";
    }
}
