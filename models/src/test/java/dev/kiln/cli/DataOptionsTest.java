package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code --augment}'s list, {@code --train-size} and {@code --per-class} as {@link DataOptions} reads and builds them. */
class DataOptionsTest {
    @Test
    void trainSizeLeftOutTrainsOnTheWholeSet() {
        assertEquals(0, DataOptions.trainSize(Options.parse(new String[0])), "0: the whole set, as Sampling reads it");
        assertEquals(5, DataOptions.trainSize(Options.parse(new String[] {"--train-size", "5"})));
    }

    @Test
    void trainSizeZeroOrNegativeIsRefusedSayingToLeaveTheOptionOut() {
        for (String n : List.of("0", "-3")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataOptions.trainSize(Options.parse(new String[] {"--train-size", n})));
            assertEquals("--train-size must be a positive number of training examples, got " + n + "; leave the"
                    + " option out to train on the whole set", e.getMessage());
        }
    }

    @Test
    void perClassZeroOrNegativeIsRefusedSayingToLeaveTheOptionOut() {
        for (String n : List.of("0", "-2")) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> DataOptions.sampling(Options.parse(new String[] {"--per-class", n})));
            assertEquals("--per-class must be a positive number of training examples per class, got " + n + "; leave"
                    + " the option out to train on the whole set", e.getMessage());
        }
    }

    @Test
    void perClassLeftOutTakesEveryImageOfEachClass() {
        assertEquals(new DataOptions.Sampling(0, 0), DataOptions.sampling(Options.parse(new String[0])));
        assertEquals(new DataOptions.Sampling(0, 7),
                DataOptions.sampling(Options.parse(new String[] {"--per-class", "7"})));
    }

    @Test
    void augmentListsTheNamesInTheOrderGiven() {
        assertEquals(List.of("erase", "crop", "rotate"), DataOptions.augmentations("erase,crop,rotate"));
        assertEquals(List.of(), DataOptions.augmentations("none"));
        assertEquals(List.of("affine", "blur"), DataOptions.augmentations("affine,blur"));
        assertNull(DataOptions.augmentation(List.of(), new int[] {1, 28, 28}));
    }

    @Test
    void cropPadsMnistSizedImagesByTwoAndLargerOnesByFour() {
        assertEquals(2, DataOptions.cropPadding(new int[] {1, 28, 28}));
        assertEquals(2, DataOptions.cropPadding(new int[] {3, 16, 20}));
        assertEquals(4, DataOptions.cropPadding(new int[] {3, 32, 32}));
        assertEquals(4, DataOptions.cropPadding(new int[] {1, 28, 29}));
    }

    @Test
    void cropOfExamplesThatAreNotImagesIsRefusedNamingTheShape() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DataOptions.augmentation(List.of("crop"), new int[] {784}));
        assertEquals("--augment crop needs images [..., height, width], got examples of shape [784]", e.getMessage());
    }

    @Test
    void eachNameBuildsItsAugmentation() {
        assertEquals("RandomShift(2)", built("shift"));
        assertEquals("RandomHorizontalFlip(0.5)", built("flip"));
        assertEquals("RandomCrop(padding=2, fill=0.0)", built("crop"));
        assertEquals("RandomRotation(degrees=10.0, NEAREST, fill=0.0)", built("rotate"));
        assertEquals("RandomErasing(p=0.5, scale=(0.02, 0.33), ratio=(0.3, 3.3), value=0.0)", built("erase"));
        assertEquals("RandomAffine(degrees=(-10.0, 10.0), translate=(0.1, 0.1), scale=(0.9, 1.1), shear=none, BILINEAR,"
                + " fill=0.0)", built("affine"));
        assertEquals("GaussianBlur(kernel=3x3, sigma=(0.1, 2.0))", built("blur"));
        assertEquals("AutoAugment(IMAGENET, NEAREST)", built("autoaugment"));
        assertEquals("RandAugment(numOps=2, magnitude=9, numMagnitudeBins=31, NEAREST)", built("randaugment"));
        assertEquals("TrivialAugmentWide(numMagnitudeBins=31, NEAREST)", built("trivialaugment"));
        assertEquals("AugMix(severity=3, mixtureWidth=3, chainDepth=-1, alpha=1.0, allOps=true, BILINEAR)",
                built("augmix"));
        assertEquals("AutoAugment(CIFAR10, NEAREST)", built("autoaugment-cifar10"));
        assertEquals("AutoAugment(SVHN, NEAREST)", built("autoaugment-svhn"));
    }

    private static String built(String name) {
        return DataOptions.augmentation(List.of(name), new int[] {1, 28, 28}).toString();
    }
}
