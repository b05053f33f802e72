package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.data.RandomRotation.Interpolation;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The colour augmentations read an example's channels from its axis -3, as torchvision's {@code get_dimensions}
 * does ([height, width] is one channel), and the dimensions before it as a batch of images that share the example's
 * one draw, as a torchvision transform shares its draw over a batch: an example [3, 1, H, W] is three grey images,
 * not one RGB image (models/src/test/pytorch/image_channel_axis.py restates torchvision's rule in torch).
 */
class ImageChannelAxisTest {
    private static final int H = 5;
    private static final int W = 6;
    private static final int SEEDS = 20;

    private static List<Augmentation> augmentations() {
        return List.of(new ColorJitter(0.4, 0.4), new RandomGrayscale(1), new AutoAugment(), new RandAugment(),
                new TrivialAugmentWide(), new RandomAdjustSharpness(2, 1), new RandomAutocontrast(1),
                new RandomEqualize(1), new RandomPosterize(3, 1), new RandomSolarize(0.5, 1));
    }

    @Test
    void anExampleOfThreeGreyImagesIsThreeGreyImagesNotOneRgbImage() {
        assertEachImageAugmentedAlike(3, 1);
    }

    @Test
    void anExampleOfTwoRgbImagesIsTwoRgbImagesWithOneDraw() {
        assertEachImageAugmentedAlike(2, 3);
    }

    @Test
    void anImageOfHeightAndWidthAloneIsOneChannel() {
        for (Augmentation augmentation : augmentations()) {
            for (int seed = 0; seed < SEEDS; seed++) {
                float[] expected = pixels(1, seed);
                augmentation.apply(expected, 0, new int[] {1, H, W}, new SplittableRandom(seed));
                float[] actual = pixels(1, seed);
                augmentation.apply(actual, 0, new int[] {H, W}, new SplittableRandom(seed));
                assertArrayEquals(expected, actual, augmentation + " seed " + seed);
            }
        }
    }

    @Test
    void channelCountsOtherThanOneOrThreeOnAxisMinusThreeAreRefusedAsTorchvisionRefusesThem() {
        for (Augmentation augmentation : augmentations()) {
            for (int[] shape : new int[][] {{2, H, W}, {1, 2, H, W}, {3, 2, H, W}}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> augmentation.apply(new float[Datasets.product(shape)], 0, shape, new SplittableRandom(1)),
                        augmentation + " " + Arrays.toString(shape));
                String name = augmentation.getClass().getSimpleName();
                assertEquals(name + " needs grey or RGB images [..., 1 or 3, height, width], got example shape "
                        + Arrays.toString(shape), e.getMessage());
            }
        }
    }

    /** torchvision draws AugMix's weights for each image of a batch; Kiln draws one image's an example. */
    @Test
    void augMixRefusesAnExampleOfSeveralImages() {
        AugMix augMix = new AugMix(3, 3, -1, 1, true, Interpolation.BILINEAR);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> augMix.apply(new float[3 * H * W], 0, new int[] {3, 1, H, W}, new SplittableRandom(1)));

        assertEquals("AugMix takes one image [1 or 3, height, width] an example, got example shape [3, 1, 5, 6]:"
                + " 3 images, which torchvision would give weights each", e.getMessage());
    }

    /** Each augmentation on [images, channels, H, W] against each image [channels, H, W] with the same draws. */
    private static void assertEachImageAugmentedAlike(int images, int channels) {
        int length = channels * H * W;
        for (Augmentation augmentation : augmentations()) {
            for (int seed = 0; seed < SEEDS; seed++) {
                float[] expected = pixels(images * channels, seed);
                for (int k = 0; k < images; k++) {
                    augmentation.apply(expected, k * length, new int[] {channels, H, W}, new SplittableRandom(seed));
                }
                float[] actual = pixels(images * channels, seed);
                augmentation.apply(actual, 0, new int[] {images, channels, H, W}, new SplittableRandom(seed));
                assertArrayEquals(expected, actual, augmentation + " seed " + seed);
            }
        }
    }

    /** {@code planes} planes of [H, W] values in [0, 1], different for each seed and plane. */
    private static float[] pixels(int planes, int seed) {
        SplittableRandom random = new SplittableRandom(1000 + seed);
        float[] values = new float[planes * H * W];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        return values;
    }
}
