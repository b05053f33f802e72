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

class RandomInvertTest {
    private static final int[] RGB = {3, HEIGHT, WIDTH};

    /** 1 - image, torchvision's invert of a float image (3 x 5 x 6), printed by augmentation_affine_blur.py. */
    @Test
    void invertMatchesTorchvisionsInvertExactly() {
        float[] invertRgb = {0.45008331537246704f, 0.14132195711135864f, 0.0012525320053100586f, 0.0957518219947815f,
                0.38037532567977905f, 0.7212601900100708f, 0.9580829739570618f, 0.9794621467590332f,
                0.7753427624702454f, 0.44172537326812744f, 0.13551545143127441f, 0.000728309154510498f,
                0.10075646638870239f, 0.38855504989624023f, 0.728767991065979f, 0.9613876938819885f, 0.977009654045105f,
                0.7682864665985107f, 0.4333840012550354f, 0.1298120617866516f, 0.0003452897071838379f,
                0.1058739423751831f, 0.3967662453651428f, 0.7362110018730164f, 0.9645619988441467f, 0.97442227602005f,
                0.761154294013977f, 0.4250614047050476f, 0.12421327829360962f, 0.00010353326797485352f,
                0.11110293865203857f, 0.40500664710998535f, 0.7435872554779053f, 0.96760493516922f, 0.9717007279396057f,
                0.7539483308792114f, 0.41676002740859985f, 0.11872076988220215f, 3.0994415283203125e-06f,
                0.11644184589385986f, 0.4132739305496216f, 0.7508946657180786f, 0.9705157279968262f,
                0.9688458442687988f, 0.7466704845428467f, 0.4084821343421936f, 0.11333602666854858f,
                4.404783248901367e-05f, 0.12188917398452759f, 0.4215657114982605f, 0.7581311464309692f,
                0.9732934236526489f, 0.9658584594726562f, 0.7393229603767395f, 0.40023016929626465f,
                0.10806065797805786f, 0.0002263784408569336f, 0.12744343280792236f, 0.42987966537475586f,
                0.7652945518493652f, 0.9759373068809509f, 0.9627392888069153f, 0.7319077253341675f, 0.3920063376426697f,
                0.10289609432220459f, 0.0005499720573425293f, 0.13310301303863525f, 0.4382134675979614f,
                0.7723830938339233f, 0.9784466624259949f, 0.9594893455505371f, 0.7244269847869873f,
                0.38381314277648926f, 0.09784376621246338f, 0.0010147690773010254f, 0.13886630535125732f,
                0.4465646743774414f, 0.7793945074081421f, 0.9808207750320435f, 0.9561094641685486f, 0.7168827652931213f,
                0.3756527304649353f, 0.09290516376495361f, 0.001620650291442871f, 0.14473170042037964f,
                0.45493102073669434f, 0.7863270044326782f, 0.9830588698387146f, 0.9526006579399109f,
                0.7092772722244263f};
        float[] image = TorchImages.image(3);
        new RandomInvert(1).apply(image, 0, RGB, new SplittableRandom(1));
        assertArrayEquals(invertRgb, image);
    }

    @Test
    void invertHappensWithItsProbability() {
        RandomInvert invert = new RandomInvert(0.7);
        SplittableRandom random = new SplittableRandom(4);
        int inverted = 0;
        for (int draw = 0; draw < 10_000; draw++) {
            float[] image = TorchImages.image(3);
            invert.apply(image, 0, RGB, random);
            inverted += Arrays.equals(TorchImages.image(3), image) ? 0 : 1;
        }
        assertTrue(inverted > 6_800 && inverted < 7_200, inverted + " of 10000 inverted, not ~7000");
    }

    @Test
    void rejectsAProbabilityOutsideZeroToOne() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RandomInvert(Double.NaN));
        assertEquals("RandomInvert: p must be in [0, 1], got NaN", e.getMessage());
    }
}
