package dev.kiln.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * torchvision's {@code RandomCrop(size, padding, fill)} with {@code size} the image's own (the CIFAR recipe): pads
 * each image [channels, height, width] by {@code padding} pixels of {@code fill} on every side, then crops
 * [height, width] back out at a top and a left offset each drawn uniformly from [0, 2 padding]; every channel alike.
 * With fill 0 it moves the image as {@link RandomShift} does.
 */
public final class RandomCrop implements Augmentation {
    private final int padding;
    private final float fill;

    /** @param padding pixels added on each side before cropping, at least 0; the border is filled with 0 */
    public RandomCrop(int padding) {
        this(padding, 0f);
    }

    /**
     * @param padding pixels added on each side before cropping, at least 0
     * @param fill    value of the added pixels (torchvision's {@code padding_mode='constant'})
     */
    public RandomCrop(int padding, float fill) {
        if (padding < 0) {
            throw new IllegalArgumentException("RandomCrop: padding must be >= 0, got " + padding);
        }
        if (!Float.isFinite(fill)) {
            throw new IllegalArgumentException("RandomCrop: fill must be finite, got " + fill);
        }
        this.padding = padding;
        this.fill = fill;
    }

    public int padding() {
        return padding;
    }

    public float fill() {
        return fill;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomCrop", shape);
        int top = random.nextInt(2 * padding + 1);
        int left = random.nextInt(2 * padding + 1);
        crop(features, offset, Datasets.product(shape), size[0], size[1], padding, fill, top, left);
    }

    /**
     * Output pixel (y, x) of every plane is pixel (y + top, x + left) of the plane padded by {@code padding} pixels
     * of {@code fill}: input pixel (y + top - padding, x + left - padding), or {@code fill} outside the image.
     */
    static void crop(float[] features, int offset, int length, int height, int width, int padding, float fill, int top,
            int left) {
        int down = padding - top;
        int across = padding - left;
        int y0 = clamp(down, height);
        int y1 = clamp(height + down, height);
        int x0 = clamp(across, width);
        int x1 = clamp(width + across, width);
        int plane = height * width;
        float[] source = new float[plane];
        for (int start = offset; start < offset + length; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            Arrays.fill(features, start, start + plane, fill);
            for (int y = y0; y < y1 && x1 > x0; y++) {
                System.arraycopy(source, (y - down) * width + x0 - across, features, start + y * width + x0, x1 - x0);
            }
        }
    }

    private static int clamp(int value, int size) {
        return Math.max(0, Math.min(size, value));
    }

    @Override
    public String toString() {
        return "RandomCrop(padding=" + padding + ", fill=" + fill + ")";
    }
}
