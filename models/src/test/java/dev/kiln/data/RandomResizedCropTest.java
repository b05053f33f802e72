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

class RandomResizedCropTest {
    private static final int LENGTH = SHAPE[0] * HEIGHT * WIDTH;

    /**
     * F.interpolate(image[:, top:top + h, left:left + w][None], size=(5, 6), mode='bilinear', align_corners=False),
     * printed by augmentation.py.
     */
    @Test
    void resizedCropMatchesTorchsBilinearInterpolationOfTheCrop() {
        float[] resizedCropTop1Left2Height3Width4 = {0.22465722262859344f, 0.3914659321308136f, 0.6093096137046814f,
                0.8134496212005615f, 0.9318781495094299f, 0.9992717504501343f, 0.24328716099262238f,
                0.2968484163284302f, 0.3799892067909241f, 0.49830734729766846f, 0.6100676655769348f,
                0.6922484636306763f, 0.27123206853866577f, 0.15492220222949982f, 0.03600868210196495f,
                0.025594063103199005f, 0.12735199928283691f, 0.23171354830265045f, 0.7082856893539429f,
                0.6301031708717346f, 0.5217899084091187f, 0.4012671411037445f, 0.31104761362075806f,
                0.25095880031585693f, 0.9996547102928162f, 0.9468903541564941f, 0.8456439971923828f,
                0.6517158150672913f, 0.433511346578598f, 0.26378899812698364f, 0.9999969005584717f, 0.9417775273323059f,
                0.8340861201286316f, 0.636198103427887f, 0.4179156720638275f, 0.24910536408424377f, 0.7013299465179443f,
                0.7340359687805176f, 0.7567352056503296f, 0.7167080044746399f, 0.6280733942985535f, 0.549445629119873f,
                0.2533295154571533f, 0.42242366075515747f, 0.6407088041305542f, 0.8374728560447693f,
                0.9433099031448364f, 0.9999558925628662f, 0.24645313620567322f, 0.24954208731651306f,
                0.2730509340763092f, 0.3547305464744568f, 0.465769499540329f, 0.5563885569572449f, 0.24186888337135315f,
                0.1342877298593521f, 0.027945738285779953f, 0.032902393490076065f, 0.1474093198776245f,
                0.2606770396232605f};
        float[] resizedCropTop2Left0Height2Width5 = {0.8992435336112976f, 0.6833946108818054f, 0.41298744082450867f,
                0.17430715262889862f, 0.03470681235194206f, 0.022990375757217407f, 0.8659807443618774f,
                0.6944846510887146f, 0.4662597179412842f, 0.25244489312171936f, 0.1133764386177063f,
                0.0810147151350975f, 0.7329297661781311f, 0.7388447523117065f, 0.6793488264083862f, 0.5649957656860352f,
                0.42805492877960205f, 0.3131120800971985f, 0.59987872838974f, 0.7832049131393433f, 0.8924379944801331f,
                0.8775467276573181f, 0.7427334189414978f, 0.5452094078063965f, 0.5666159987449646f, 0.7942949533462524f,
                0.9457102417945862f, 0.9556844234466553f, 0.8214030265808105f, 0.6032337546348572f,
                0.029484296217560768f, 0.03073667176067829f, 0.1607564240694046f, 0.3942413032054901f,
                0.6653043627738953f, 0.8866639733314514f, 0.1143469586968422f, 0.09299835562705994f,
                0.18289123475551605f, 0.3700389564037323f, 0.601630449295044f, 0.8014116883277893f, 0.4537975490093231f,
                0.3420450687408447f, 0.27143046259880066f, 0.27322959899902344f, 0.34693485498428345f,
                0.4604027569293976f, 0.793248176574707f, 0.5910918116569519f, 0.35996970534324646f,
                0.17642025649547577f, 0.09223920106887817f, 0.11939376592636108f, 0.8781108260154724f,
                0.6533534526824951f, 0.3821045160293579f, 0.15221792459487915f, 0.02856532111763954f,
                0.034141555428504944f};
        float[] resizedCropTop0Left3Height5Width3 = {0.9042481780052185f, 0.8330923318862915f, 0.6907805800437927f,
                0.5344034433364868f, 0.36396098136901855f, 0.2787397801876068f, 0.5582746267318726f,
                0.6348271369934082f, 0.7879320383071899f, 0.8981813192367554f, 0.9655749201774597f, 0.9992716908454895f,
                0.03861228749155998f, 0.034706808626651764f, 0.026895854622125626f, 0.07517117261886597f,
                0.17953276634216309f, 0.23171354830265045f, 0.8941260576248169f, 0.8214029669761658f,
                0.6759568452835083f, 0.5183725357055664f, 0.348650187253952f, 0.26378899812698364f, 0.5749385952949524f,
                0.6501506567001343f, 0.8005746603012085f, 0.9068141579627991f, 0.9688690304756165f, 0.9998964667320251f,
                0.03239504247903824f, 0.0313710980117321f, 0.02932320535182953f, 0.08273737132549286f,
                0.1916135996580124f, 0.24605169892311096f, 0.8835581541061401f, 0.8093501329421997f,
                0.6609340906143188f, 0.5023208856582642f, 0.33351051807403564f, 0.24910534918308258f,
                0.5915178656578064f, 0.66530442237854f, 0.8128774762153625f, 0.9149869680404663f, 0.9716329574584961f,
                0.999955952167511f, 0.026706576347351074f, 0.02856532111763954f, 0.032282810658216476f,
                0.09077543020248413f, 0.2040431648492813f, 0.2606770396232605f, 0.8725565671920776f,
                0.7969474792480469f, 0.6457294225692749f, 0.4862666130065918f, 0.3185591399669647f,
                0.23470541834831238f};
        assertResizedCrop(resizedCropTop1Left2Height3Width4, 1, 2, 3, 4);
        assertResizedCrop(resizedCropTop2Left0Height2Width5, 2, 0, 2, 5);
        assertResizedCrop(resizedCropTop0Left3Height5Width3, 0, 3, 5, 3);
    }

