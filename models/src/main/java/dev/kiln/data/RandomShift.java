package dev.kiln.data;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Moves each image by a random whole number of pixels, independently in {@code [-maxShift, maxShift]} down and
 * across, filling the uncovered border with zeros; every channel moves alike. The same as torchvision's
 * {@code RandomCrop(size, padding=maxShift)} with zero padding.
 */
public final class RandomShift implements Augmentation {
    private final int maxShift;

    /** @param maxShift largest move in pixels, at least 0 */
    public RandomShift(int maxShift) {
        if (maxShift < 0) {
            throw new IllegalArgumentException("RandomShift: maxShift must be >= 0, got " + maxShift);
        }
        this.maxShift = maxShift;
    }

    public int maxShift() {
        return maxShift;
    }

    @Override
    public void apply(float[] features, int offset, int[] shape, SplittableRandom random) {
        int[] size = Datasets.imageSize("RandomShift", shape);
        int down = random.nextInt(-maxShift, maxShift + 1);
        int across = random.nextInt(-maxShift, maxShift + 1);
        shift(features, offset, Datasets.product(shape), size[0], size[1], down, across);
    }

    /** Output pixel (y, x) of every plane is input pixel (y - down, x - across), or 0 outside the image. */
    static void shift(float[] features, int offset, int length, int height, int width, int down, int across) {
        if (down == 0 && across == 0) {
            return;
        }
        int plane = height * width;
        int y0 = Math.max(0, down);
        int y1 = Math.min(height, height + down);
        int x0 = Math.max(0, across);
        int x1 = Math.min(width, width + across);
        float[] source = new float[plane];
        for (int start = offset; start < offset + length; start += plane) {
            System.arraycopy(features, start, source, 0, plane);
            Arrays.fill(features, start, start + plane, 0f);
            for (int y = y0; y < y1 && x1 > x0; y++) {
                System.arraycopy(source, (y - down) * width + x0 - across, features, start + y * width + x0, x1 - x0);
            }
        }
    }

    @Override
    public String toString() {
        return "RandomShift(" + maxShift + ")";
    }
}
