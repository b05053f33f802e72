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

class GaussianBlurTest {
    private static final int LENGTH = SHAPE[0] * HEIGHT * WIDTH;

    /**
     * torchvision's F.gaussian_blur(image, kernel_size=(width, height), sigma) of the 2 x 5 x 6 image: its kernel,
     * F.pad reflect by half the kernel and a per-channel conv2d, printed by augmentation_affine_blur.py.
     */
    @Test
    void blurMatchesTorchvisionsGaussianBlur() {
        float[] blur3Sigma1 = {0.34151458740234375f, 0.4122471511363983f, 0.56484454870224f, 0.6869445443153381f,
                0.7211216688156128f, 0.7176241278648376f, 0.41396400332450867f, 0.4235128164291382f,
                0.45607540011405945f, 0.5092962980270386f, 0.5581451058387756f, 0.5779026746749878f, 0.544224739074707f,
                0.5177784562110901f, 0.4635052978992462f, 0.4263962209224701f, 0.42390406131744385f,
                0.42991602420806885f, 0.5426726341247559f, 0.559054970741272f, 0.5797083973884583f, 0.5628737211227417f,
                0.5164685845375061f, 0.4908161759376526f, 0.41536375880241394f, 0.49001720547676086f,
                0.6357815861701965f, 0.7176857590675354f, 0.697208821773529f, 0.667656421661377f, 0.738107442855835f,
                0.7194454669952393f, 0.642859697341919f, 0.4990847110748291f, 0.3557402491569519f, 0.2952316105365753f,
                0.5451616048812866f, 0.5608243346214294f, 0.5797629356384277f, 0.5611878633499146f, 0.5138351321220398f,
                0.48794400691986084f, 0.41400086879730225f, 0.4252064526081085f, 0.46064943075180054f,
                0.514599621295929f, 0.5616832971572876f, 0.5801857113838196f, 0.5391623377799988f, 0.5125123858451843f,
                0.4588211476802826f, 0.42449691891670227f, 0.42568302154541016f, 0.43343213200569153f,
                0.734665036201477f, 0.6917255520820618f, 0.5734667778015137f, 0.42065542936325073f,
                0.30516111850738525f, 0.2639543414115906f};
        float[] blur5x3SigmaPoint7 = {0.4136371314525604f, 0.5092650055885315f, 0.6548323631286621f,
                0.7301223278045654f, 0.7002716660499573f, 0.6422000527381897f, 0.325910359621048f, 0.33920493721961975f,
                0.408195436000824f, 0.5194298624992371f, 0.6214004755020142f, 0.663591742515564f, 0.6010380983352661f,
                0.5357561111450195f, 0.42372438311576843f, 0.3461645245552063f, 0.3389909863471985f,
                0.3655846118927002f, 0.5750195980072021f, 0.6257354617118835f, 0.666594386100769f, 0.6314091682434082f,
                0.5364723801612854f, 0.46820545196533203f, 0.31360945105552673f, 0.3942110240459442f,
                0.5510744452476501f, 0.6851580142974854f, 0.7343738675117493f, 0.7206557393074036f, 0.7382705807685852f,
                0.6910204291343689f, 0.5602604150772095f, 0.40145549178123474f, 0.2881409823894501f,
                0.25617629289627075f, 0.5802937746047974f, 0.6294216513633728f, 0.6667084693908691f, 0.627885639667511f,
                0.5309302806854248f, 0.462436705827713f, 0.32509422302246094f, 0.34289008378982544f,
                0.4177553355693817f, 0.5305137634277344f, 0.6289520263671875f, 0.6674023866653442f, 0.5912050604820251f,
                0.5246278643608093f, 0.4139341711997986f, 0.34219494462013245f, 0.34262949228286743f,
                0.37342172861099243f, 0.7338893413543701f, 0.7330995202064514f, 0.6617599129676819f,
                0.5161721706390381f, 0.3637515604496002f, 0.2919194996356964f};
        float[] blur1x5Sigma2 = {0.4310492277145386f, 0.41141900420188904f, 0.43344980478286743f, 0.48678022623062134f,
                0.5463281273841858f, 0.5840871930122375f, 0.4248031675815582f, 0.4671050012111664f, 0.5248778462409973f,
                0.5709502696990967f, 0.5836536884307861f, 0.5570134520530701f, 0.4502973258495331f,
                0.48612597584724426f, 0.528479814529419f, 0.5574390888214111f, 0.5593839287757874f, 0.5333995819091797f,
                0.44256892800331116f, 0.49587324261665344f, 0.5511184334754944f, 0.58232182264328f, 0.5748080015182495f,
                0.5321108102798462f, 0.5345197916030884f, 0.5789698958396912f, 0.5862792730331421f, 0.553010106086731f,
                0.49480947852134705f, 0.43905001878738403f, 0.4912145137786865f, 0.5500773191452026f,
                0.5853879451751709f, 0.5805392265319824f, 0.5378117561340332f, 0.47730082273483276f,
                0.5731601715087891f, 0.5830018520355225f, 0.5538064241409302f, 0.49930500984191895f,
                0.44513049721717834f, 0.41676193475723267f, 0.558575451374054f, 0.5583675503730774f,
                0.5307085514068604f, 0.4886067509651184f, 0.45186343789100647f, 0.43775948882102966f,
                0.5831441879272461f, 0.5727478265762329f, 0.5281370282173157f, 0.47029292583465576f,
                0.42642056941986084f, 0.4171537756919861f, 0.5493630170822144f, 0.4903562366962433f,
                0.43588513135910034f, 0.41156819462776184f, 0.4288421869277954f, 0.4795827567577362f};
        assertBlur(blur3Sigma1, 3, 3, 1.0);
        assertBlur(blur5x3SigmaPoint7, 5, 3, 0.7);
        assertBlur(blur1x5Sigma2, 1, 5, 2.0);
    }

