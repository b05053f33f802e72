package dev.kiln.data;

import static dev.kiln.data.TorchImages.HEIGHT;
import static dev.kiln.data.TorchImages.WIDTH;
import static dev.kiln.data.TorchImages.image;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

class ColorJitterTest {
    private static final int[] RGB = {3, HEIGHT, WIDTH};

    /** torchvision's adjust_brightness of the 1 x 5 x 6 image, printed by augmentation.py. */
    @Test
    void brightnessScalesAndClampsAsTorchvision() {
        float[] brightness1Point6Grey = {0.8798667192459106f, 1.0f, 1.0f, 1.0f, 0.9913994669914246f,
                0.4459836483001709f, 0.06706725060939789f, 0.03286058083176613f, 0.359451562166214f, 0.893239438533783f,
                1.0f, 1.0f, 1.0f, 0.9783119559288025f, 0.43397125601768494f, 0.06177965924143791f, 0.03678460046648979f,
                0.37074169516563416f, 0.9065856337547302f, 1.0f, 1.0f, 1.0f, 0.9651740193367004f, 0.42206239700317383f,
                0.05670079216361046f, 0.04092440381646156f, 0.38215312361717224f, 0.9199017882347107f, 1.0f, 1.0f};
        float[] brightnessPoint3Grey = {0.16497501730918884f, 0.2576034367084503f, 0.2996242642402649f,
                0.27127447724342346f, 0.185887411236763f, 0.08362193405628204f, 0.012575109489262104f,
                0.006161359138786793f, 0.06739716976881027f, 0.167482390999794f, 0.2593453824520111f,
                0.29978153109550476f, 0.26977306604385376f, 0.18343348801136017f, 0.08136961609125137f,
                0.01158368680626154f, 0.00689711282029748f, 0.06951406598091125f, 0.16998480260372162f,
                0.26105639338493347f, 0.2998964190483093f, 0.268237829208374f, 0.18097013235092163f,
                0.07913669943809509f, 0.010631398297846317f, 0.007673325948417187f, 0.07165371626615524f,
                0.17248158156871796f, 0.2627360224723816f, 0.299968957901001f};
        assertAdjusted(brightness1Point6Grey, 1, f -> ColorJitter.adjustBrightness(f, 0, f.length, 1.6));
        assertAdjusted(brightnessPoint3Grey, 1, f -> ColorJitter.adjustBrightness(f, 0, f.length, 0.3));
    }

