package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** RandomBatchChoice: torchvision's RandomChoice([cutmix, mixup]) of the classification recipe. */
class RandomBatchChoiceTest {
    /** Writes its index into every target, so that the test sees which one was chosen. */
    private record Marker(int index) implements BatchAugmentation {
        @Override
        public float[] apply(float[] features, long[] labels, int[] shape, SplittableRandom random) {
            return new float[] {index};
        }

        @Override
        public int classes() {
            return 3;
        }
    }

    @Test
    void choosesEachAugmentationEquallyOften() {
        RandomBatchChoice choice = new RandomBatchChoice(new Marker(0), new Marker(1));
        SplittableRandom random = new SplittableRandom(5);
        int draws = 10_000;
        int second = 0;
        for (int i = 0; i < draws; i++) {
            second += (int) choice.apply(new float[1], new long[] {0}, new int[] {1, 1, 1}, random)[0];
        }
        // Binomial(10000, 1/2): standard deviation 50.
        assertEquals(draws / 2.0, second, 250);
        assertEquals(3, choice.classes());
    }

    @Test
    void theChosenAugmentationDrawsFromTheSameStream() {
        RandomBatchChoice choice = new RandomBatchChoice(new MixUp(1, 5), new MixUp(1, 5));
        float[] a = choice.apply(MixUpTest.batch(), MixUpTest.LABELS, MixUpTest.SHAPE, new SplittableRandom(8));
        float[] b = choice.apply(MixUpTest.batch(), MixUpTest.LABELS, MixUpTest.SHAPE, new SplittableRandom(8));
        assertEquals(java.util.Arrays.toString(a), java.util.Arrays.toString(b));
    }

    @Test
    void refusesAugmentationsOfOtherClassCounts() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomBatchChoice(new CutMix(1, 10), new MixUp(1, 100)));
        assertTrue(e.getMessage().contains("RandomBatchChoice: every choice must give targets of the same classes, but"
                + " CutMix(alpha=1.0, num_classes=10) gives 10 and MixUp(alpha=1.0, num_classes=100) gives 100"),
                e.getMessage());
        assertThrows(IllegalArgumentException.class, RandomBatchChoice::new);
    }
}
