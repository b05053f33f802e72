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

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomCropTest {
    private static final int LENGTH = SHAPE[0] * HEIGHT * WIDTH;

    /** F.pad(image, (p, p, p, p), value=fill)[:, top:top + 5, left:left + 6], printed by augmentation.py. */
    @Test
    void cropIsTorchsPadThenSliceAtTheOffset() {
        float[] cropPadding2Fill0Top0Left4 = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
                0.9987474679946899f, 0.9042481780052185f, 0.619624674320221f, 0.2787397801876068f, 0.0f, 0.0f,
                0.22465722262859344f, 0.5582746267318726f, 0.8644845485687256f, 0.9992716908454895f, 0.0f, 0.0f,
                0.2712320387363434f, 0.03861228749155998f, 0.022990375757217407f, 0.23171354830265045f, 0.0f, 0.0f,
                0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.2564127445220947f,
                0.03239504247903824f, 0.028299259021878242f, 0.24605169892311096f, 0.0f, 0.0f, 0.9999969005584717f,
                0.8835581541061401f, 0.5867260694503784f, 0.24910534918308258f, 0.0f, 0.0f, 0.2533295154571533f,
                0.5915178656578064f, 0.8866639733314514f, 0.999955952167511f, 0.0f, 0.0f};
        float[] cropPadding2Fill0Top3Left1 = {0.0f, 0.04191702976822853f, 0.020537862554192543f, 0.22465722262859344f,
                0.5582746267318726f, 0.8644845485687256f, 0.0f, 0.8992435336112976f, 0.6114449501037598f,
                0.2712320387363434f, 0.03861228749155998f, 0.022990375757217407f, 0.0f, 0.5666159987449646f,
                0.8701879382133484f, 0.9996547102928162f, 0.8941260576248169f, 0.6032337546348572f, 0.0f,
                0.035437993705272675f, 0.02557775191962719f, 0.23884570598602295f, 0.5749385952949524f,
                0.8757867217063904f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5832399725914001f, 0.8812792301177979f,
                0.9999969005584717f, 0.8835581541061401f, 0.5867260694503784f, 0.0f, 0.029484296217560768f,
                0.031154129654169083f, 0.2533295154571533f, 0.5915178656578064f, 0.8866639733314514f, 0.0f,
                0.8781108260154724f, 0.5784342885017395f, 0.24186888337135315f, 0.026706576347351074f,
                0.034141555428504944f, 0.0f, 0.5997698307037354f, 0.8919393420219421f, 0.9997736215591431f,
                0.8725565671920776f, 0.5701203346252441f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};
        float[] cropPadding3FillQuarterTop5Left0 = {0.25f, 0.25f, 0.25f, 0.8992435336112976f, 0.6114449501037598f,
                0.2712320387363434f, 0.25f, 0.25f, 0.25f, 0.5666159987449646f, 0.8701879382133484f, 0.9996547102928162f,
                0.25f, 0.25f, 0.25f, 0.035437993705272675f, 0.02557775191962719f, 0.23884570598602295f, 0.25f, 0.25f,
                0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f,
                0.029484296217560768f, 0.031154129654169083f, 0.2533295154571533f, 0.25f, 0.25f, 0.25f,
                0.8781108260154724f, 0.5784342885017395f, 0.24186888337135315f, 0.25f, 0.25f, 0.25f,
                0.5997698307037354f, 0.8919393420219421f, 0.9997736215591431f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f,
                0.25f, 0.25f, 0.25f, 0.25f, 0.25f, 0.25f};
        assertCrop(cropPadding2Fill0Top0Left4, 2, 0f, 0, 4);
        assertCrop(cropPadding2Fill0Top3Left1, 2, 0f, 3, 1);
        assertCrop(cropPadding3FillQuarterTop5Left0, 3, 0.25f, 5, 0);
    }

    private static void assertCrop(float[] expected, int padding, float fill, int top, int left) {
        float[] image = imageAt(4);
        RandomCrop.crop(image, 4, LENGTH, HEIGHT, WIDTH, padding, fill, top, left);
        assertImageAt(expected, image, 4, 0);
    }

    @Test
    void offsetPaddingLeavesTheImageAsItIs() {
        float[] image = image();
        RandomCrop.crop(image, 0, LENGTH, HEIGHT, WIDTH, 3, 0.5f, 3, 3);
        assertArrayEquals(image(), image);
    }

    @Test
    void paddingWiderThanTheImageCanCropOnlyFill() {
        float[] image = image();
        RandomCrop.crop(image, 0, LENGTH, HEIGHT, WIDTH, 7, 0.5f, 0, 14);
        for (float v : image) {
            assertEquals(0.5f, v);
        }
    }

    @Test
    void drawsTheTopThenTheLeftOffsetFromTheGivenRandom() {
        for (long seed = 0; seed < 20; seed++) {
            SplittableRandom same = new SplittableRandom(seed);
            int top = same.nextInt(5);
            int left = same.nextInt(5);
            float[] expected = image();
            RandomCrop.crop(expected, 0, LENGTH, HEIGHT, WIDTH, 2, 0.5f, top, left);
            float[] image = image();
            new RandomCrop(2, 0.5f).apply(image, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed + ": top " + top + ", left " + left);
        }
    }

    @Test
    void offsetsCoverZeroToTwicePaddingEvenly() {
        RandomCrop crop = new RandomCrop(2);
        int[][] counts = new int[5][5];
        SplittableRandom random = new SplittableRandom(7);
        for (int draw = 0; draw < 5_000; draw++) {
            float[] dot = new float[9 * 9];
            dot[4 * 9 + 4] = 1;
            crop.apply(dot, 0, new int[] {1, 9, 9}, random);
            int at = indexOfOne(dot);
            // The dot moves up by top - padding and left by left - padding.
            counts[4 - at / 9 + 2][4 - at % 9 + 2]++;
        }
        for (int top = 0; top < 5; top++) {
            for (int left = 0; left < 5; left++) {
                assertTrue(counts[top][left] > 140 && counts[top][left] < 260,
                        "offset (" + top + ", " + left + ") drawn " + counts[top][left] + " times of 5000, not ~200");
            }
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
    void theSameSeedCropsTheSame() {
        float[] first = image();
        float[] second = image();
        new RandomCrop(2).apply(first, 0, SHAPE, new SplittableRandom(11));
        new RandomCrop(2).apply(second, 0, SHAPE, new SplittableRandom(11));
        assertArrayEquals(first, second);
    }

    @Test
    void rejectsANegativePaddingAFillThatIsNotFiniteAndExamplesThatAreNotImages() {
        IllegalArgumentException padding = assertThrows(IllegalArgumentException.class, () -> new RandomCrop(-1));
        assertEquals("RandomCrop: padding must be >= 0, got -1", padding.getMessage());
        IllegalArgumentException fill = assertThrows(IllegalArgumentException.class,
                () -> new RandomCrop(2, Float.NaN));
        assertEquals("RandomCrop: fill must be finite, got NaN", fill.getMessage());
        IllegalArgumentException shape = assertThrows(IllegalArgumentException.class,
                () -> new RandomCrop(2).apply(new float[5], 0, new int[] {5}, new SplittableRandom(1)));
        assertEquals("RandomCrop needs images [..., height, width], got example shape [5]", shape.getMessage());
    }
}
