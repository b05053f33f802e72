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

import dev.kiln.data.RandomAffine.Parameters;
import dev.kiln.data.RandomRotation.Interpolation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomAffineTest {
    private static final int LENGTH = SHAPE[0] * HEIGHT * WIDTH;

    /**
     * torchvision's F.affine of the 2 x 5 x 6 image: its inverse affine matrix, _gen_affine_grid and
     * grid_sample(align_corners=False, nearest) with a sampled channel of ones for the fill, printed by
     * augmentation_affine_blur.py (which checks the grid against F.affine_grid).
     */
    @Test
    void nearestMatchesTorchvisionsAffine() {
        float[] affine30Nearest = {0.0f, 0.04191702976822853f, 0.020537862554192543f, 0.9987474679946899f,
                0.9042481780052185f, 0.0f, 0.8992435336112976f, 0.6114449501037598f, 0.22465722262859344f,
                0.22465722262859344f, 0.9042481780052185f, 0.619624674320221f, 0.5666159987449646f, 0.8701879382133484f,
                0.2712320387363434f, 0.03861228749155998f, 0.8644845485687256f, 0.9992716908454895f,
                0.02557775191962719f, 0.23884570598602295f, 0.8941260576248169f, 0.8941260576248169f,
                0.022990375757217407f, 0.23171354830265045f, 0.0f, 0.23884570598602295f, 0.5749385952949524f,
                0.6032337546348572f, 0.26378899812698364f, 0.0f, 0.0f, 0.5832399725914001f, 0.8812792301177979f,
                0.2564127445220947f, 0.03239504247903824f, 0.0f, 0.029484296217560768f, 0.031154129654169083f,
                0.9999969005584717f, 0.9999969005584717f, 0.03239504247903824f, 0.028299259021878242f,
                0.8781108260154724f, 0.5784342885017395f, 0.2533295154571533f, 0.5915178656578064f, 0.5867260694503784f,
                0.24910534918308258f, 0.8919393420219421f, 0.9997736215591431f, 0.026706576347351074f,
                0.026706576347351074f, 0.8866639733314514f, 0.999955952167511f, 0.0f, 0.9997736215591431f,
                0.8725565671920776f, 0.034141555428504944f, 0.2606770396232605f, 0.0f};
        float[] affineMinus20Translate1Minus2Scale1Point2Nearest = {0.04191702976822853f, 0.020537862554192543f,
                0.6114449501037598f, 0.2712320387363434f, 0.03861228749155998f, 0.022990375757217407f, 0.0f,
                0.8992435336112976f, 0.6114449501037598f, 0.9996547102928162f, 0.8941260576248169f, 0.8941260576248169f,
                0.0f, 0.5666159987449646f, 0.8701879382133484f, 0.9996547102928162f, 0.23884570598602295f,
                0.5749385952949524f, 0.0f, 0.035437993705272675f, 0.035437993705272675f, 0.02557775191962719f,
                0.23884570598602295f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.5832399725914001f,
                0.8812792301177979f, 0.031154129654169083f, 0.2533295154571533f, 0.5915178656578064f,
                0.8866639733314514f, 0.0f, 0.029484296217560768f, 0.031154129654169083f, 0.24186888337135315f,
                0.026706576347351074f, 0.026706576347351074f, 0.0f, 0.8781108260154724f, 0.5784342885017395f,
                0.24186888337135315f, 0.9997736215591431f, 0.8725565671920776f, 0.0f, 0.5997698307037354f,
                0.5997698307037354f, 0.8919393420219421f, 0.9997736215591431f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f,
                0.0f};
        float[] affine10ShearMinus20Y30NearestFillHalf = {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f,
                0.9042481780052185f, 0.619624674320221f, 0.9992716908454895f, 0.549916684627533f, 0.8586780428886414f,
                0.22465722262859344f, 0.5582746267318726f, 0.8644845485687256f, 0.23171354830265045f,
                0.04191702976822853f, 0.020537862554192543f, 0.2712320387363434f, 0.03861228749155998f,
                0.6032337546348572f, 0.26378899812698364f, 0.8992435336112976f, 0.8701879382133484f,
                0.9996547102928162f, 0.8941260576248169f, 0.8757867217063904f, 0.9998964667320251f, 0.5f, 0.5f, 0.5f,
                0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.03239504247903824f, 0.028299259021878242f, 0.24910534918308258f,
                0.8888970613479614f, 0.5949933528900146f, 0.9999969005584717f, 0.8835581541061401f, 0.5867260694503784f,
                0.999955952167511f, 0.5832399725914001f, 0.8812792301177979f, 0.2533295154571533f, 0.5915178656578064f,
                0.034141555428504944f, 0.2606770396232605f, 0.029484296217560768f, 0.5784342885017395f,
                0.24186888337135315f, 0.026706576347351074f, 0.5701203346252441f, 0.23470541834831238f};
        assertAffine(affine30Nearest, new Parameters(30, 0, 0, 1, 0, 0), Interpolation.NEAREST, 0f);
        assertAffine(affineMinus20Translate1Minus2Scale1Point2Nearest, new Parameters(-20, 1, -2, 1.2, 0, 0),
                Interpolation.NEAREST, 0f);
        assertAffine(affine10ShearMinus20Y30NearestFillHalf, new Parameters(10, 0, 1, 0.9, -20, 30),
                Interpolation.NEAREST, 0.5f);
    }

    @Test
    void bilinearMatchesTorchvisionsAffine() {
        float[] affine15Translate2Scale0Point8ShearX25Bilinear = {0.0f, 0.0f, 0.0f, 0.010379425249993801f,
                0.3410331904888153f, 0.1603584587574005f, 0.0f, 0.0f, 0.0f, 0.27741751074790955f, 0.07593296468257904f,
                0.5353102684020996f, 0.0f, 0.0f, 0.4646267294883728f, 0.7370783686637878f, 0.3965337872505188f,
                0.12370406836271286f, 0.0f, 0.007326209917664528f, 0.027186626568436623f, 0.43546873331069946f,
                0.76814204454422f, 0.6381520628929138f, 0.0f, 0.0f, 0.0f, 0.004692277871072292f, 0.14325369894504547f,
                0.5441182851791382f, 0.0f, 0.0f, 0.0f, 0.017510918900370598f, 0.463371217250824f, 0.09118468314409256f,
                0.0f, 0.0f, 0.0f, 0.43553921580314636f, 0.8765459656715393f, 0.7033575773239136f, 0.0f, 0.0f,
                0.527772843837738f, 0.3090035021305084f, 0.2477494776248932f, 0.6443960666656494f, 0.0f,
                0.12399233877658844f, 0.7911904454231262f, 0.7725610733032227f, 0.36486101150512695f,
                0.059178002178668976f, 0.0f, 0.0f, 0.0f, 0.009103846736252308f, 0.11605200171470642f,
                0.1681210845708847f};
        float[] affineMinus40TranslateMinus1Scale1Point1Shear10Minus15Bilinear = {0.0f, 0.04604840278625488f,
                0.22790376842021942f, 0.32150667905807495f, 0.0470525398850441f, 0.0f, 0.4757491648197174f,
                0.8721507787704468f, 0.738675594329834f, 0.8805685043334961f, 0.39852115511894226f, 0.0f,
                0.5348495841026306f, 0.4362897276878357f, 0.44034865498542786f, 0.2546048164367676f,
                0.21660561859607697f, 0.03655843064188957f, 0.2534834146499634f, 0.24796070158481598f,
                0.23295670747756958f, 0.4321634769439697f, 0.4599285423755646f, 0.3688514232635498f,
                0.6891821622848511f, 0.7581629753112793f, 0.9230754971504211f, 0.745254635810852f, 0.8304782509803772f,
                0.5520420074462891f, 0.0f, 0.0017994832014665008f, 0.028096256777644157f, 0.23665116727352142f,
                0.019645918160676956f, 0.0f, 0.10095192492008209f, 0.11668013781309128f, 0.3404799997806549f,
                0.3823185861110687f, 0.23856279253959656f, 0.0f, 0.6844308972358704f, 0.8942447304725647f,
                0.7533366680145264f, 0.8095811009407043f, 0.8760659098625183f, 0.08829188346862793f,
                0.5945501923561096f, 0.4307464063167572f, 0.45255959033966064f, 0.3347806930541992f,
                0.1329859346151352f, 0.16724856197834015f, 0.17778177559375763f, 0.2912903428077698f,
                0.1865435242652893f, 0.3785388469696045f, 0.49279943108558655f, 0.1817367970943451f};
        float[] affine10ShearMinus20Y30BilinearFillHalf = {0.5f, 0.5f, 0.5f, 0.5f, 0.48001667857170105f,
                0.40937116742134094f, 0.5f, 0.5f, 0.4448104798793793f, 0.6011752486228943f, 0.5921816825866699f,
                0.5129970908164978f, 0.4802432060241699f, 0.7957584261894226f, 0.5959230661392212f, 0.6154304146766663f,
                0.5084722638130188f, 0.30650225281715393f, 0.09295251965522766f, 0.22427479922771454f,
                0.25746455788612366f, 0.2330205738544464f, 0.4242488145828247f, 0.3834204077720642f,
                0.7681992053985596f, 0.7477792501449585f, 0.963403582572937f, 0.735566258430481f, 0.7628800272941589f,
                0.6128466725349426f, 0.5f, 0.5f, 0.5f, 0.5f, 0.47961655259132385f, 0.40800291299819946f, 0.5f, 0.5f,
                0.3342796862125397f, 0.1158529594540596f, 0.19792649149894714f, 0.2760636806488037f,
                0.5250505208969116f, 0.5388935208320618f, 0.6387691497802734f, 0.8180092573165894f, 0.7027589678764343f,
                0.8147813677787781f, 0.6522868275642395f, 0.60585618019104f, 0.42495980858802795f, 0.46049708127975464f,
                0.31512904167175293f, 0.22999748587608337f, 0.14355485141277313f, 0.3548484742641449f,
                0.3121173083782196f, 0.43575239181518555f, 0.5866929888725281f, 0.3322683572769165f};
        assertAffine(affine15Translate2Scale0Point8ShearX25Bilinear, new Parameters(15, 2, 0, 0.8, 25, 0),
                Interpolation.BILINEAR, 0f);
        assertAffine(affineMinus40TranslateMinus1Scale1Point1Shear10Minus15Bilinear,
                new Parameters(-40, -1, 1, 1.1, 10, -15), Interpolation.BILINEAR, 0f);
        assertAffine(affine10ShearMinus20Y30BilinearFillHalf, new Parameters(10, 0, 1, 0.9, -20, 30),
                Interpolation.BILINEAR, 0.5f);
    }

    private static void assertAffine(float[] expected, Parameters parameters, Interpolation interpolation,
            float fill) {
        float[] image = imageAt(3);
        AffineWarp.warp(image, 3, LENGTH, HEIGHT, WIDTH, parameters.inverseMatrix(), interpolation, fill);
        assertImageAt(expected, image, 3, 1e-6);
    }

    @Test
    void aPositiveAngleTurnsClockwiseAsTorchvisionsAffine() {
        float[] dot = new float[5 * 5];
        dot[2 * 5 + 4] = 1;
        AffineWarp.warp(dot, 0, dot.length, 5, 5, new Parameters(90, 0, 0, 1, 0, 0).inverseMatrix(),
                Interpolation.NEAREST, 0f);
        float[] below = new float[5 * 5];
        below[4 * 5 + 2] = 1;
        assertArrayEquals(below, dot, "the pixel right of the centre goes to the bottom");
    }

    @Test
    void randomRotationIsThisWarpTurnedTheOtherWay() {
        for (Interpolation interpolation : Interpolation.values()) {
            float[] rotated = image();
            RandomRotation.rotate(rotated, 0, LENGTH, HEIGHT, WIDTH, 35, interpolation, 0.5f);
            float[] warped = image();
            AffineWarp.warp(warped, 0, LENGTH, HEIGHT, WIDTH, new Parameters(-35, 0, 0, 1, 0, 0).inverseMatrix(),
                    interpolation, 0.5f);
            assertArrayEquals(rotated, warped, interpolation.toString());
        }
    }

    @Test
    void aTranslationMovesTheImageByWholePixelsFillingWhatIsUncovered() {
        float[] image = image();
        AffineWarp.warp(image, 0, LENGTH, HEIGHT, WIDTH, new Parameters(0, 2, -1, 1, 0, 0).inverseMatrix(),
                Interpolation.BILINEAR, 0.25f);
        float[] original = image();
        for (int c = 0; c < SHAPE[0]; c++) {
            for (int y = 0; y < HEIGHT; y++) {
                for (int x = 0; x < WIDTH; x++) {
                    boolean covered = x >= 2 && y + 1 < HEIGHT;
                    float want = covered ? original[(c * HEIGHT + y + 1) * WIDTH + x - 2] : 0.25f;
                    assertEquals(want, image[(c * HEIGHT + y) * WIDTH + x], 1e-7, "channel " + c + " (" + y + ", "
                            + x + ")");
                }
            }
        }
    }

    @Test
    void noTurnMoveScaleOrShearLeavesTheImageAsItIs() {
        for (Interpolation interpolation : Interpolation.values()) {
            float[] image = image();
            AffineWarp.warp(image, 0, LENGTH, HEIGHT, WIDTH, new Parameters(0, 0, 0, 1, 0, 0).inverseMatrix(),
                    interpolation, 0.5f);
            assertArrayEquals(image(), image, interpolation.toString());
        }
    }

    @Test
    void warpsWithTheParametersDrawnFromTheGivenRandom() {
        RandomAffine affine = new RandomAffine(20).withTranslate(0.2, 0.3).withScale(0.8, 1.2).withShear(-5, 5, 0, 10)
                .withInterpolation(Interpolation.BILINEAR).withFill(0.5f);
        for (long seed = 0; seed < 10; seed++) {
            float[] expected = image();
            Parameters drawn = affine.draw(HEIGHT, WIDTH, new SplittableRandom(seed));
            AffineWarp.warp(expected, 0, LENGTH, HEIGHT, WIDTH, drawn.inverseMatrix(), Interpolation.BILINEAR, 0.5f);
            float[] image = image();
            affine.apply(image, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed);
        }
    }

    /**
     * torchvision's get_params over 28 x 28 images: the angle, scale and shears uniform in their ranges, the move
     * rounded from a uniform draw in [-0.1 x 28, 0.1 x 28] = [-2.8, 2.8], so -3 to 3 pixels.
     */
    @Test
    void drawsStayInTorchvisionsRangesAndCoverThem() {
        RandomAffine affine = new RandomAffine(-5, 15).withTranslate(0.1, 0.05).withScale(0.9, 1.1)
                .withShear(-10, 10, 2, 4);
        SplittableRandom random = new SplittableRandom(11);
        int[] perMoveX = new int[7];
        int[] perMoveY = new int[3];
        double lowestAngle = 15;
        double highestAngle = -5;
        for (int draw = 0; draw < 20_000; draw++) {
            Parameters p = affine.draw(28, 28, random);
            assertTrue(p.angle() >= -5 && p.angle() < 15, "angle " + p.angle());
            assertTrue(p.scale() >= 0.9 && p.scale() < 1.1, "scale " + p.scale());
            assertTrue(p.shearX() >= -10 && p.shearX() < 10, "shear x " + p.shearX());
            assertTrue(p.shearY() >= 2 && p.shearY() < 4, "shear y " + p.shearY());
            assertTrue(Math.abs(p.translateX()) <= 3, "move across " + p.translateX());
            assertTrue(Math.abs(p.translateY()) <= 1, "move down " + p.translateY() + ", at most rint(1.4)");
            perMoveX[p.translateX() + 3]++;
            perMoveY[p.translateY() + 1]++;
            lowestAngle = Math.min(lowestAngle, p.angle());
            highestAngle = Math.max(highestAngle, p.angle());
        }
        assertTrue(lowestAngle < -4.99 && highestAngle > 14.99, "angles span " + lowestAngle + " to " + highestAngle);
        // P(-3) = P(3) = 0.3 / 5.6, P(-2) ... P(2) = 1 / 5.6: about 1070 and 3570 of 20000.
        for (int move = -3; move <= 3; move++) {
            double expected = 20_000 * (Math.abs(move) == 3 ? 0.3 : 1) / 5.6;
            int count = perMoveX[move + 3];
            assertTrue(Math.abs(count - expected) < 0.1 * expected, "move " + move + " drawn " + count + " times");
        }
        assertTrue(perMoveY[0] > 0 && perMoveY[2] > 0, "moves of one pixel up and down both drawn");
    }

    @Test
    void drawsOnlyTheAngleWhenNothingElseIsAsked() {
        SplittableRandom random = new SplittableRandom(4);
        Parameters p = new RandomAffine(30).draw(HEIGHT, WIDTH, random);
        SplittableRandom expected = new SplittableRandom(4);
        assertEquals(-30 + 60 * expected.nextDouble(), p.angle());
        assertEquals(new Parameters(p.angle(), 0, 0, 1, 0, 0), p);
        assertEquals(expected.nextLong(), random.nextLong(), "one number drawn");
    }

    @Test
    void rejectsBadRangesNamingThem() {
        assertMessage("RandomAffine: degrees must be finite and >= 0, got -1.0", () -> new RandomAffine(-1));
        assertMessage("RandomAffine: degrees must be (min, max) with finite min <= max, got (5.0, -5.0)",
                () -> new RandomAffine(5, -5));
        assertMessage("RandomAffine: translate must be (maxX, maxY) with each in [0, 1], got (0.1, 1.5)",
                () -> new RandomAffine(0).withTranslate(0.1, 1.5));
        assertMessage("RandomAffine: scale must be (min, max) with 0 < min <= max, got (0.0, 1.0)",
                () -> new RandomAffine(0).withScale(0, 1));
        assertMessage("RandomAffine: shear must be finite and >= 0, got -3.0", () -> new RandomAffine(0).withShear(-3));
        assertMessage("RandomAffine: shear y must be (min, max) with finite min <= max, got (NaN, 1.0)",
                () -> new RandomAffine(0).withShear(0, 1, Double.NaN, 1));
        assertMessage("RandomAffine: fill must be finite, got NaN", () -> new RandomAffine(0).withFill(Float.NaN));
        assertThrows(NullPointerException.class, () -> new RandomAffine(0).withInterpolation(null));
    }

    private static void assertMessage(String message, Runnable construction) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, construction::run).getMessage());
    }

    @Test
    void refusesExamplesThatAreNotImages() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RandomAffine(10).apply(new float[4], 0, new int[] {4}, new SplittableRandom(1)));
        assertEquals("RandomAffine needs images [..., height, width], got example shape [4]", e.getMessage());
    }
}