    /** torchvision's adjust_contrast: blended with the mean of the image, or of its grey image for RGB. */
    @Test
    void contrastBlendsWithTheGreyMeanAsTorchvision() {
        float[] contrast1Point8Grey = {0.5647186636924744f, 1.0f, 1.0f, 1.0f, 0.6901930570602417f, 0.07660025358200073f,
                0.0f, 0.0f, 0.0f, 0.5797629356384277f, 1.0f, 1.0f, 1.0f, 0.6754695177078247f, 0.06308633089065552f,
                0.0f, 0.0f, 0.0f, 0.5947774648666382f, 1.0f, 1.0f, 1.0f, 0.6606893539428711f, 0.049688875675201416f,
                0.0f, 0.0f, 0.004790931940078735f, 0.6097581386566162f, 1.0f, 1.0f};
        float[] contrastPoint4Rgb = {0.5253798961639404f, 0.6488844752311707f, 0.7049122452735901f, 0.6671125292778015f,
                0.5532631278038025f, 0.4169091582298279f, 0.3221800625324249f, 0.3136284053325653f,
                0.39527612924575806f, 0.5287231206893921f, 0.6512070894241333f, 0.7051219344139099f, 0.66511070728302f,
                0.549991250038147f, 0.413906067609787f, 0.3208581507205963f, 0.3146094083786011f, 0.3980986773967743f,
                0.5320596694946289f, 0.6534883975982666f, 0.7052751779556274f, 0.663063645362854f, 0.5467067360877991f,
                0.4109288454055786f, 0.31958845257759094f, 0.31564435362815857f, 0.4009515345096588f,
                0.535388708114624f, 0.6557279825210571f, 0.7053718566894531f, 0.6609721183776855f, 0.54341059923172f,
                0.407978355884552f, 0.3183712661266327f, 0.3167329430580139f, 0.40383392572402954f, 0.5387092232704163f,
                0.6579249501228333f, 0.7054120302200317f, 0.6588364839553833f, 0.5401036739349365f, 0.4050554037094116f,
                0.3172069787979126f, 0.3178749084472656f, 0.406745046377182f, 0.5420203804969788f, 0.6600788831710815f,
                0.7053956389427185f, 0.6566575765609741f, 0.5367869734764099f, 0.40216079354286194f,
                0.31609588861465454f, 0.31906986236572266f, 0.40968406200408936f, 0.5453211665153503f,
                0.6621890068054199f, 0.7053227424621582f, 0.6544358730316162f, 0.5334613919258118f, 0.3992954194545746f,
                0.3150383234024048f, 0.3203175365924835f, 0.41265013813972473f, 0.5486106872558594f,
                0.6642547845840454f, 0.705193281173706f, 0.6521720886230469f, 0.5301278829574585f, 0.39646002650260925f,
                0.3140345811843872f, 0.3216175138950348f, 0.4156424403190613f, 0.5518879890441895f, 0.6662757396697998f,
                0.7050073146820068f, 0.6498667001724243f, 0.5267874002456665f, 0.3936554491519928f, 0.3130849599838257f,
                0.3229694664478302f, 0.41866013407707214f, 0.555152177810669f, 0.6682511568069458f, 0.7047649621963501f,
                0.6475205421447754f, 0.5234408378601074f, 0.3908824622631073f, 0.3121896982192993f, 0.3243730068206787f,
                0.4217023551464081f};
        float[] contrast1Point8Rgb = {0.582632303237915f, 1.0f, 1.0f, 1.0f, 0.7081067562103271f, 0.0945139229297638f,
                0.0f, 0.0f, 0.0f, 0.5976766347885132f, 1.0f, 1.0f, 1.0f, 0.6933832168579102f, 0.08100000023841858f,
                0.0f, 0.0f, 0.009866714477539062f, 0.6126911640167236f, 1.0f, 1.0f, 1.0f, 0.6786030530929565f,
                0.06760254502296448f, 0.0f, 0.0f, 0.022704601287841797f, 0.6276718378067017f, 1.0f, 1.0f, 1.0f,
                0.6637704372406006f, 0.05432528257369995f, 0.0f, 0.0f, 0.03567540645599365f, 0.6426142454147339f, 1.0f,
                1.0f, 1.0f, 0.6488893032073975f, 0.04117196798324585f, 0.0f, 0.0f, 0.04877546429634094f,
                0.6575144529342651f, 1.0f, 1.0f, 1.0f, 0.6339640617370605f, 0.028146326541900635f, 0.0f, 0.0f,
                0.06200101971626282f, 0.672368049621582f, 1.0f, 1.0f, 1.0f, 0.6189990043640137f, 0.015252083539962769f,
                0.0f, 0.0f, 0.0753483772277832f, 0.6871709823608398f, 1.0f, 1.0f, 1.0f, 0.603998064994812f,
                0.0024928152561187744f, 0.0f, 0.0f, 0.08881375193595886f, 0.7019187211990356f, 1.0f, 1.0f, 1.0f,
                0.588965892791748f, 0.0f, 0.0f, 0.0f, 0.10239335894584656f, 0.7166074514389038f, 1.0f, 1.0f, 1.0f,
                0.5739065408706665f, 0.0f, 0.0f, 0.0f, 0.1160832941532135f};
        assertAdjusted(contrast1Point8Grey, 1, f -> ColorJitter.adjustContrast(f, 0, f.length, 1, 1.8));
        assertAdjusted(contrastPoint4Rgb, 3, f -> ColorJitter.adjustContrast(f, 0, f.length, 3, 0.4));
        assertAdjusted(contrast1Point8Rgb, 3, f -> ColorJitter.adjustContrast(f, 0, f.length, 3, 1.8));
    }

    private static void assertAdjusted(float[] expected, int channels, Consumer<float[]> adjust) {
        float[] image = image(channels);
        adjust.accept(image);
        assertArrayEquals(expected, image, 1e-6f);
    }