    private static void assertBlur(float[] expected, int kernelWidth, int kernelHeight, double sigma) {
        float[] image = imageAt(3);
        GaussianBlur.blur(image, 3, LENGTH, HEIGHT, WIDTH, GaussianBlur.kernel(kernelWidth, sigma),
                GaussianBlur.kernel(kernelHeight, sigma));
        assertImageAt(expected, image, 3, 1e-6);
    }

    @Test
    void aConstantImageStaysConstant() {
        float[] image = new float[LENGTH];
        Arrays.fill(image, 0.75f);
        GaussianBlur.blur(image, 0, LENGTH, HEIGHT, WIDTH, GaussianBlur.kernel(5, 3.0), GaussianBlur.kernel(3, 3.0));
        for (float v : image) {
            assertEquals(0.75f, v, 1e-7);
        }
    }

    @Test
    void blursWithTheSigmaDrawnFromTheGivenRandom() {
        GaussianBlur blur = new GaussianBlur(5, 3, 0.5, 1.5);
        for (long seed = 0; seed < 10; seed++) {
            double sigma = blur.sigma(new SplittableRandom(seed));
            float[] expected = image();
            GaussianBlur.blur(expected, 0, LENGTH, HEIGHT, WIDTH, GaussianBlur.kernel(5, sigma),
                    GaussianBlur.kernel(3, sigma));
            float[] image = image();
            blur.apply(image, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed);
        }
    }

    /** torchvision's get_params: sigma uniform in [min, max), by default (0.1, 2). */
    @Test
    void sigmasAreUniformInTheirRange() {
        GaussianBlur blur = new GaussianBlur(3);
        SplittableRandom random = new SplittableRandom(9);
        int[] perTenth = new int[19];
        for (int draw = 0; draw < 19_000; draw++) {
            double sigma = blur.sigma(random);
            assertTrue(sigma >= 0.1 && sigma < 2.0, "sigma " + sigma);
            perTenth[(int) Math.floor((sigma - 0.1) * 10)]++;
        }
        for (int t = 0; t < 19; t++) {
            assertTrue(perTenth[t] > 850 && perTenth[t] < 1_150, "sigma in the " + t + "th tenth drawn " + perTenth[t]
                    + " times of 19000, not ~1000");
        }
    }

    @Test
    void rejectsEvenOrEmptyKernelsAndBadSigmas() {
        assertMessage("GaussianBlur: kernel width must be odd and positive, got 4", () -> new GaussianBlur(4));
        assertMessage("GaussianBlur: kernel height must be odd and positive, got 0",
                () -> new GaussianBlur(3, 0, 0.1, 2));
        assertMessage("GaussianBlur: sigma must be (min, max) with 0 < min <= max, got (0.0, 1.0)",
                () -> new GaussianBlur(3, 3, 0, 1));
        assertMessage("GaussianBlur: sigma must be (min, max) with 0 < min <= max, got (2.0, 1.0)",
                () -> new GaussianBlur(3, 3, 2, 1));
    }

    @Test
    void refusesImagesTooSmallToPadByReflection() {
        GaussianBlur blur = new GaussianBlur(3, 11, 1, 1);
        assertMessage("GaussianBlur: a kernel height of 11 pads by 5 pixels by reflection, which needs images more"
                + " than that in height, got 5", () -> blur.apply(image(), 0, SHAPE, new SplittableRandom(1)));
    }

    private static void assertMessage(String message, Runnable action) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, action::run).getMessage());
    }
}
