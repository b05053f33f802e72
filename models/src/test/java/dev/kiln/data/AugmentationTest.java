package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentationTest {
    /** Two channels of a 3x4 image: channel c, pixel (y, x) holds 100c + 10y + x + 1 (never 0). */
    private static float[] twoChannelImage() {
        float[] image = new float[2 * 3 * 4];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    image[c * 12 + y * 4 + x] = 100 * c + 10 * y + x + 1;
                }
            }
        }
        return image;
    }

    /** The same by a direct definition: output (y, x) = input (y - down, x - across), 0 outside. */
    private static float[] shiftedByDefinition(float[] image, int down, int across) {
        float[] expected = new float[image.length];
        for (int c = 0; c < 2; c++) {
            for (int y = 0; y < 3; y++) {
                for (int x = 0; x < 4; x++) {
                    int sy = y - down;
                    int sx = x - across;
                    boolean inside = sy >= 0 && sy < 3 && sx >= 0 && sx < 4;
                    expected[c * 12 + y * 4 + x] = inside ? image[c * 12 + sy * 4 + sx] : 0;
                }
            }
        }
        return expected;
    }

    @Test
    void shiftMovesEveryChannelAlikeAndZeroesTheUncoveredBorder() {
        for (int down = -3; down <= 3; down++) {
            for (int across = -4; across <= 4; across++) {
                float[] image = twoChannelImage();
                float[] padded = new float[image.length + 5];
                System.arraycopy(image, 0, padded, 5, image.length);
                RandomShift.shift(padded, 5, image.length, 3, 4, down, across);
                float[] expected = shiftedByDefinition(image, down, across);
                for (int i = 0; i < image.length; i++) {
                    assertEquals(expected[i], padded[5 + i], "down " + down + " across " + across + " at " + i);
                }
            }
        }
    }

    @Test
    void randomShiftDrawsEveryMoveUpToItsLimitAndNoFarther() {
        RandomShift shift = new RandomShift(2);
        Set<List<Integer>> moves = new HashSet<>();
        SplittableRandom random = new SplittableRandom(7);
        for (int draw = 0; draw < 2_000; draw++) {
            float[] dot = new float[9 * 9];
            dot[4 * 9 + 4] = 1;
            shift.apply(dot, 0, new int[] {1, 9, 9}, random);
            int at = indexOfOne(dot);
            moves.add(List.of(at / 9 - 4, at % 9 - 4));
        }
        assertEquals(25, moves.size(), "all 5 x 5 moves of up to 2 pixels: " + moves);
        for (List<Integer> move : moves) {
            assertTrue(Math.abs(move.get(0)) <= 2 && Math.abs(move.get(1)) <= 2, moves.toString());
        }
    }

    private static int indexOfOne(float[] image) {
        int at = -1;
        for (int i = 0; i < image.length; i++) {
            if (image[i] == 1) {
                assertEquals(-1, at, "one pixel is lit");
                at = i;
            } else {
                assertEquals(0, image[i]);
            }
        }
        return at;
    }

    @Test
    void flipMirrorsEveryRowOfEveryChannel() {
        float[] image = twoChannelImage();
        new RandomHorizontalFlip(1).apply(image, 0, new int[] {2, 3, 4}, new SplittableRandom(1));
        float[] original = twoChannelImage();
        for (int row = 0; row < 6; row++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(original[row * 4 + 3 - x], image[row * 4 + x], "row " + row + " x " + x);
            }
        }
    }

    @Test
    void flipHappensWithItsProbability() {
        RandomHorizontalFlip never = new RandomHorizontalFlip(0);
        RandomHorizontalFlip half = new RandomHorizontalFlip(0.5);
        SplittableRandom random = new SplittableRandom(3);
        int flipped = 0;
        for (int draw = 0; draw < 4_000; draw++) {
            float[] row = {1, 2};
            never.apply(row, 0, new int[] {1, 2}, random);
            assertArrayEquals(new float[] {1, 2}, row);
            half.apply(row, 0, new int[] {1, 2}, random);
            flipped += row[0] == 2 ? 1 : 0;
        }
        assertTrue(flipped > 1_850 && flipped < 2_150, "flipped " + flipped + " of 4000 at p = 0.5");
    }

    @Test
    void andThenAppliesBothInOrder() {
        float[] image = twoChannelImage();
        Augmentation moveRight = (f, offset, shape, random) -> RandomShift.shift(f, offset, 24, 3, 4, 0, 1);
        moveRight.andThen(new RandomHorizontalFlip(1)).apply(image, 0, new int[] {2, 3, 4}, new SplittableRandom(1));
        float[] moved = shiftedByDefinition(twoChannelImage(), 0, 1);
        for (int row = 0; row < 6; row++) {
            for (int x = 0; x < 4; x++) {
                assertEquals(moved[row * 4 + 3 - x], image[row * 4 + x], "row " + row + " x " + x);
            }
        }
    }

    @Test
    void imageAugmentationsRejectExamplesThatAreNotImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomShift(2).apply(new float[5], 0, new int[] {5}, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("RandomShift needs images [..., height, width], got example shape [5]"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomShift(-1));
        assertThrows(IllegalArgumentException.class, () -> new RandomHorizontalFlip(1.5));
    }

    /** 50 examples [1, 4, 4]: example i has every pixel i + 1 but a 0 in its top-left corner. */
    private static ArrayDataset cornered() {
        float[] f = new float[50 * 16];
        long[] l = new long[50];
        for (int i = 0; i < 50; i++) {
            Arrays.fill(f, i * 16 + 1, i * 16 + 16, i + 1);
            l[i] = i % 3;
        }
        return new ArrayDataset(f, l, new int[] {1, 4, 4}, 3);
    }

    private static List<float[]> features(Iterable<HostBatch> batches) {
        List<float[]> all = new ArrayList<>();
        for (HostBatch b : batches) {
            all.add(b.featureData());
        }
        return all;
    }

    @Test
    void loaderAugmentsTrainingBatchesReproduciblyPerSeedAndEpoch() {
        Augmentation flipAndShift = new RandomHorizontalFlip(0.5).andThen(new RandomShift(1));
        DataLoader augmented = new DataLoader(cornered(), 8, true, 11, flipAndShift);
        DataLoader again = new DataLoader(cornered(), 8, true, 11, flipAndShift);
        DataLoader plain = new DataLoader(cornered(), 8, true, 11);
        List<float[]> epoch0 = features(augmented.epoch(0));
        List<float[]> repeat = features(again.epoch(0));
        List<float[]> untouched = features(plain.epoch(0));
        List<float[]> epoch1 = features(augmented.epoch(1));
        boolean changed = false;
        boolean differsByEpoch = false;
        for (int b = 0; b < epoch0.size(); b++) {
            assertArrayEquals(repeat.get(b), epoch0.get(b), "same seed and epoch: same augmented batch " + b);
            changed |= !Arrays.equals(untouched.get(b), epoch0.get(b));
            differsByEpoch |= !Arrays.equals(epoch1.get(b), epoch0.get(b));
        }
        assertTrue(changed, "augmentation changed some examples");
        assertTrue(differsByEpoch, "another epoch draws other changes");
        assertTrue(untouched.get(0)[0] == 0 && untouched.get(0)[1] > 0, "the plain loader delivers examples as they are");
    }

    @Test
    void resumingPartWayGivesTheSameAugmentedBatches() {
        DataLoader loader = new DataLoader(cornered(), 8, true, 5, new RandomShift(1));
        List<float[]> whole = features(loader.epoch(2));
        List<float[]> rest = features(loader.epoch(2, 3));
        assertEquals(whole.size() - 3, rest.size());
        for (int b = 0; b < rest.size(); b++) {
            assertArrayEquals(whole.get(3 + b), rest.get(b), "batch " + (3 + b));
        }
        assertFalse(rest.isEmpty());
    }
}
