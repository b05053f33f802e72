package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** MixUp against torchvision v2's formulas for fixed lambdas (MixingValues), and its draws of lambda. */
class MixUpTest {
    static final int[] SHAPE = {2, 5, 6};
    static final long[] LABELS = {3, 0, 0, 1};
    static final int CLASSES = 5;

    /** The script's batch: element k (row-major over the batch) 0.5 + 0.5 sin(0.7 k + 0.1), rounded to F32. */
    static float[] batch() {
        float[] x = new float[LABELS.length * 2 * 5 * 6];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) (0.5 + 0.5 * Math.sin(0.7 * k + 0.1));
        }
        return x;
    }

    @Test
    void mixesImagesAndTargetsAsTorchvision() {
        check(1 / Math.PI, MixingValues.MIXED_LAM_0318, MixingValues.TARGETS_LAM_0318);
        check(0.5, MixingValues.MIXED_LAM_HALF, MixingValues.TARGETS_LAM_HALF);
        check(21.0 / 23, MixingValues.MIXED_LAM_0913, MixingValues.TARGETS_LAM_0913);
    }

    private static void check(double lam, float[] mixed, float[] targets) {
        float[] x = batch();
        float[] t = new MixUp(1, CLASSES).mix(x, LABELS.clone(), SHAPE, lam);
        assertArrayEquals(mixed, x, "images mixed at lam " + lam);
        assertArrayEquals(targets, t, "targets mixed at lam " + lam);
    }

    @Test
    void lambdaIsDrawnFromBetaOfAlphaAndAlpha() {
        for (double alpha : new double[] {0.2, 1}) {
            MixUp mixup = new MixUp(alpha, 2);
            SplittableRandom random = new SplittableRandom(17);
            int draws = 20_000;
            double sum = 0;
            double sumOfSquares = 0;
            for (int i = 0; i < draws; i++) {
                // Example 0 (class 0) is paired with example 1 (class 1): its row is {lam, 1 - lam}.
                float[] targets = mixup.apply(new float[2 * 4], new long[] {0, 1}, new int[] {1, 2, 2}, random);
                sum += targets[0];
                sumOfSquares += targets[0] * (double) targets[0];
                assertEquals(1, targets[0] + targets[1], 1e-6);
            }
            double mean = sum / draws;
            double variance = sumOfSquares / draws - mean * mean;
            // Beta(a, a): mean 1/2, variance 1 / (4 (2a + 1)).
            double expectedVariance = 1 / (4 * (2 * alpha + 1));
            assertEquals(0.5, mean, 5 * Math.sqrt(expectedVariance / draws), "mean of lambda, alpha " + alpha);
            assertEquals(expectedVariance, variance, 0.01, "variance of lambda, alpha " + alpha);
        }
    }

    @Test
    void refusesLabelsOutsideTheClasses() {
        MixUp mixup = new MixUp(1, CLASSES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mixup.apply(batch(), new long[] {3, 0, 5, 1}, SHAPE, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("MixUp: label 5 of example 2 is outside [0, 5) (num_classes 5)"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> mixup.apply(batch(), new long[] {3, -1, 0, 1}, SHAPE, new SplittableRandom(1)));
    }

    @Test
    void refusesABatchThatIsNotOfImages() {
        MixUp mixup = new MixUp(1, CLASSES);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> mixup.apply(new float[4 * 60], LABELS, new int[] {60}, new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("MixUp: expected a batch of images [batch, channels, height, width], got"
                + " examples of shape [60]"), e.getMessage());
        IllegalArgumentException sizes = assertThrows(IllegalArgumentException.class,
                () -> mixup.apply(new float[3 * 60], LABELS, SHAPE, new SplittableRandom(1)));
        assertTrue(sizes.getMessage().contains("MixUp: 180 feature values for 4 examples of shape [2, 5, 6]"),
                sizes.getMessage());
    }

    @Test
    void refusesAnAlphaOrClassCountThatIsNotPositive() {
        assertThrows(IllegalArgumentException.class, () -> new MixUp(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new MixUp(Double.NaN, 10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MixUp(1, 0));
        assertTrue(e.getMessage().contains("MixUp: num_classes must be at least 1, got 0"), e.getMessage());
    }
}
