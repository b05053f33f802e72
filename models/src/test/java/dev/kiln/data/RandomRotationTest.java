package dev.kiln.data;

import static dev.kiln.data.TorchImages.HEIGHT;
import static dev.kiln.data.TorchImages.SHAPE;
import static dev.kiln.data.TorchImages.WIDTH;
import static dev.kiln.data.TorchImages.assertImageAt;
import static dev.kiln.data.TorchImages.image;
import static dev.kiln.data.TorchImages.imageAt;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.RandomRotation.Interpolation;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class RandomRotationTest {
    private static final int LENGTH = SHAPE[0] * HEIGHT * WIDTH;

    /**
     * torchvision's rotate of the 2 x 5 x 6 image: grid_sample(align_corners=False) at the inversely turned pixel
     * centres, with a sampled channel of ones blending in the fill, printed by augmentation.py.
     */
    @Test
    void nearestMatchesTorchvisionForBothDirections() {
        float[] rotate30Nearest = {0.0f, 0.9987474679946899f, 0.9042481780052185f, 0.8644845485687256f,
                0.9992716908454895f, 0.0f, 0.8586780428886414f, 0.9987474679946899f, 0.5582746267318726f,
                0.5582746267318726f, 0.022990375757217407f, 0.23171354830265045f, 0.04191702976822853f,
                0.020537862554192543f, 0.2712320387363434f, 0.03861228749155998f, 0.6032337546348572f,
                0.26378899812698364f, 0.8992435336112976f, 0.6114449501037598f, 0.9996547102928162f,
                0.9996547102928162f, 0.5749385952949524f, 0.8757867217063904f, 0.0f, 0.5666159987449646f,
                0.8701879382133484f, 0.23884570598602295f, 0.5749385952949524f, 0.0f, 0.0f, 0.2564127445220947f,
                0.03239504247903824f, 0.5867260694503784f, 0.24910534918308258f, 0.0f, 0.5949933528900146f,
                0.2564127445220947f, 0.8835581541061401f, 0.8835581541061401f, 0.8866639733314514f, 0.999955952167511f,
                0.5832399725914001f, 0.8812792301177979f, 0.2533295154571533f, 0.5915178656578064f,
                0.034141555428504944f, 0.2606770396232605f, 0.029484296217560768f, 0.031154129654169083f,
                0.24186888337135315f, 0.24186888337135315f, 0.8725565671920776f, 0.5701203346252441f, 0.0f,
                0.8781108260154724f, 0.5784342885017395f, 0.9997736215591431f, 0.8725565671920776f, 0.0f};
        float[] rotateMinus75Nearest = {0.035437993705272675f, 0.5666159987449646f, 0.8992435336112976f,
                0.020537862554192543f, 0.8586780428886414f, 0.0f, 0.02557775191962719f, 0.8701879382133484f,
                0.6114449501037598f, 0.22465722262859344f, 0.9987474679946899f, 0.0f, 0.23884570598602295f,
                0.9996547102928162f, 0.2712320387363434f, 0.03861228749155998f, 0.5582746267318726f,
                0.9042481780052185f, 0.0f, 0.5749385952949524f, 0.8941260576248169f, 0.022990375757217407f,
                0.8644845485687256f, 0.619624674320221f, 0.0f, 0.8757867217063904f, 0.6032337546348572f,
                0.23171354830265045f, 0.9992716908454895f, 0.2787397801876068f, 0.5997698307037354f,
                0.8781108260154724f, 0.029484296217560768f, 0.8812792301177979f, 0.5949933528900146f, 0.0f,
                0.8919393420219421f, 0.5784342885017395f, 0.031154129654169083f, 0.9999969005584717f,
                0.2564127445220947f, 0.0f, 0.9997736215591431f, 0.24186888337135315f, 0.2533295154571533f,
                0.5915178656578064f, 0.8835581541061401f, 0.03239504247903824f, 0.0f, 0.8725565671920776f,
                0.026706576347351074f, 0.8866639733314514f, 0.5867260694503784f, 0.028299259021878242f, 0.0f,
                0.5701203346252441f, 0.034141555428504944f, 0.999955952167511f, 0.24910534918308258f,
                0.24605169892311096f};
        float[] rotate30NearestFillHalf = {0.5f, 0.9987474679946899f, 0.9042481780052185f, 0.8644845485687256f,
                0.9992716908454895f, 0.5f, 0.8586780428886414f, 0.9987474679946899f, 0.5582746267318726f,
                0.5582746267318726f, 0.022990375757217407f, 0.23171354830265045f, 0.04191702976822853f,
                0.020537862554192543f, 0.2712320387363434f, 0.03861228749155998f, 0.6032337546348572f,
                0.26378899812698364f, 0.8992435336112976f, 0.6114449501037598f, 0.9996547102928162f,
                0.9996547102928162f, 0.5749385952949524f, 0.8757867217063904f, 0.5f, 0.5666159987449646f,
                0.8701879382133484f, 0.23884570598602295f, 0.5749385952949524f, 0.5f, 0.5f, 0.2564127445220947f,
                0.03239504247903824f, 0.5867260694503784f, 0.24910534918308258f, 0.5f, 0.5949933528900146f,
                0.2564127445220947f, 0.8835581541061401f, 0.8835581541061401f, 0.8866639733314514f, 0.999955952167511f,
                0.5832399725914001f, 0.8812792301177979f, 0.2533295154571533f, 0.5915178656578064f,
                0.034141555428504944f, 0.2606770396232605f, 0.029484296217560768f, 0.031154129654169083f,
                0.24186888337135315f, 0.24186888337135315f, 0.8725565671920776f, 0.5701203346252441f, 0.5f,
                0.8781108260154724f, 0.5784342885017395f, 0.9997736215591431f, 0.8725565671920776f, 0.5f};
        assertRotation(rotate30Nearest, 30, Interpolation.NEAREST, 0f, 0);
        assertRotation(rotateMinus75Nearest, -75, Interpolation.NEAREST, 0f, 0);
        assertRotation(rotate30NearestFillHalf, 30, Interpolation.NEAREST, 0.5f, 0);
    }

    @Test
    void bilinearMatchesTorchvisionForBothDirections() {
        float[] rotate30Bilinear = {0.00029175891540944576f, 0.26284071803092957f, 0.8796824216842651f,
                0.7450162172317505f, 0.9581407904624939f, 0.06750178337097168f, 0.631155788898468f, 0.6522759795188904f,
                0.4754646122455597f, 0.4378204941749573f, 0.1804758757352829f, 0.1701175719499588f, 0.189400315284729f,
                0.1819373369216919f, 0.2534883916378021f, 0.2659449577331543f, 0.5028014779090881f, 0.5226930379867554f,
                0.3973941206932068f, 0.7070102095603943f, 0.7419899106025696f, 0.8878735899925232f, 0.7195180654525757f,
                0.7003573179244995f, 0.08289163559675217f, 0.631459653377533f, 0.4744217097759247f,
                0.23831605911254883f, 0.13611994683742523f, 0.00024968900834210217f, 0.0001551561726955697f,
                0.056710876524448395f, 0.04704636335372925f, 0.32796716690063477f, 0.32880499958992004f,
                0.07157313078641891f, 0.5028427243232727f, 0.5906703472137451f, 0.8406258821487427f,
                0.7413157820701599f, 0.8700973391532898f, 0.49920064210891724f, 0.7099126577377319f,
                0.6978033781051636f, 0.4550371468067169f, 0.43692755699157715f, 0.2313232719898224f,
                0.22536353766918182f, 0.16878117620944977f, 0.10460858047008514f, 0.29910704493522644f,
                0.24105551838874817f, 0.4929121136665344f, 0.40223583579063416f, 0.04919935017824173f,
                0.8037421703338623f, 0.7213642001152039f, 0.9794806838035583f, 0.24094043672084808f,
                0.00021631074196193367f};
        float[] rotateMinus75Bilinear = {0.07640554010868073f, 0.6367875933647156f, 0.7473003268241882f,
                0.02744757942855358f, 0.8176357746124268f, 0.004055382218211889f, 0.019013667479157448f,
                0.7308582067489624f, 0.5743699669837952f, 0.21529372036457062f, 0.7601491808891296f,
                0.10455845296382904f, 0.07105165719985962f, 0.6684984564781189f, 0.5595734715461731f,
                0.2744506299495697f, 0.697769284248352f, 0.2953203022480011f, 0.054755643010139465f,
                0.6781710982322693f, 0.5992464423179626f, 0.18873663246631622f, 0.7896631360054016f,
                0.4139525592327118f, 0.003700509201735258f, 0.8714006543159485f, 0.5008193254470825f,
                0.14959032833576202f, 0.9213373064994812f, 0.29934805631637573f, 0.533142626285553f, 0.769578218460083f,
                0.0539272241294384f, 0.7910751104354858f, 0.6165328621864319f, 0.002382310340180993f,
                0.6118548512458801f, 0.6012547612190247f, 0.19305065274238586f, 0.7582535743713379f,
                0.48967796564102173f, 0.02299000509083271f, 0.33693453669548035f, 0.5624473094940186f,
                0.27408427000045776f, 0.688602864742279f, 0.5198926329612732f, 0.01088718045502901f,
                0.09539470076560974f, 0.6088598966598511f, 0.20005358755588531f, 0.7536938190460205f,
                0.5157627463340759f, 0.037682659924030304f, 0.0028982043731957674f, 0.5383681058883667f,
                0.10287552326917648f, 0.9228928089141846f, 0.3558928668498993f, 0.2090231478214264f};
        float[] rotate30BilinearFillHalf = {0.49131715297698975f, 0.5038660764694214f, 0.8796824216842651f,
                0.7450162172317505f, 0.9581407904624939f, 0.40003371238708496f, 0.6891685128211975f,
                0.6522759795188904f, 0.4754646122455597f, 0.4378204941749573f, 0.1804758757352829f, 0.2526494860649109f,
                0.189400315284729f, 0.1819373369216919f, 0.2534883916378021f, 0.2659449577331543f, 0.5028014779090881f,
                0.5226930379867554f, 0.47992581129074097f, 0.7070102095603943f, 0.7419899106025696f,
                0.8878735899925232f, 0.7195180654525757f, 0.758370041847229f, 0.4154233932495117f, 0.631459653377533f,
                0.47442173957824707f, 0.23831605911254883f, 0.3771454095840454f, 0.4912751317024231f,
                0.49118053913116455f, 0.297736257314682f, 0.04704636335372925f, 0.32796716690063477f,
                0.32880499958992004f, 0.4041050672531128f, 0.5608554482460022f, 0.5906703472137451f,
                0.8406258821487427f, 0.7413157820701599f, 0.8700973391532898f, 0.5817325711250305f, 0.7099126577377319f,
                0.6978033781051636f, 0.4550371468067169f, 0.43692755699157715f, 0.2313232719898224f,
                0.22536353766918182f, 0.25131285190582275f, 0.10460858047008514f, 0.29910704493522644f,
                0.24105551838874817f, 0.4929121136665344f, 0.46024855971336365f, 0.3817310929298401f,
                0.8037421703338623f, 0.7213642597198486f, 0.9794806838035583f, 0.48196589946746826f,
                0.4912417531013489f};
        // torch builds the sampling grid in F32, Kiln in F64.
        assertRotation(rotate30Bilinear, 30, Interpolation.BILINEAR, 0f, 2e-6);
        assertRotation(rotateMinus75Bilinear, -75, Interpolation.BILINEAR, 0f, 2e-6);
        assertRotation(rotate30BilinearFillHalf, 30, Interpolation.BILINEAR, 0.5f, 2e-6);
    }

    private static void assertRotation(float[] expected, double angle, Interpolation interpolation, float fill,
            double tolerance) {
        float[] image = imageAt(3);
        RandomRotation.rotate(image, 3, LENGTH, HEIGHT, WIDTH, angle, interpolation, fill);
        assertImageAt(expected, image, 3, tolerance);
    }

    @Test
    void aPositiveAngleTurnsCounterClockwise() {
        float[] dot = new float[5 * 5];
        dot[2 * 5 + 4] = 1;
        RandomRotation.rotate(dot, 0, dot.length, 5, 5, 90, Interpolation.NEAREST, 0f);
        float[] above = new float[5 * 5];
        above[2] = 1;
        assertArrayEquals(above, dot, "the pixel right of the centre goes to the top");
    }

    @Test
    void noAngleLeavesTheImageAsItIs() {
        for (Interpolation interpolation : Interpolation.values()) {
            float[] image = image();
            RandomRotation.rotate(image, 0, LENGTH, HEIGHT, WIDTH, 0, interpolation, 0.5f);
            assertArrayEquals(image(), image, interpolation.toString());
        }
    }

    @Test
    void rotatesByTheAngleDrawnFromTheGivenRandom() {
        RandomRotation rotation = new RandomRotation(40, Interpolation.BILINEAR, 0f);
        for (long seed = 0; seed < 10; seed++) {
            float[] expected = image();
            RandomRotation.rotate(expected, 0, LENGTH, HEIGHT, WIDTH, rotation.angle(new SplittableRandom(seed)),
                    Interpolation.BILINEAR, 0f);
            float[] image = image();
            rotation.apply(image, 0, SHAPE, new SplittableRandom(seed));
            assertArrayEquals(expected, image, "seed " + seed);
        }
    }

    @Test
    void anglesAreUniformBetweenMinusAndPlusDegrees() {
        RandomRotation rotation = new RandomRotation(10);
        SplittableRandom random = new SplittableRandom(5);
        int[] perDegree = new int[20];
        for (int draw = 0; draw < 20_000; draw++) {
            double angle = rotation.angle(random);
            assertTrue(angle >= -10 && angle < 10, "angle " + angle);
            perDegree[(int) Math.floor(angle) + 10]++;
        }
        for (int d = 0; d < 20; d++) {
            assertTrue(perDegree[d] > 850 && perDegree[d] < 1_150,
                    "[" + (d - 10) + ", " + (d - 9) + ") degrees drawn " + perDegree[d] + " times of 20000, not ~1000");
        }
    }

    @Test
    void theSameSeedRotatesTheSame() {
        RandomRotation rotation = new RandomRotation(10, Interpolation.BILINEAR, 0f);
        float[] first = image();
        float[] second = image();
        rotation.apply(first, 0, SHAPE, new SplittableRandom(3));
        rotation.apply(second, 0, SHAPE, new SplittableRandom(3));
        assertArrayEquals(first, second);
        float[] other = image();
        rotation.apply(other, 0, SHAPE, new SplittableRandom(4));
        assertFalse(Arrays.equals(first, other), "another seed, another angle");
    }

    @Test
    void rejectsNegativeOrEndlessDegreesAndAFillThatIsNotFinite() {
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> new RandomRotation(-5));
        assertEquals("RandomRotation: degrees must be finite and >= 0, got -5.0", negative.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new RandomRotation(Double.POSITIVE_INFINITY));
        IllegalArgumentException fill = assertThrows(IllegalArgumentException.class,
                () -> new RandomRotation(10, Interpolation.NEAREST, Float.POSITIVE_INFINITY));
        assertEquals("RandomRotation: fill must be finite, got Infinity", fill.getMessage());
        assertThrows(NullPointerException.class, () -> new RandomRotation(10, null, 0f));
    }
}
