package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** CutMix's box, paste and targets against torchvision v2's formulas (MixingValues), and its draws. */
class CutMixTest {
    @Test
    void boxIsTorchvisions() {
        for (double[] c : MixingValues.BOXES) {
            int height = (int) c[3];
            int width = (int) c[4];
            CutMix.Box box = CutMix.box(c[0], (int) c[1], (int) c[2], height, width);
            String what = "lam " + c[0] + ", centre (" + (int) c[1] + ", " + (int) c[2] + ") of " + height + "x"
                    + width;
            assertEquals(new CutMix.Box((int) c[5], (int) c[6], (int) c[7], (int) c[8]), box, what);
            assertEquals(c[9], box.adjustedLambda(height, width), 1e-15, what);
        }
    }

    @Test
    void pastesTheRolledBatchsBoxAndMixesTheTargetsAsTorchvision() {
        float[] x = MixUpTest.batch();
        CutMix.Box box = CutMix.box(0.3, 2, 1, 5, 6);
        float[] targets = new CutMix(1, MixUpTest.CLASSES).paste(x, MixUpTest.LABELS.clone(), MixUpTest.SHAPE, box);
        assertArrayEquals(MixingValues.PASTED, x);
        assertArrayEquals(MixingValues.PASTED_TARGETS, targets);
    }

    @Test
    void targetsWeighTheRolledExampleByTheShareOfPixelsItGave() {
        CutMix cutmix = new CutMix(1, 2);
        SplittableRandom random = new SplittableRandom(23);
        int[] shape = {1, 28, 28};
        boolean[] leftEdge = new boolean[2];
        for (int draw = 0; draw < 2000; draw++) {
            // Example 0 is all zeros, class 0; example 1 all ones, class 1; each receives the other's box.
            float[] x = new float[2 * 784];
            java.util.Arrays.fill(x, 784, 2 * 784, 1f);
            float[] targets = cutmix.apply(x, new long[] {0, 1}, shape, random);
            double ones = 0;
            for (int i = 0; i < 784; i++) {
                ones += x[i];
            }
            assertEquals(ones / 784, targets[1], 1e-6, "the rolled example's weight is its pixels' share");
            leftEdge[x[0] == 1f ? 1 : 0] = true;
        }
        assertTrue(leftEdge[0] && leftEdge[1], "the box reaches the image's corner sometimes, not always");
    }

    @Test
    void refusesABatchThatIsNotOfImages() {
        CutMix cutmix = new CutMix(1, MixUpTest.CLASSES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> cutmix.apply(new float[4 * 30], MixUpTest.LABELS, new int[] {5, 6}, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("CutMix: expected a batch of images [batch, channels, height, width], got"
                + " examples of shape [5, 6]"), e.getMessage());
        IllegalArgumentException labels = assertThrows(IllegalArgumentException.class,
                () -> cutmix.apply(MixUpTest.batch(), new long[] {0, 9, 0, 0}, MixUpTest.SHAPE,
                        new SplittableRandom(1)));
        assertTrue(labels.getMessage().contains("CutMix: label 9 of example 1 is outside [0, 5) (num_classes 5)"),
                labels.getMessage());
    }
}
