package dev.kiln.data;

import static dev.kiln.data.TorchImages.HEIGHT;
import static dev.kiln.data.TorchImages.SHAPE;
import static dev.kiln.data.TorchImages.WIDTH;
import static dev.kiln.data.TorchImages.assertImageAt;
import static dev.kiln.data.TorchImages.image;
import static dev.kiln.data.TorchImages.imageAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomVerticalFlipTest {
    /** image.flip(-2) of the 2 x 5 x 6 image, printed by augmentation_affine_blur.py. */
    @Test
    void flipMatchesTorchvisionsVflip() {
        float[] verticalFlip = {0.035437993705272675f, 0.02557775191962719f, 0.23884570598602295f, 0.5749385952949524f,
                0.8757867217063904f, 0.9998964667320251f, 0.5666159987449646f, 0.8701879382133484f, 0.9996547102928162f,
                0.8941260576248169f, 0.6032337546348572f, 0.26378899812698364f, 0.8992435336112976f,
                0.6114449501037598f, 0.2712320387363434f, 0.03861228749155998f, 0.022990375757217407f,
                0.23171354830265045f, 0.04191702976822853f, 0.020537862554192543f, 0.22465722262859344f,
                0.5582746267318726f, 0.8644845485687256f, 0.9992716908454895f, 0.549916684627533f, 0.8586780428886414f,
                0.9987474679946899f, 0.9042481780052185f, 0.619624674320221f, 0.2787397801876068f, 0.5997698307037354f,
                0.8919393420219421f, 0.9997736215591431f, 0.8725565671920776f, 0.5701203346252441f,
                0.23470541834831238f, 0.8781108260154724f, 0.5784342885017395f, 0.24186888337135315f,
                0.026706576347351074f, 0.034141555428504944f, 0.2606770396232605f, 0.029484296217560768f,
                0.031154129654169083f, 0.2533295154571533f, 0.5915178656578064f, 0.8866639733314514f,
                0.999955952167511f, 0.5832399725914001f, 0.8812792301177979f, 0.9999969005584717f, 0.8835581541061401f,
                0.5867260694503784f, 0.24910534918308258f, 0.8888970613479614f, 0.5949933528900146f,
                0.2564127445220947f, 0.03239504247903824f, 0.028299259021878242f, 0.24605169892311096f};
        float[] image = imageAt(3);
        new RandomVerticalFlip(1).apply(image, 3, SHAPE, new SplittableRandom(1));
        assertImageAt(verticalFlip, image, 3, 0);
    }

    @Test
    void flippingTwiceRestoresTheImage() {
        float[] image = image();
        RandomVerticalFlip.flip(image, 0, image.length, HEIGHT, WIDTH);
        RandomVerticalFlip.flip(image, 0, image.length, HEIGHT, WIDTH);
        assertArrayEquals(image(), image);
    }

    @Test
    void flipHappensWithItsProbability() {
        RandomVerticalFlip flip = new RandomVerticalFlip(0.3);
        SplittableRandom random = new SplittableRandom(2);
        int flipped = 0;
        for (int draw = 0; draw < 10_000; draw++) {
            float[] image = image();
            flip.apply(image, 0, SHAPE, random);
            flipped += Arrays.equals(image(), image) ? 0 : 1;
        }
        assertTrue(flipped > 2_800 && flipped < 3_200, flipped + " of 10000 flipped, not ~3000");
    }

    @Test
    void rejectsAProbabilityOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomVerticalFlip(1.5));
        assertEquals("RandomVerticalFlip: p must be in [0, 1], got 1.5", e.getMessage());
    }
}
