package dev.kiln.data;

import static dev.kiln.data.TorchImages.HEIGHT;
import static dev.kiln.data.TorchImages.SHAPE;
import static dev.kiln.data.TorchImages.WIDTH;
import static dev.kiln.data.TorchImages.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomErasingTest {
    private static final int LENGTH = SHAPE[0] * HEIGHT * WIDTH;

    @Test
    void eraseSetsTheRectangleOfEveryChannelAndNothingElse() {
        float[] image = new float[2 + LENGTH + 2];
        System.arraycopy(image(), 0, image, 2, LENGTH);
        RandomErasing.erase(image, 2, LENGTH, HEIGHT, WIDTH, 1, 2, 3, 4, -1f);
        float[] original = image();
        for (int i = 0; i < image.length; i++) {
            int k = i - 2;
            boolean inImage = k >= 0 && k < LENGTH;
            int y = Math.floorMod(k, HEIGHT * WIDTH) / WIDTH;
            int x = Math.floorMod(k, WIDTH);
            boolean erased = inImage && y >= 1 && y < 4 && x >= 2 && x < 6;
            float expected = erased ? -1f : inImage ? original[k] : 0f;
            assertEquals(expected, image[i], "at " + i);
        }
    }

    @Test
    void drawsTheAreaTheRatioThenTheTopAndLeftFromTheGivenRandom() {
        SplittableRandom same = new SplittableRandom(4);
        double area = 40 * 30 * (0.02 + 0.31 * same.nextDouble());
        double ratio = Math.exp(Math.log(0.3) + (Math.log(3.3) - Math.log(0.3)) * same.nextDouble());
        int height = (int) Math.rint(Math.sqrt(area * ratio));
        int width = (int) Math.rint(Math.sqrt(area / ratio));
        assertTrue(height < 40 && width < 30, "seed 4's first draw fits: " + height + " x " + width);
        int top = same.nextInt(40 - height + 1);
        int left = same.nextInt(30 - width + 1);
        int[] box = new RandomErasing().eraseBox(40, 30, new SplittableRandom(4));
        assertArrayEquals(new int[] {top, left, height, width}, box);
    }

    @Test
    void drawnRectanglesAreSmallerThanTheImageAndSpanTheScaleAndRatioRanges() {
        RandomErasing erasing = new RandomErasing();
        SplittableRandom random = new SplittableRandom(12);
        double smallestShare = 1;
        double largestShare = 0;
        double smallestRatio = 10;
        double largestRatio = 0;
        for (int draw = 0; draw < 2_000; draw++) {
            int[] box = erasing.eraseBox(100, 100, random);
            assertTrue(box[0] >= 0 && box[1] >= 0 && box[2] < 100 && box[3] < 100 && box[0] + box[2] <= 100
                    && box[1] + box[3] <= 100, Arrays.toString(box));
            double share = box[2] * box[3] / 10_000.0;
            double ratio = (double) box[2] / box[3];
            assertTrue(share > 0.018 && share < 0.34 && ratio > 0.29 && ratio < 3.4,
                    "share " + share + " ratio " + ratio);
            smallestShare = Math.min(smallestShare, share);
            largestShare = Math.max(largestShare, share);
            smallestRatio = Math.min(smallestRatio, ratio);
            largestRatio = Math.max(largestRatio, ratio);
        }
        assertTrue(smallestShare < 0.03 && largestShare > 0.3, "shares " + smallestShare + " to " + largestShare);
        assertTrue(smallestRatio < 0.35 && largestRatio > 3, "ratios " + smallestRatio + " to " + largestRatio);
    }

    @Test
    void whenNoDrawIsSmallerThanTheImageNothingIsErased() {
        RandomErasing whole = new RandomErasing(1, 1, 1, 1, 1, 0f);
        assertNull(whole.eraseBox(6, 6, new SplittableRandom(1)));
        float[] image = new float[36];
        Arrays.fill(image, 0.5f);
        whole.apply(image, 0, new int[] {1, 6, 6}, new SplittableRandom(1));
        for (float v : image) {
            assertEquals(0.5f, v);
        }
    }

    @Test
    void erasesWithItsProbabilityTheDrawnRectangle() {
        RandomErasing erasing = new RandomErasing(0.3, 0.02, 0.33, 0.3, 3.3, 0f);
        int erased = 0;
        for (long seed = 0; seed < 4_000; seed++) {
            SplittableRandom same = new SplittableRandom(seed);
            float[] expected = image();
            if (same.nextDouble() < 0.3) {
                int[] box = erasing.eraseBox(HEIGHT, WIDTH, same);
                RandomErasing.erase(expected, 0, LENGTH, HEIGHT, WIDTH, box[0], box[1], box[2], box[3], 0f);
                erased++;
            }
            float[] image = image();
            erasing.apply(image, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed);
        }
        assertTrue(erased > 1_100 && erased < 1_300, "erased " + erased + " of 4000 at p = 0.3");
    }

    @Test
    void theSameSeedErasesTheSame() {
        RandomErasing always = new RandomErasing(1, 0.02, 0.33, 0.3, 3.3, 0f);
        float[] first = image();
        float[] second = image();
        always.apply(first, 0, SHAPE, new SplittableRandom(6));
        always.apply(second, 0, SHAPE, new SplittableRandom(6));
        assertArrayEquals(first, second);
    }

    @Test
    void rejectsAProbabilityOrScaleOutsideZeroToOneAndRangesOutOfOrder() {
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class,
                () -> new RandomErasing(1.5, 0.02, 0.33, 0.3, 3.3, 0f));
        assertEquals("RandomErasing: p must be in [0, 1], got 1.5", p.getMessage());
        IllegalArgumentException scale = assertThrows(IllegalArgumentException.class,
                () -> new RandomErasing(0.5, 0.02, 1.5, 0.3, 3.3, 0f));
        assertEquals("RandomErasing: scale must be (min, max) with 0 <= min <= max <= 1, got (0.02, 1.5)",
                scale.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomErasing(0.5, 0.33, 0.02, 0.3, 3.3, 0f));
        IllegalArgumentException ratio = assertThrows(IllegalArgumentException.class,
                () -> new RandomErasing(0.5, 0.02, 0.33, 3.3, 0.3, 0f));
        assertEquals("RandomErasing: ratio must be (min, max) with 0 < min <= max, got (3.3, 0.3)", ratio.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomErasing(0.5, 0.02, 0.33, 0.3, 3.3, Float.NaN));
    }
}
