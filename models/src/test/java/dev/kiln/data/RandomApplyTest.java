package dev.kiln.data;

import static dev.kiln.data.TorchImages.SHAPE;
import static dev.kiln.data.TorchImages.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomApplyTest {
    private static final Augmentation ADD_ONE = (features, offset, shape, random) -> {
        for (int i = offset; i < offset + Datasets.product(shape); i++) {
            features[i] += 1;
        }
    };

    @Test
    void appliesTheAugmentationWithItsProbability() {
        RandomApply apply = new RandomApply(0.25, ADD_ONE);
        SplittableRandom random = new SplittableRandom(5);
        int applied = 0;
        for (int draw = 0; draw < 10_000; draw++) {
            float[] image = image();
            apply.apply(image, 0, SHAPE, random);
            applied += Arrays.equals(image(), image) ? 0 : 1;
        }
        assertTrue(applied > 2_300 && applied < 2_700, applied + " of 10000 applied, not ~2500");
    }

    @Test
    void theAugmentationDrawsFromTheStreamAfterTheCoin() {
        RandomRotation rotation = new RandomRotation(30);
        float[] expected = image();
        SplittableRandom afterCoin = new SplittableRandom(6);
        afterCoin.nextDouble();
        rotation.apply(expected, 0, SHAPE, afterCoin);
        float[] image = image();
        new RandomApply(1, rotation).apply(image, 0, SHAPE, new SplittableRandom(6));
        assertArrayEquals(expected, image);
    }

    @Test
    void probabilityZeroNeverAppliesAndOneAlways() {
        for (long seed = 0; seed < 100; seed++) {
            float[] never = image();
            new RandomApply(0, ADD_ONE).apply(never, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(image(), never);
            float[] always = image();
            new RandomApply(1, ADD_ONE).apply(always, 0, SHAPE, new SplittableRandom(seed));
            assertEquals(image()[0] + 1, always[0]);
        }
    }

    @Test
    void rejectsAProbabilityOutsideZeroToOneAndNoAugmentation() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomApply(2, ADD_ONE));
        assertEquals("RandomApply: p must be in [0, 1], got 2.0", e.getMessage());
        assertThrows(NullPointerException.class, () -> new RandomApply(0.5, null));
    }
}