    private static void assertResizedCrop(float[] expected, int top, int left, int height, int width) {
        float[] image = imageAt(2);
        RandomResizedCrop.resizedCrop(image, 2, LENGTH, HEIGHT, WIDTH, top, left, height, width);
        assertImageAt(expected, image, 2, 1e-6);
    }

    @Test
    void theWholeImageResizesToItself() {
        float[] image = image();
        RandomResizedCrop.resizedCrop(image, 0, LENGTH, HEIGHT, WIDTH, 0, 0, HEIGHT, WIDTH);
        assertArrayEquals(image(), image);
    }

    @Test
    void drawsTheAreaTheRatioThenTheTopAndLeftFromTheGivenRandom() {
        SplittableRandom same = new SplittableRandom(21);
        double area = 40 * 30 * (0.08 + 0.92 * same.nextDouble());
        double ratio = Math.exp(Math.log(0.75) + (Math.log(4.0 / 3) - Math.log(0.75)) * same.nextDouble());
        int width = (int) Math.rint(Math.sqrt(area * ratio));
        int height = (int) Math.rint(Math.sqrt(area / ratio));
        assertTrue(width <= 30 && height <= 40, "seed 21's first draw fits: " + height + " x " + width);
        int top = same.nextInt(40 - height + 1);
        int left = same.nextInt(30 - width + 1);
        int[] box = new RandomResizedCrop().cropBox(40, 30, new SplittableRandom(21));
        assertArrayEquals(new int[] {top, left, height, width}, box);
    }

    @Test
    void appliesTheResizedCropOfTheDrawnBox() {
        RandomResizedCrop crop = new RandomResizedCrop();
        for (long seed = 0; seed < 10; seed++) {
            int[] box = crop.cropBox(HEIGHT, WIDTH, new SplittableRandom(seed));
            float[] expected = image();
            RandomResizedCrop.resizedCrop(expected, 0, LENGTH, HEIGHT, WIDTH, box[0], box[1], box[2], box[3]);
            float[] image = image();
            crop.apply(image, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed);
        }
    }

    @Test
    void drawnBoxesFitAndSpanTheScaleAndRatioRanges() {
        RandomResizedCrop crop = new RandomResizedCrop();
        SplittableRandom random = new SplittableRandom(9);
        double smallestShare = 1;
        double largestShare = 0;
        double smallestRatio = 10;
        double largestRatio = 0;
        for (int draw = 0; draw < 2_000; draw++) {
            int[] box = crop.cropBox(100, 100, random);
            assertTrue(box[0] >= 0 && box[1] >= 0 && box[0] + box[2] <= 100 && box[1] + box[3] <= 100,
                    Arrays.toString(box));
            double share = box[2] * box[3] / 10_000.0;
            double ratio = (double) box[3] / box[2];
            assertTrue(share > 0.075 && share <= 1 && ratio > 0.74 && ratio < 1.35,
                    "share " + share + " ratio " + ratio);
            smallestShare = Math.min(smallestShare, share);
            largestShare = Math.max(largestShare, share);
            smallestRatio = Math.min(smallestRatio, ratio);
            largestRatio = Math.max(largestRatio, ratio);
        }
        assertTrue(smallestShare < 0.1 && largestShare > 0.9, "shares " + smallestShare + " to " + largestShare);
        assertTrue(smallestRatio < 0.77 && largestRatio > 1.3, "ratios " + smallestRatio + " to " + largestRatio);
    }

    @Test
    void whenNoDrawFitsItCropsTheLargestCentralBoxInTheRatioRange() {
        RandomResizedCrop tooLarge = new RandomResizedCrop(2, 3, 3.0 / 4, 4.0 / 3);
        SplittableRandom random = new SplittableRandom(1);
        assertArrayEquals(new int[] {0, 13, 10, 13}, tooLarge.cropBox(10, 40, random), "wide: 10 x round(10 * 4 / 3)");
        assertArrayEquals(new int[] {13, 0, 13, 10}, tooLarge.cropBox(40, 10, random), "tall: round(10 * 4 / 3) x 10");
        assertArrayEquals(new int[] {0, 0, 5, 6}, tooLarge.cropBox(5, 6, random), "ratio 1.2 in range: the whole");
    }

    @Test
    void theSameSeedCropsTheSame() {
        float[] first = image();
        float[] second = image();
        new RandomResizedCrop().apply(first, 0, SHAPE, new SplittableRandom(8));
        new RandomResizedCrop().apply(second, 0, SHAPE, new SplittableRandom(8));
        assertArrayEquals(first, second);
    }

    @Test
    void rejectsScalesAndRatiosOutOfOrderOrNotPositive() {
        IllegalArgumentException order = assertThrows(IllegalArgumentException.class,
                () -> new RandomResizedCrop(0.5, 0.1, 0.75, 1.25));
        assertEquals("RandomResizedCrop: scale must be (min, max) with 0 < min <= max, got (0.5, 0.1)",
                order.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(0, 1, 0.75, 1.25));
        IllegalArgumentException ratio = assertThrows(IllegalArgumentException.class,
                () -> new RandomResizedCrop(0.08, 1, -1, 1.25));
        assertEquals("RandomResizedCrop: ratio must be (min, max) with 0 < min <= max, got (-1.0, 1.25)",
                ratio.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(0.08, 1, 1.5, 1.25));
        assertThrows(IllegalArgumentException.class, () -> new RandomResizedCrop(0.08, Double.NaN, 0.75, 1.25));
    }
}
