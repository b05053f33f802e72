package dev.kiln.data;

import static dev.kiln.data.TorchImages.HEIGHT;
import static dev.kiln.data.TorchImages.WIDTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomGrayscaleTest {
    private static final int[] RGB = {3, HEIGHT, WIDTH};

    /**
     * rgb_to_grayscale(image, num_output_channels=3) of the 3 x 5 x 6 image (0.2989 R + 0.587 G + 0.114 B in every
     * channel), printed by augmentation_affine_blur.py.
     */
    @Test
    void greyMatchesTorchvisionsRgbToGrayscale() {
        float[] grayscaleRgb = {0.6888958215713501f, 0.6101676821708679f, 0.4796024560928345f, 0.3586069345474243f,
                0.3040873408317566f, 0.3416849970817566f, 0.4537171423435211f, 0.5874933004379272f, 0.6800965666770935f,
                0.6879739761352539f, 0.6074208617210388f, 0.4763224422931671f, 0.35633647441864014f,
                0.30389419198036194f, 0.34365999698638916f, 0.4569314420223236f, 0.5904352068901062f,
                0.6813823580741882f, 0.6869990229606628f, 0.6046436429023743f, 0.47304922342300415f,
                0.3541066646575928f, 0.3037564754486084f, 0.34567922353744507f, 0.46015793085098267f,
                0.593351423740387f, 0.6826168894767761f, 0.6859711408615112f, 0.6018368005752563f, 0.4697835445404053f,
                0.6888958215713501f, 0.6101676821708679f, 0.4796024560928345f, 0.3586069345474243f, 0.3040873408317566f,
                0.3416849970817566f, 0.4537171423435211f, 0.5874933004379272f, 0.6800965666770935f, 0.6879739761352539f,
                0.6074208617210388f, 0.4763224422931671f, 0.35633647441864014f, 0.30389419198036194f,
                0.34365999698638916f, 0.4569314420223236f, 0.5904352068901062f, 0.6813823580741882f,
                0.6869990229606628f, 0.6046436429023743f, 0.47304922342300415f, 0.3541066646575928f,
                0.3037564754486084f, 0.34567922353744507f, 0.46015793085098267f, 0.593351423740387f,
                0.6826168894767761f, 0.6859711408615112f, 0.6018368005752563f, 0.4697835445404053f, 0.6888958215713501f,
                0.6101676821708679f, 0.4796024560928345f, 0.3586069345474243f, 0.3040873408317566f, 0.3416849970817566f,
                0.4537171423435211f, 0.5874933004379272f, 0.6800965666770935f, 0.6879739761352539f, 0.6074208617210388f,
                0.4763224422931671f, 0.35633647441864014f, 0.30389419198036194f, 0.34365999698638916f,
                0.4569314420223236f, 0.5904352068901062f, 0.6813823580741882f, 0.6869990229606628f, 0.6046436429023743f,
                0.47304922342300415f, 0.3541066646575928f, 0.3037564754486084f, 0.34567922353744507f,
                0.46015793085098267f, 0.593351423740387f, 0.6826168894767761f, 0.6859711408615112f, 0.6018368005752563f,
                0.4697835445404053f};
        float[] image = TorchImages.image(3);
        new RandomGrayscale(1).apply(image, 0, RGB, new SplittableRandom(1));
        for (int i = 0; i < image.length; i++) {
            assertEquals(grayscaleRgb[i], image[i], 1e-6, "element " + i);
        }
    }

    @Test
    void greyHappensWithItsProbabilityAndTorchvisionsDefaultIsATenth() {
        assertEquals(0.1, new RandomGrayscale().p());
        RandomGrayscale grey = new RandomGrayscale(0.3);
        SplittableRandom random = new SplittableRandom(3);
        int changed = 0;
        for (int draw = 0; draw < 10_000; draw++) {
            float[] image = TorchImages.image(3);
            grey.apply(image, 0, RGB, random);
            changed += Arrays.equals(TorchImages.image(3), image) ? 0 : 1;
        }
        assertTrue(changed > 2_800 && changed < 3_200, changed + " of 10000 turned grey, not ~3000");
    }

    @Test
    void aGreyImageStaysAsItIs() {
        float[] image = TorchImages.image(1);
        new RandomGrayscale(1).apply(image, 0, new int[] {1, HEIGHT, WIDTH}, new SplittableRandom(1));
        assertArrayEquals(TorchImages.image(1), image);
    }

    @Test
    void refusesImagesThatAreNeitherGreyNorRgbAndAProbabilityOutsideZeroToOne() {
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> new RandomGrayscale(1).apply(TorchImages.image(2), 0, TorchImages.SHAPE,
                        new SplittableRandom(1)));
        assertEquals("RandomGrayscale needs grey or RGB images [..., 1 or 3, height, width], got example shape"
                + " [2, 5, 6]", channels.getMessage());
        IllegalArgumentException p = assertThrows(IllegalArgumentException.class, () -> new RandomGrayscale(-0.1));
        assertEquals("RandomGrayscale: p must be in [0, 1], got -0.1", p.getMessage());
    }
}
