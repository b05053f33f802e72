package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The image of the tests that compare augmentations with numbers printed by {@code models/src/test/pytorch/
 * augmentation.py} (torch 1.13, F32): {@link #CHANNELS} x {@link #HEIGHT} x {@link #WIDTH}, element k (row-major)
 * {@code 0.5 + 0.5 sin(0.7 k + 0.1)}, which the script computes the same way.
 */
final class TorchImages {
    static final int CHANNELS = 2;
    static final int HEIGHT = 5;
    static final int WIDTH = 6;
    static final int[] SHAPE = {CHANNELS, HEIGHT, WIDTH};

    private TorchImages() {
    }

    static float[] image() {
        return image(CHANNELS);
    }

    /** The same pattern with {@code channels} channels, as {@code image(channels)} in the script. */
    static float[] image(int channels) {
        float[] image = new float[channels * HEIGHT * WIDTH];
        for (int k = 0; k < image.length; k++) {
            image[k] = (float) (0.5 + 0.5 * Math.sin(0.7 * k + 0.1));
        }
        return image;
    }

    /** {@link #image()} placed at {@code offset} in a longer array, to show that nothing outside it is touched. */
    static float[] imageAt(int offset) {
        float[] image = image();
        float[] placed = new float[offset + image.length + 3];
        System.arraycopy(image, 0, placed, offset, image.length);
        return placed;
    }

    /** The image of {@link #imageAt} equals {@code expected} to {@code tolerance}, and its surroundings are still 0. */
    static void assertImageAt(float[] expected, float[] actual, int offset, double tolerance) {
        for (int i = 0; i < actual.length; i++) {
            boolean inImage = i >= offset && i < offset + expected.length;
            float want = inImage ? expected[i - offset] : 0f;
            String where = inImage ? "channel " + (i - offset) / (HEIGHT * WIDTH) + " row "
                    + (i - offset) % (HEIGHT * WIDTH) / WIDTH + " column " + (i - offset) % WIDTH : "outside, at " + i;
            assertEquals(want, actual[i], tolerance, where);
        }
    }
}