    /** The order matters once values clamp: torchvision draws it per image. */
    @Test
    void drawsTheOrderThenTheBrightnessThenTheContrastFactor() {
        float[] brightness1Point4ThenContrastPoint6Rgb = {0.7078043222427368f, 0.8458743095397949f, 0.8458743095397949f,
                0.8458743095397949f, 0.7663590312004089f, 0.48001569509506226f, 0.2810845971107483f,
                0.26312607526779175f, 0.4345863461494446f, 0.7148249745368958f, 0.8458743095397949f,
                0.8458743095397949f, 0.8458743095397949f, 0.759488046169281f, 0.47370922565460205f,
                0.27830860018730164f, 0.2651861906051636f, 0.4405136704444885f, 0.7218316793441772f,
                0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7525906562805176f, 0.4674570560455322f,
                0.27564218640327454f, 0.2673596143722534f, 0.44650471210479736f, 0.7288227081298828f,
                0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7456687688827515f,
                0.46126097440719604f, 0.2730861306190491f, 0.26964566111564636f, 0.4525577425956726f,
                0.7357958555221558f, 0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7387242317199707f,
                0.45512276887893677f, 0.2706410884857178f, 0.27204376459121704f, 0.45867109298706055f,
                0.7427493333816528f, 0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7317590713500977f,
                0.4490441679954529f, 0.26830780506134033f, 0.27455317974090576f, 0.4648430049419403f,
                0.7496809363365173f, 0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7247754335403442f,
                0.4430268406867981f, 0.2660869359970093f, 0.2771732807159424f, 0.4710717797279358f, 0.7565889954566956f,
                0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7177749872207642f, 0.4370725154876709f,
                0.26397907733917236f, 0.27990323305130005f, 0.47735559940338135f, 0.763471245765686f,
                0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7107599973678589f, 0.4311828911304474f,
                0.26198485493659973f, 0.28274232149124146f, 0.4836927652359009f, 0.7703260183334351f,
                0.8458743095397949f, 0.8458743095397949f, 0.8458743095397949f, 0.7037322521209717f, 0.4253596067428589f,
                0.26010483503341675f, 0.2856897711753845f, 0.49008142948150635f};
        float[] contrastPoint6ThenBrightness1Point4Rgb = {0.7469823956489563f, 1.0f, 1.0f, 1.0f, 0.8055371046066284f,
                0.5191937685012817f, 0.3202626705169678f, 0.3023041784763336f, 0.47376441955566406f,
                0.7540030479431152f, 1.0f, 1.0f, 1.0f, 0.7986661195755005f, 0.5128872990608215f, 0.3174866735935211f,
                0.30436426401138306f, 0.4796917140483856f, 0.7610098123550415f, 1.0f, 1.0f, 1.0f, 0.7917686700820923f,
                0.5066350698471069f, 0.314820259809494f, 0.3065376579761505f, 0.48568275570869446f, 0.7680007815361023f,
                1.0f, 1.0f, 1.0f, 0.7848467826843262f, 0.5004390478134155f, 0.31226420402526855f, 0.30882373452186584f,
                0.4917357861995697f, 0.7749739289283752f, 1.0f, 1.0f, 1.0f, 0.7779022455215454f, 0.49430087208747864f,
                0.30981916189193726f, 0.31122180819511414f, 0.49784916639328003f, 0.7819273471832275f, 1.0f, 1.0f, 1.0f,
                0.7709372043609619f, 0.48822221159935f, 0.3074858784675598f, 0.31373125314712524f, 0.5040210485458374f,
                0.7888590097427368f, 1.0f, 1.0f, 1.0f, 0.763953447341919f, 0.4822049140930176f, 0.30526497960090637f,
                0.31635135412216187f, 0.5102497935295105f, 0.7957670092582703f, 1.0f, 1.0f, 1.0f, 0.7569530606269836f,
                0.4762505888938904f, 0.30315712094306946f, 0.31908130645751953f, 0.5165336728096008f,
                0.8026492595672607f, 1.0f, 1.0f, 1.0f, 0.7499380707740784f, 0.47036096453666687f, 0.3011629283428192f,
                0.3219204246997833f, 0.5228708386421204f, 0.8095040917396545f, 1.0f, 1.0f, 1.0f, 0.7429102659225464f,
                0.464537650346756f, 0.29928287863731384f, 0.3248678147792816f, 0.5292595028877258f};
        ColorJitter jitter = new ColorJitter(0.5, 0.5);
        boolean[] seen = new boolean[2];
        for (long seed = 0; seed < 40; seed++) {
            SplittableRandom same = new SplittableRandom(seed);
            boolean brightnessFirst = same.nextBoolean();
            double brightness = 0.5 + same.nextDouble();
            double contrast = 0.5 + same.nextDouble();
            float[] expected = image(3);
            if (brightnessFirst) {
                ColorJitter.adjustBrightness(expected, 0, expected.length, brightness);
            }
            ColorJitter.adjustContrast(expected, 0, expected.length, 3, contrast);
            if (!brightnessFirst) {
                ColorJitter.adjustBrightness(expected, 0, expected.length, brightness);
            }
            float[] image = image(3);
            jitter.apply(image, 0, RGB, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed);
            seen[brightnessFirst ? 1 : 0] = true;
        }
        assertTrue(seen[0] && seen[1], "both orders drawn");
        float[] brightnessFirst = image(3);
        ColorJitter.adjustBrightness(brightnessFirst, 0, brightnessFirst.length, 1.4);
        ColorJitter.adjustContrast(brightnessFirst, 0, brightnessFirst.length, 3, 0.6);
        assertArrayEquals(brightness1Point4ThenContrastPoint6Rgb, brightnessFirst, 1e-6f);
        float[] contrastFirst = image(3);
        ColorJitter.adjustContrast(contrastFirst, 0, contrastFirst.length, 3, 0.6);
        ColorJitter.adjustBrightness(contrastFirst, 0, contrastFirst.length, 1.4);
        assertArrayEquals(contrastPoint6ThenBrightness1Point4Rgb, contrastFirst, 1e-6f);
    }

    @Test
    void factorsAreDrawnFromOneMinusToOnePlusTheAmountNeverBelowZero() {
        SplittableRandom random = new SplittableRandom(2);
        double lowest = 10;
        double highest = 0;
        for (int draw = 0; draw < 2_000; draw++) {
            float[] dim = {0.25f};
            new ColorJitter(1.5, 0).apply(dim, 0, new int[] {1, 1, 1}, random);
            double factor = dim[0] / 0.25;
            assertTrue(factor >= 0 && factor <= 2.5, "factor " + factor);
            lowest = Math.min(lowest, factor);
            highest = Math.max(highest, factor);
        }
        assertTrue(lowest < 0.01 && highest > 2.49, "factors " + lowest + " to " + highest);
    }

    @Test
    void noAmountLeavesTheImageAsItIs() {
        float[] image = {1.5f, -0.5f, 0.25f, 0.75f};
        new ColorJitter(0, 0).apply(image, 0, new int[] {1, 2, 2}, new SplittableRandom(1));
        assertArrayEquals(new float[] {1.5f, -0.5f, 0.25f, 0.75f}, image, "not even clamped");
    }

    @Test
    void theSameSeedJittersTheSame() {
        float[] first = image(3);
        float[] second = image(3);
        new ColorJitter(0.4, 0.4).apply(first, 0, RGB, new SplittableRandom(5));
        new ColorJitter(0.4, 0.4).apply(second, 0, RGB, new SplittableRandom(5));
        assertArrayEquals(first, second);
    }

    @Test
    void rejectsNegativeAmountsAndImagesThatAreNeitherGreyNorRgbAsTorchvision() {
        IllegalArgumentException amount = assertThrows(IllegalArgumentException.class, () -> new ColorJitter(-0.1, 0));
        assertEquals("ColorJitter: brightness must be finite and >= 0, got -0.1", amount.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ColorJitter(0, Double.NaN));
        IllegalArgumentException channels = assertThrows(IllegalArgumentException.class,
                () -> new ColorJitter(0, 0.5).apply(image(), 0, TorchImages.SHAPE, new SplittableRandom(1)));
        assertEquals("ColorJitter needs grey or RGB images [..., 1 or 3, height, width], got example shape"
                + " [2, 5, 6]", channels.getMessage());
        // torchvision 0.14's adjust_brightness asserts 1 or 3 channels too.
        assertThrows(IllegalArgumentException.class,
                () -> new ColorJitter(0.5, 0).apply(image(), 0, TorchImages.SHAPE, new SplittableRandom(1)));
        assertDoesNotThrow(() -> new ColorJitter(0, 0).apply(image(), 0, TorchImages.SHAPE, new SplittableRandom(1)),
                "no jitter, no check: torchvision calls neither adjustment");
    }
}
