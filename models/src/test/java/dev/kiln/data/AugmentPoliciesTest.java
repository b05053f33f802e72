package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.AugMix.Mix;
import dev.kiln.data.AugmentOp.Step;
import dev.kiln.data.AutoAugment.Entry;
import dev.kiln.data.AutoAugment.Policy;
import dev.kiln.data.AutoAugment.SubPolicy;
import dev.kiln.data.RandomRotation.Interpolation;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * torchvision 0.14's automatic augmentation policies: their magnitude bins and AutoAugment's tables against those
 * printed by {@code models/src/test/pytorch/autoaugment.py}, AugMix's mix of fixed chains against torch, and the
 * structure of the random draws (which operations, which bins, signs, probabilities) by statistics over many draws,
 * as torch's generator cannot be matched.
 */
class AugmentPoliciesTest {
    private static final int H = TorchImages.HEIGHT;
    private static final int W = TorchImages.WIDTH;
    private static final int[] RGB = {3, H, W};

    // Magnitude bins for a 28 x 32 (height x width) image
    private static final double[] AUTO_AUGMENT_SHEAR = {0.0, 0.03333333507180214, 0.06666667014360428,
            0.10000000894069672, 0.13333334028720856, 0.1666666716337204, 0.20000000298023224, 0.23333334922790527,
            0.2666666805744171, 0.30000001192092896};
    private static final double[] AUTO_AUGMENT_TRANSLATE_X = {0.0, 1.611279010772705, 3.22255802154541,
            4.833837032318115, 6.44511604309082, 8.056394577026367, 9.667673110961914, 11.278952598571777,
            12.89023208618164, 14.501510620117188};
    private static final double[] AUTO_AUGMENT_TRANSLATE_Y = {0.0, 1.4098690748214722, 2.8197381496429443,
            4.229607105255127, 5.639476299285889, 7.04934549331665, 8.459214210510254, 9.869083404541016,
            11.278952598571777, 12.688821792602539};
    private static final double[] AUTO_AUGMENT_ROTATE = {0.0, 3.3333332538604736, 6.666666507720947, 10.0,
            13.333333015441895, 16.666667938232422, 20.0, 23.33333396911621, 26.66666603088379, 30.0};
    private static final double[] AUTO_AUGMENT_ENHANCE = {0.0, 0.09999999403953552, 0.19999998807907104,
            0.29999998211860657, 0.3999999761581421, 0.5, 0.6000000238418579, 0.699999988079071, 0.7999999523162842,
            0.8999999761581421};
    private static final double[] AUTO_AUGMENT_POSTERIZE = {8.0, 8.0, 7.0, 7.0, 6.0, 6.0, 5.0, 5.0, 4.0, 4.0};
    private static final double[] AUTO_AUGMENT_SOLARIZE = {255.0, 226.6666717529297, 198.3333282470703, 170.0,
            141.66665649414062, 113.33333587646484, 85.0, 56.66666793823242, 28.33333396911621, 0.0};
    private static final double[] RAND_AUGMENT_SHEAR = {0.0, 0.010000000707805157, 0.020000001415610313,
            0.030000001192092896, 0.04000000283122063, 0.05000000447034836, 0.06000000238418579, 0.07000000774860382,
            0.08000000566244125, 0.09000000357627869, 0.10000000894069672, 0.11000000685453415, 0.12000000476837158,
            0.1300000101327896, 0.14000001549720764, 0.15000000596046448, 0.1599999964237213, 0.17000000178813934,
            0.18000000715255737, 0.1899999976158142, 0.20000000298023224, 0.21000000834465027, 0.2199999988079071,
            0.23000000417232513, 0.24000000953674316, 0.25, 0.2600000202655792, 0.27000001072883606, 0.2800000011920929,
            0.2900000214576721, 0.30000001192092896};
    private static final double[] RAND_AUGMENT_TRANSLATE_X = {0.0, 0.4833836853504181, 0.9667673707008362,
            1.4501510858535767, 1.9335347414016724, 2.4169185161590576, 2.9003021717071533, 3.383685827255249,
            3.8670694828033447, 4.3504533767700195, 4.833837032318115, 5.317220687866211, 5.800604343414307,
            6.283987998962402, 6.767371654510498, 7.250755310058594, 7.7341389656066895, 8.217522621154785,
            8.700906753540039, 9.184289932250977, 9.66767406463623, 10.151057243347168, 10.634441375732422,
            11.11782455444336, 11.601208686828613, 12.08459186553955, 12.567975997924805, 13.051359176635742,
            13.534743309020996, 14.018126487731934, 14.501510620117188};
    private static final double[] RAND_AUGMENT_TRANSLATE_Y = {0.0, 0.42296072840690613, 0.8459214568138123,
            1.268882155418396, 1.6918429136276245, 2.1148035526275635, 2.537764310836792, 2.9607250690460205,
            3.383685827255249, 3.8066465854644775, 4.229607105255127, 4.6525678634643555, 5.075528621673584,
            5.4984893798828125, 5.921450138092041, 6.3444108963012695, 6.767371654510498, 7.190332412719727,
            7.613293170928955, 8.036253929138184, 8.459214210510254, 8.88217544555664, 9.305135726928711,
            9.728096961975098, 10.151057243347168, 10.574018478393555, 10.996978759765625, 11.419939994812012,
            11.842900276184082, 12.265861511230469, 12.688821792602539};
    private static final double[] RAND_AUGMENT_ROTATE = {0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0,
            12.0, 13.0, 14.0, 15.0, 16.0, 17.0, 18.0, 19.0, 20.0, 21.0, 22.0, 23.0, 24.0, 25.0, 26.0, 27.0, 28.0, 29.0,
            30.0};
    private static final double[] RAND_AUGMENT_ENHANCE = {0.0, 0.029999999329447746, 0.05999999865889549,
            0.08999999612569809, 0.11999999731779099, 0.14999999105930328, 0.17999999225139618, 0.20999999344348907,
            0.23999999463558197, 0.26999998092651367, 0.29999998211860657, 0.32999998331069946, 0.35999998450279236,
            0.38999998569488525, 0.41999998688697815, 0.44999998807907104, 0.47999998927116394, 0.5099999904632568,
            0.5399999618530273, 0.5699999928474426, 0.5999999642372131, 0.6299999952316284, 0.6599999666213989,
            0.6899999976158142, 0.7199999690055847, 0.75, 0.7799999713897705, 0.8100000023841858, 0.8399999737739563,
            0.8700000047683716, 0.8999999761581421};
    private static final double[] RAND_AUGMENT_POSTERIZE = {8.0, 8.0, 8.0, 8.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0,
            6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 6.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 5.0, 4.0, 4.0, 4.0, 4.0};
    private static final double[] RAND_AUGMENT_SOLARIZE = {255.0, 246.5, 238.0, 229.5, 221.0, 212.5, 204.0, 195.5,
            187.0, 178.5, 170.0, 161.5, 153.0, 144.5, 136.0, 127.5, 119.0, 110.5, 102.0, 93.5, 85.0, 76.5, 68.0, 59.5,
            51.0, 42.5, 34.0, 25.5, 17.0, 8.5, 0.0};
    private static final double[] TRIVIAL_SHEAR = {0.0, 0.032999999821186066, 0.06599999964237213, 0.0989999994635582,
            0.13199999928474426, 0.16499999165534973, 0.1979999989271164, 0.23100000619888306, 0.2639999985694885,
            0.296999990940094, 0.32999998331069946, 0.3630000054836273, 0.3959999978542328, 0.42899999022483826,
            0.4620000123977661, 0.4950000047683716, 0.527999997138977, 0.5609999895095825, 0.593999981880188,
            0.6270000338554382, 0.6600000262260437, 0.6930000185966492, 0.7260000109672546, 0.7590000033378601,
            0.7919999957084656, 0.824999988079071, 0.8580000400543213, 0.8910000324249268, 0.9240000247955322,
            0.9570000171661377, 0.9900000095367432};
    private static final double[] TRIVIAL_TRANSLATE = {0.0, 1.0666667222976685, 2.133333444595337, 3.200000286102295,
            4.266666889190674, 5.333333492279053, 6.40000057220459, 7.466667175292969, 8.533333778381348,
            9.600000381469727, 10.666666984558105, 11.733333587646484, 12.80000114440918, 13.866666793823242,
            14.933334350585938, 16.0, 17.066665649414062, 18.133333206176758, 19.19999885559082, 20.266666412353516,
            21.333332061767578, 22.399999618530273, 23.46666717529297, 24.53333282470703, 25.600000381469727,
            26.66666603088379, 27.733333587646484, 28.799999237060547, 29.866666793823242, 30.933332443237305, 32.0};
    private static final double[] TRIVIAL_ROTATE = {0.0, 4.5, 9.0, 13.5, 18.0, 22.5, 27.0, 31.5, 36.0, 40.5, 45.0, 49.5,
            54.0, 58.5, 63.0, 67.5, 72.0, 76.5, 81.0, 85.5, 90.0, 94.5, 99.0, 103.5, 108.0, 112.5, 117.0, 121.5, 126.0,
            130.5, 135.0};
    private static final double[] TRIVIAL_ENHANCE = {0.0, 0.032999999821186066, 0.06599999964237213, 0.0989999994635582,
            0.13199999928474426, 0.16499999165534973, 0.1979999989271164, 0.23100000619888306, 0.2639999985694885,
            0.296999990940094, 0.32999998331069946, 0.3630000054836273, 0.3959999978542328, 0.42899999022483826,
            0.4620000123977661, 0.4950000047683716, 0.527999997138977, 0.5609999895095825, 0.593999981880188,
            0.6270000338554382, 0.6600000262260437, 0.6930000185966492, 0.7260000109672546, 0.7590000033378601,
            0.7919999957084656, 0.824999988079071, 0.8580000400543213, 0.8910000324249268, 0.9240000247955322,
            0.9570000171661377, 0.9900000095367432};
    private static final double[] TRIVIAL_POSTERIZE = {8.0, 8.0, 8.0, 7.0, 7.0, 7.0, 7.0, 7.0, 6.0, 6.0, 6.0, 6.0, 6.0,
            5.0, 5.0, 5.0, 5.0, 5.0, 4.0, 4.0, 4.0, 4.0, 4.0, 3.0, 3.0, 3.0, 3.0, 3.0, 2.0, 2.0, 2.0};
    private static final double[] TRIVIAL_SOLARIZE = {255.0, 246.5, 238.0, 229.5, 221.0, 212.5, 204.0, 195.5, 187.0,
            178.5, 170.0, 161.5, 153.0, 144.5, 136.0, 127.5, 119.0, 110.5, 102.0, 93.5, 85.0, 76.5, 68.0, 59.5, 51.0,
            42.5, 34.0, 25.5, 17.0, 8.5, 0.0};
    private static final double[] AUG_MIX_TRANSLATE_X = {0.0, 1.185185194015503, 2.370370388031006, 3.555555582046509,
            4.740740776062012, 5.925926208496094, 7.111111640930176, 8.296297073364258, 9.481481552124023,
            10.666666984558105};
    private static final double[] AUG_MIX_TRANSLATE_Y = {0.0, 1.0370370149612427, 2.0740740299224854,
            3.1111111640930176, 4.148148059844971, 5.185184955596924, 6.222221851348877, 7.259259223937988,
            8.296296119689941, 9.333333015441895};
    private static final double[] AUG_MIX_POSTERIZE = {4.0, 4.0, 3.0, 3.0, 2.0, 2.0, 1.0, 1.0, 0.0, 0.0};
    // AutoAugment's sub-policies: op p magnitude-index (- for none), two per sub-policy
    private static final String IMAGENET_POLICY = ""
            + "Posterize 0.4 8, Rotate 0.6 9; "
            + "Solarize 0.6 5, AutoContrast 0.6 -; "
            + "Equalize 0.8 -, Equalize 0.6 -; "
            + "Posterize 0.6 7, Posterize 0.6 6; "
            + "Equalize 0.4 -, Solarize 0.2 4; "
            + "Equalize 0.4 -, Rotate 0.8 8; "
            + "Solarize 0.6 3, Equalize 0.6 -; "
            + "Posterize 0.8 5, Equalize 1.0 -; "
            + "Rotate 0.2 3, Solarize 0.6 8; "
            + "Equalize 0.6 -, Posterize 0.4 6; "
            + "Rotate 0.8 8, Color 0.4 0; "
            + "Rotate 0.4 9, Equalize 0.6 -; "
            + "Equalize 0.0 -, Equalize 0.8 -; "
            + "Invert 0.6 -, Equalize 1.0 -; "
            + "Color 0.6 4, Contrast 1.0 8; "
            + "Rotate 0.8 8, Color 1.0 2; "
            + "Color 0.8 8, Solarize 0.8 7; "
            + "Sharpness 0.4 7, Invert 0.6 -; "
            + "ShearX 0.6 5, Equalize 1.0 -; "
            + "Color 0.4 0, Equalize 0.6 -; "
            + "Equalize 0.4 -, Solarize 0.2 4; "
            + "Solarize 0.6 5, AutoContrast 0.6 -; "
            + "Invert 0.6 -, Equalize 1.0 -; "
            + "Color 0.6 4, Contrast 1.0 8; "
            + "Equalize 0.8 -, Equalize 0.6 -";
    private static final String CIFAR10_POLICY = ""
            + "Invert 0.1 -, Contrast 0.2 6; "
            + "Rotate 0.7 2, TranslateX 0.3 9; "
            + "Sharpness 0.8 1, Sharpness 0.9 3; "
            + "ShearY 0.5 8, TranslateY 0.7 9; "
            + "AutoContrast 0.5 -, Equalize 0.9 -; "
            + "ShearY 0.2 7, Posterize 0.3 7; "
            + "Color 0.4 3, Brightness 0.6 7; "
            + "Sharpness 0.3 9, Brightness 0.7 9; "
            + "Equalize 0.6 -, Equalize 0.5 -; "
            + "Contrast 0.6 7, Sharpness 0.6 5; "
            + "Color 0.7 7, TranslateX 0.5 8; "
            + "Equalize 0.3 -, AutoContrast 0.4 -; "
            + "TranslateY 0.4 3, Sharpness 0.2 6; "
            + "Brightness 0.9 6, Color 0.2 8; "
            + "Solarize 0.5 2, Invert 0.0 -; "
            + "Equalize 0.2 -, AutoContrast 0.6 -; "
            + "Equalize 0.2 -, Equalize 0.6 -; "
            + "Color 0.9 9, Equalize 0.6 -; "
            + "AutoContrast 0.8 -, Solarize 0.2 8; "
            + "Brightness 0.1 3, Color 0.7 0; "
            + "Solarize 0.4 5, AutoContrast 0.9 -; "
            + "TranslateY 0.9 9, TranslateY 0.7 9; "
            + "AutoContrast 0.9 -, Solarize 0.8 3; "
            + "Equalize 0.8 -, Invert 0.1 -; "
            + "TranslateY 0.7 9, AutoContrast 0.9 -";
    private static final String SVHN_POLICY = ""
            + "ShearX 0.9 4, Invert 0.2 -; "
            + "ShearY 0.9 8, Invert 0.7 -; "
            + "Equalize 0.6 -, Solarize 0.6 6; "
            + "Invert 0.9 -, Equalize 0.6 -; "
            + "Equalize 0.6 -, Rotate 0.9 3; "
            + "ShearX 0.9 4, AutoContrast 0.8 -; "
            + "ShearY 0.9 8, Invert 0.4 -; "
            + "ShearY 0.9 5, Solarize 0.2 6; "
            + "Invert 0.9 -, AutoContrast 0.8 -; "
            + "Equalize 0.6 -, Rotate 0.9 3; "
            + "ShearX 0.9 4, Solarize 0.3 3; "
            + "ShearY 0.8 8, Invert 0.7 -; "
            + "Equalize 0.9 -, TranslateY 0.6 6; "
            + "Invert 0.9 -, Equalize 0.6 -; "
            + "Contrast 0.3 3, Rotate 0.8 4; "
            + "Invert 0.8 -, TranslateY 0.0 2; "
            + "ShearY 0.7 6, Solarize 0.4 8; "
            + "Invert 0.6 -, Rotate 0.8 4; "
            + "ShearY 0.3 7, TranslateX 0.9 3; "
            + "ShearX 0.1 6, Invert 0.6 -; "
            + "Solarize 0.7 2, TranslateY 0.6 7; "
            + "ShearY 0.8 4, Invert 0.8 -; "
            + "ShearX 0.7 9, TranslateY 0.8 3; "
            + "ShearY 0.8 5, AutoContrast 0.7 -; "
            + "ShearX 0.7 2, Invert 0.1 -";

    // AugMix's mix of fixed chains, bilinear: original weight m0, chain weights w * m1
    private static final float[] AUG_MIX = {0.37340039014816284f, 0.5873963236808777f, 0.7445021867752075f,
            0.7378504276275635f, 0.6122254133224487f, 0.37585458159446716f, 0.21818746626377106f, 0.14695866405963898f,
            0.20366111397743225f, 0.3937761187553406f, 0.5953378677368164f, 0.675981342792511f, 0.7160974144935608f,
            0.580991804599762f, 0.3773816227912903f, 0.1767691969871521f, 0.12441420555114746f, 0.18301063776016235f,
            0.3978285491466522f, 0.6241217851638794f, 0.7672024965286255f, 0.7689656019210815f, 0.611936092376709f,
            0.32465189695358276f, 0.036779165267944336f, 0.031084878370165825f, 0.17056085169315338f,
            0.3809681832790375f, 0.5710217356681824f, 0.6426950693130493f, 0.6846321225166321f, 0.5521184802055359f,
            0.35633325576782227f, 0.18235521018505096f, 0.13742126524448395f, 0.19970270991325378f, 0.4237426519393921f,
            0.6236445903778076f, 0.7574590444564819f, 0.7381371855735779f, 0.5993441343307495f, 0.3551720678806305f,
            0.20030167698860168f, 0.14008955657482147f, 0.21104289591312408f, 0.4122093915939331f, 0.6157935261726379f,
            0.6919255256652832f, 0.6990501284599304f, 0.5665163993835449f, 0.356600821018219f, 0.1755014955997467f,
            0.11785401403903961f, 0.20840373635292053f, 0.41162198781967163f, 0.6129773259162903f, 0.6915652751922607f,
            0.6017837524414062f, 0.39449942111968994f, 0.15185609459877014f, 0.17448441684246063f, 0.12092982232570648f,
            0.2256859987974167f, 0.43727320432662964f, 0.6141754984855652f, 0.6712412238121033f, 0.6841623783111572f,
            0.554608166217804f, 0.3358801603317261f, 0.16538822650909424f, 0.1314733326435089f, 0.2075747847557068f,
            0.44276949763298035f, 0.6433481574058533f, 0.7698746919631958f, 0.7366576790809631f, 0.5847069621086121f,
            0.3195957541465759f, 0.16733092069625854f, 0.13520953059196472f, 0.2205982506275177f, 0.4311683475971222f,
            0.6360040903091431f, 0.6887208819389343f, 0.5265449285507202f, 0.36371850967407227f, 0.15602362155914307f,
            0.009783494286239147f, 0.027373135089874268f, 0.16789239645004272f};

    // torch.linspace in F32 (autoaugment_linspace.py)
    private static final double[] TRIVIAL_TRANSLATE15 = {0.0, 2.2857143878936768, 4.5714287757873535, 6.857143402099609,
            9.142857551574707, 11.428571701049805, 13.714286804199219, 15.999999046325684, 18.28571319580078,
            20.571428298950195, 22.85714340209961, 25.14285659790039, 27.428571701049805, 29.714284896850586, 32.0};
    private static final double[] AUG_MIX_TRANSLATE_X224 = {0.0, 8.296296119689941, 16.592592239379883,
            24.88888931274414, 33.185184478759766, 41.48147964477539, 49.777774810791016, 58.074073791503906,
            66.37036895751953, 74.66666412353516};
    private static final double[] RAND_AUGMENT_TRANSLATE_X32 = {0.0, 0.4833836853504181, 0.9667673707008362,
            1.4501510858535767, 1.9335347414016724, 2.4169185161590576, 2.9003021717071533, 3.383685827255249,
            3.8670694828033447, 4.3504533767700195, 4.833837032318115, 5.317220687866211, 5.800604343414307,
            6.283987998962402, 6.767371654510498, 7.250755310058594, 7.7341389656066895, 8.217522621154785,
            8.700906753540039, 9.184289932250977, 9.66767406463623, 10.151057243347168, 10.634441375732422,
            11.11782455444336, 11.601208686828613, 12.08459186553955, 12.567975997924805, 13.051359176635742,
            13.534743309020996, 14.018126487731934, 14.501510620117188};
    private static final double[] ENHANCE40 = {0.0, 0.02538461610674858, 0.05076923221349716, 0.07615384459495544,
            0.10153846442699432, 0.1269230842590332, 0.1523076891899109, 0.17769230902194977, 0.20307692885398865,
            0.22846154868602753, 0.2538461685180664, 0.2792307734489441, 0.3046153783798218, 0.33000001311302185,
            0.35538461804389954, 0.3807692527770996, 0.4061538577079773, 0.431538462638855, 0.45692309737205505,
            0.48230770230293274, 0.5076923370361328, 0.5330769419670105, 0.5584615468978882, 0.5838461518287659,
            0.6092307567596436, 0.6346153616905212, 0.6599999666213989, 0.6853846311569214, 0.7107692360877991,
            0.7361538410186768, 0.7615384459495544, 0.7869230508804321, 0.8123077154159546, 0.8376923203468323,
            0.86307692527771, 0.8884615302085876, 0.9138461351394653, 0.9392307996749878, 0.9646154046058655,
            0.9900000095367432};
    private static final double[] RAND_AUGMENT_TRANSLATE_X224_WITH64 = {0.0, 1.611279010772705, 3.22255802154541,
            4.833837032318115, 6.44511604309082, 8.056394577026367, 9.66767406463623, 11.278953552246094,
            12.89023208618164, 14.501510620117188, 16.112789154052734, 17.724069595336914, 19.33534812927246,
            20.946626663208008, 22.557907104492188, 24.169185638427734, 25.78046417236328, 27.391742706298828,
            29.003021240234375, 30.614301681518555, 32.22557830810547, 33.83686065673828, 35.44813919067383,
            37.059417724609375, 38.67069625854492, 40.28197479248047, 41.893253326416016, 43.50453186035156,
            45.115814208984375, 46.727088928222656, 48.33837127685547, 49.949649810791016, 51.5609245300293,
            53.172203063964844, 54.78348159790039, 56.39476013183594, 58.00604248046875, 59.61731719970703,
            61.228599548339844, 62.83987808227539, 64.45115661621094, 66.06243896484375, 67.67371368408203,
            69.28499603271484, 70.89627075195312, 72.50755310058594, 74.11882781982422, 75.73011016845703,
            77.34139251708984, 78.95267486572266, 80.56394958496094, 82.17523193359375, 83.78650665283203,
            85.39778900146484, 87.00906372070312, 88.62034606933594, 90.23162078857422, 91.84290313720703,
            93.45417785644531, 95.06546020507812, 96.6767349243164, 98.28801727294922, 99.8992919921875,
            101.51057434082031};

    /** Bit for bit: torch's F32 values, so their whole pixels too. */
    private static void assertBins(double[] expected, double[] actual, String what) {
        assertArrayEquals(expected, actual, what);
    }

    /**
     * The bins are torch's F32 linspace bit for bit ({@code autoaugment_linspace.py}), below, at and above 16 bins,
     * where torch's CPU kernel turns from its scalar loop to blocks of 8 lanes: its step is rounded to F32 first.
     */
    @Test
    void binsAreTorchsF32LinspaceBitForBit() {
        assertArrayEquals(TRIVIAL_TRANSLATE15, AugmentSpace.linspace(0, 32, 15), "linspace(0, 32, 15)");
        assertArrayEquals(AUTO_AUGMENT_SHEAR, AugmentSpace.linspace(0, 0.3, 10), "linspace(0, 0.3, 10)");
        assertArrayEquals(AUG_MIX_TRANSLATE_X224, AugmentSpace.linspace(0, 224 / 3.0, 10), "linspace(0, 224 / 3, 10)");
        assertArrayEquals(RAND_AUGMENT_TRANSLATE_X32, AugmentSpace.linspace(0, 150.0 / 331.0 * 32, 31),
                "linspace(0, 150 / 331 * 32, 31)");
        assertArrayEquals(RAND_AUGMENT_SOLARIZE, AugmentSpace.linspace(255, 0, 31), "linspace(255, 0, 31)");
        assertArrayEquals(TRIVIAL_ROTATE, AugmentSpace.linspace(0, 135, 31), "linspace(0, 135, 31)");
        assertArrayEquals(ENHANCE40, AugmentSpace.linspace(0, 0.99, 40), "linspace(0, 0.99, 40)");
        assertArrayEquals(RAND_AUGMENT_TRANSLATE_X224_WITH64, AugmentSpace.linspace(0, 150.0 / 331.0 * 224, 64),
                "linspace(0, 150 / 331 * 224, 64)");
    }

    /**
     * TrivialAugmentWide with 15 bins: torch's bin 7 of linspace(0, 32, 15) is 15.999999, so torchvision moves the
     * image by int(15.999999) = 15 pixels, not 16.
     */
    @Test
    void trivialAugmentWideWith15BinsMovesBin7ByTorchvisionsWholePixels() {
        AugmentSpace space = AugmentSpace.trivialAugmentWide(15);
        assertEquals(15, (int) space.magnitude(AugmentOp.TRANSLATE_X, 7));
        assertEquals(15, (int) space.magnitude(AugmentOp.TRANSLATE_Y, 7));
    }

    /** Bins of a 28 x 32 image, so that moves along x and y differ. */
    @Test
    void magnitudeBinsMatchTorchvisions() {
        AugmentSpace auto = AugmentSpace.autoAugment(28, 32);
        assertBins(AUTO_AUGMENT_SHEAR, auto.bins(AugmentOp.SHEAR_X), "AutoAugment ShearX");
        assertBins(AUTO_AUGMENT_SHEAR, auto.bins(AugmentOp.SHEAR_Y), "AutoAugment ShearY");
        assertBins(AUTO_AUGMENT_TRANSLATE_X, auto.bins(AugmentOp.TRANSLATE_X), "AutoAugment TranslateX");
        assertBins(AUTO_AUGMENT_TRANSLATE_Y, auto.bins(AugmentOp.TRANSLATE_Y), "AutoAugment TranslateY");
        assertBins(AUTO_AUGMENT_ROTATE, auto.bins(AugmentOp.ROTATE), "AutoAugment Rotate");
        assertBins(AUTO_AUGMENT_ENHANCE, auto.bins(AugmentOp.SHARPNESS), "AutoAugment Sharpness");
        assertBins(AUTO_AUGMENT_POSTERIZE, auto.bins(AugmentOp.POSTERIZE), "AutoAugment Posterize");
        assertBins(AUTO_AUGMENT_SOLARIZE, auto.bins(AugmentOp.SOLARIZE), "AutoAugment Solarize");
        AugmentSpace rand = AugmentSpace.randAugment(31, 28, 32);
        assertBins(RAND_AUGMENT_SHEAR, rand.bins(AugmentOp.SHEAR_Y), "RandAugment ShearY");
        assertBins(RAND_AUGMENT_TRANSLATE_X, rand.bins(AugmentOp.TRANSLATE_X), "RandAugment TranslateX");
        assertBins(RAND_AUGMENT_TRANSLATE_Y, rand.bins(AugmentOp.TRANSLATE_Y), "RandAugment TranslateY");
        assertBins(RAND_AUGMENT_ROTATE, rand.bins(AugmentOp.ROTATE), "RandAugment Rotate");
        assertBins(RAND_AUGMENT_ENHANCE, rand.bins(AugmentOp.BRIGHTNESS), "RandAugment Brightness");
        assertBins(RAND_AUGMENT_POSTERIZE, rand.bins(AugmentOp.POSTERIZE), "RandAugment Posterize");
        assertBins(RAND_AUGMENT_SOLARIZE, rand.bins(AugmentOp.SOLARIZE), "RandAugment Solarize");
        AugmentSpace trivial = AugmentSpace.trivialAugmentWide(31);
        assertBins(TRIVIAL_SHEAR, trivial.bins(AugmentOp.SHEAR_X), "TrivialAugmentWide ShearX");
        assertBins(TRIVIAL_TRANSLATE, trivial.bins(AugmentOp.TRANSLATE_X), "TrivialAugmentWide TranslateX");
        assertBins(TRIVIAL_TRANSLATE, trivial.bins(AugmentOp.TRANSLATE_Y), "TrivialAugmentWide TranslateY");
        assertBins(TRIVIAL_ROTATE, trivial.bins(AugmentOp.ROTATE), "TrivialAugmentWide Rotate");
        assertBins(TRIVIAL_ENHANCE, trivial.bins(AugmentOp.COLOR), "TrivialAugmentWide Color");
        assertBins(TRIVIAL_POSTERIZE, trivial.bins(AugmentOp.POSTERIZE), "TrivialAugmentWide Posterize");
        assertBins(TRIVIAL_SOLARIZE, trivial.bins(AugmentOp.SOLARIZE), "TrivialAugmentWide Solarize");
        AugmentSpace mix = AugmentSpace.augMix(10, 28, 32, true);
        assertBins(AUTO_AUGMENT_SHEAR, mix.bins(AugmentOp.SHEAR_X), "AugMix ShearX");
        assertBins(AUG_MIX_TRANSLATE_X, mix.bins(AugmentOp.TRANSLATE_X), "AugMix TranslateX");
        assertBins(AUG_MIX_TRANSLATE_Y, mix.bins(AugmentOp.TRANSLATE_Y), "AugMix TranslateY");
        assertBins(AUTO_AUGMENT_ROTATE, mix.bins(AugmentOp.ROTATE), "AugMix Rotate");
        assertBins(AUTO_AUGMENT_ENHANCE, mix.bins(AugmentOp.CONTRAST), "AugMix Contrast");
        assertBins(AUG_MIX_POSTERIZE, mix.bins(AugmentOp.POSTERIZE), "AugMix Posterize");
        assertBins(AUTO_AUGMENT_SOLARIZE, mix.bins(AugmentOp.SOLARIZE), "AugMix Solarize");
    }

    @Test
    void spacesListTorchvisionsOperationsInItsOrder() {
        assertEquals("Identity ShearX ShearY TranslateX TranslateY Rotate Brightness Color Contrast Sharpness"
                + " Posterize Solarize AutoContrast Equalize", names(AugmentSpace.trivialAugmentWide(31)));
        assertEquals(names(AugmentSpace.trivialAugmentWide(31)), names(AugmentSpace.randAugment(31, 28, 28)));
        assertEquals("ShearX ShearY TranslateX TranslateY Rotate Brightness Color Contrast Sharpness Posterize"
                + " Solarize AutoContrast Equalize Invert", names(AugmentSpace.autoAugment(28, 28)));
        assertEquals("ShearX ShearY TranslateX TranslateY Rotate Posterize Solarize AutoContrast Equalize Brightness"
                + " Color Contrast Sharpness", names(AugmentSpace.augMix(10, 28, 28, true)));
        assertEquals("ShearX ShearY TranslateX TranslateY Rotate Posterize Solarize AutoContrast Equalize",
                names(AugmentSpace.augMix(10, 28, 28, false)));
    }

    private static String names(AugmentSpace space) {
        return space.ops().stream().map(AugmentOp::torchName).collect(Collectors.joining(" "));
    }

    @Test
    void autoAugmentTablesMatchTorchvisions() {
        assertEquals(IMAGENET_POLICY, table(Policy.IMAGENET));
        assertEquals(CIFAR10_POLICY, table(Policy.CIFAR10));
        assertEquals(SVHN_POLICY, table(Policy.SVHN));
    }

    private static String table(Policy policy) {
        return policy.subPolicies().stream().map(s -> entry(s.first()) + ", " + entry(s.second()))
                .collect(Collectors.joining("; "));
    }

    private static String entry(Entry e) {
        return e.op().torchName() + " " + e.p() + " " + (e.bin() < 0 ? "-" : Integer.toString(e.bin()));
    }

    /**
     * Each sub-policy is drawn uniformly and each of its operations applied with its probability: the count of each
     * operation over many draws is the table's sum of those probabilities over 25; magnitudes come from the bins,
     * negated about half the time for signed operations.
     */
    @Test
    void autoAugmentAppliesEachOperationWithItsSubPolicysProbability() {
        for (Policy policy : Policy.values()) {
            AutoAugment augment = new AutoAugment(policy);
            AugmentSpace space = AugmentSpace.autoAugment(H, W);
            Map<AugmentOp, Double> expected = new EnumMap<>(AugmentOp.class);
            for (SubPolicy s : policy.subPolicies()) {
                for (Entry e : List.of(s.first(), s.second())) {
                    expected.merge(e.op(), e.p() / policy.subPolicies().size(), Double::sum);
                }
            }
            Map<AugmentOp, Integer> counts = new EnumMap<>(AugmentOp.class);
            int negative = 0;
            int signed = 0;
            SplittableRandom random = new SplittableRandom(5);
            int draws = 40_000;
            for (int d = 0; d < draws; d++) {
                for (Step step : augment.draw(H, W, random)) {
                    counts.merge(step.op(), 1, Integer::sum);
                    assertMagnitudeFromTable(policy, space, step);
                    if (step.op().signed() && step.magnitude() != 0) {
                        signed++;
                        negative += step.magnitude() < 0 ? 1 : 0;
                    }
                }
            }
            for (AugmentOp op : AugmentOp.values()) {
                double want = expected.getOrDefault(op, 0.0) * draws;
                int got = counts.getOrDefault(op, 0);
                assertEquals(want, got, 5 * Math.sqrt(want) + 1, policy + " " + op);
            }
            assertEquals(0.5, negative / (double) signed, 0.02, policy + " negative share");
        }
    }

    private static void assertMagnitudeFromTable(Policy policy, AugmentSpace space, Step step) {
        double[] bins = space.bins(step.op());
        boolean found = bins == null ? step.magnitude() == 0 : false;
        for (SubPolicy s : policy.subPolicies()) {
            for (Entry e : List.of(s.first(), s.second())) {
                if (e.op() == step.op() && bins != null && e.bin() >= 0) {
                    found |= Math.abs(step.magnitude()) == bins[e.bin()];
                }
            }
        }
        assertTrue(found, policy + " drew " + step + ", not a magnitude of its table");
    }

    /** Two operations drawn uniformly from 14, both at bin 9 of 31, signed ones negated half the time. */
    @Test
    void randAugmentDrawsItsOperationsUniformlyAtItsMagnitude() {
        RandAugment augment = new RandAugment();
        AugmentSpace space = AugmentSpace.randAugment(31, H, W);
        Map<AugmentOp, Integer> counts = new EnumMap<>(AugmentOp.class);
        int negative = 0;
        int signed = 0;
        SplittableRandom random = new SplittableRandom(6);
        int draws = 14_000;
        for (int d = 0; d < draws; d++) {
            List<Step> steps = augment.draw(H, W, random);
            assertEquals(2, steps.size());
            for (Step step : steps) {
                counts.merge(step.op(), 1, Integer::sum);
                double[] bins = space.bins(step.op());
                assertEquals(bins == null ? 0 : bins[9], Math.abs(step.magnitude()), 0, step.toString());
                if (step.op().signed()) {
                    signed++;
                    negative += step.magnitude() < 0 ? 1 : 0;
                }
            }
        }
        assertUniform(counts, space.ops(), 2 * draws);
        assertEquals(0.5, negative / (double) signed, 0.02, "negative share");
    }

    /** One operation drawn uniformly from 14, its bin uniformly from 31, signed ones negated half the time. */
    @Test
    void trivialAugmentWideDrawsOperationAndBinUniformly() {
        TrivialAugmentWide augment = new TrivialAugmentWide();
        AugmentSpace space = AugmentSpace.trivialAugmentWide(31);
        Map<AugmentOp, Integer> counts = new EnumMap<>(AugmentOp.class);
        int[] binCounts = new int[31];
        int rotations = 0;
        int negative = 0;
        int signed = 0;
        SplittableRandom random = new SplittableRandom(7);
        int draws = 56_000;
        for (int d = 0; d < draws; d++) {
            Step step = augment.draw(random);
            counts.merge(step.op(), 1, Integer::sum);
            double[] bins = space.bins(step.op());
            if (bins == null) {
                assertEquals(0, step.magnitude(), step.toString());
            } else if (step.op() == AugmentOp.ROTATE) {
                // Rotate's bins are distinct: 4.5 degrees apart.
                binCounts[(int) Math.round(Math.abs(step.magnitude()) / 4.5)]++;
                rotations++;
            }
            if (step.op().signed()) {
                signed++;
                negative += step.magnitude() < 0 ? 1 : 0;
            }
        }
        assertUniform(counts, space.ops(), draws);
        for (int bin = 0; bin < 31; bin++) {
            double want = rotations / 31.0;
            assertEquals(want, binCounts[bin], 5 * Math.sqrt(want), "rotation bin " + bin);
        }
        assertEquals(0.5, negative / (double) signed, 0.02, "negative share");
    }

    private static void assertUniform(Map<AugmentOp, Integer> counts, List<AugmentOp> ops, int total) {
        assertEquals(Set.copyOf(ops), counts.keySet(), "operations drawn");
        double want = total / (double) ops.size();
        for (AugmentOp op : ops) {
            assertEquals(want, counts.get(op), 5 * Math.sqrt(want), op.toString());
        }
    }

    /**
     * AugMix's weights: (m0, m1) from Dirichlet(1, 1), so m0 is uniform on [0, 1]; the chain weights sum to m1, each
     * 1/6 on average; chain depths 1 to 3 uniformly; bins among the first {@code severity}.
     */
    @Test
    void augMixDrawsDirichletWeightsAndChainsOfRandomDepth() {
        AugMix augment = new AugMix();
        AugmentSpace space = AugmentSpace.augMix(10, H, W, true);
        SplittableRandom random = new SplittableRandom(8);
        int draws = 20_000;
        double originalSum = 0;
        double originalSquares = 0;
        double[] chainSums = new double[3];
        int[] depths = new int[4];
        for (int d = 0; d < draws; d++) {
            Mix mix = augment.draw(H, W, random);
            double total = mix.originalWeight();
            for (int c = 0; c < 3; c++) {
                chainSums[c] += mix.chainWeights()[c];
                total += mix.chainWeights()[c];
                depths[mix.chains().get(c).size()]++;
                for (Step step : mix.chains().get(c)) {
                    assertTrue(space.ops().contains(step.op()), step.toString());
                    double[] bins = space.bins(step.op());
                    double magnitude = Math.abs(step.magnitude());
                    if (bins != null) {
                        assertTrue(magnitude == bins[0] || magnitude == bins[1] || magnitude == bins[2],
                                step + " not among the first 3 bins (severity 3)");
                    }
                }
            }
            assertEquals(1, total, 1e-12, "weights sum");
            originalSum += mix.originalWeight();
            originalSquares += mix.originalWeight() * mix.originalWeight();
        }
        assertEquals(0.5, originalSum / draws, 0.01, "mean of m0");
        assertEquals(1.0 / 3, originalSquares / draws, 0.01, "mean square of m0, uniform on [0, 1]");
        for (int c = 0; c < 3; c++) {
            assertEquals(1.0 / 6, chainSums[c] / draws, 0.01, "mean weight of chain " + c);
        }
        assertEquals(0, depths[0]);
        for (int depth = 1; depth <= 3; depth++) {
            assertEquals(draws, depths[depth], 5 * Math.sqrt(draws), "chains of depth " + depth);
        }
    }

    /**
     * AugMix at alpha 1e-4, where a Gamma(alpha) draw u^(1/alpha) underflows to 0 nearly always: m0 is still
     * Beta(alpha, alpha) (dirichlet_tiny_alpha.py: mean 1/2, mean square 0.49995, inside (0.01, 0.99) with probability
     * 4.594e-4), each chain's weight 1/6 on average; each bound about five standard errors.
     */
    @Test
    void augMixWeightsOfATinyAlphaAreDirichletsThoughItsGammaDrawsUnderflow() {
        AugMix augment = new AugMix(3, 3, 1, 1e-4, true, Interpolation.BILINEAR);
        SplittableRandom random = new SplittableRandom(12);
        int draws = 200_000;
        double originalSum = 0;
        double originalSquares = 0;
        double[] chainSums = new double[3];
        int inside = 0;
        for (int d = 0; d < draws; d++) {
            Mix mix = augment.draw(H, W, random);
            double m0 = mix.originalWeight();
            double total = m0;
            for (int c = 0; c < 3; c++) {
                chainSums[c] += mix.chainWeights()[c];
                total += mix.chainWeights()[c];
            }
            assertEquals(1, total, 1e-12, "weights sum");
            originalSum += m0;
            originalSquares += m0 * m0;
            inside += m0 > 0.01 && m0 < 0.99 ? 1 : 0;
        }
        double standardError = Math.sqrt(0.25 / draws);
        assertEquals(0.5, originalSum / draws, 5 * standardError, "mean of m0");
        assertEquals(0.49995000999800043, originalSquares / draws, 5 * standardError, "mean square of m0");
        for (int c = 0; c < 3; c++) {
            assertEquals(1.0 / 6, chainSums[c] / draws, 5 * standardError, "mean weight of chain " + c);
        }
        double expectedInside = 4.5939018756873957e-4 * draws;
        assertEquals(expectedInside, inside, 5 * Math.sqrt(expectedInside), "draws of m0 inside (0.01, 0.99)");
    }

    /** Where 1/alpha overflows, the weights are still finite and sum to 1: the limit puts all on one. */
    @Test
    void augMixWeightsOfTheSmallestAlphaAreOneHot() {
        AugMix augment = new AugMix(3, 3, 1, Double.MIN_VALUE, true, Interpolation.BILINEAR);
        SplittableRandom random = new SplittableRandom(13);
        for (int d = 0; d < 100; d++) {
            Mix mix = augment.draw(H, W, random);
            double[] weights = {mix.originalWeight(), mix.chainWeights()[0], mix.chainWeights()[1],
                mix.chainWeights()[2]};
            assertEquals(1, Arrays.stream(weights).sum(), 0, Arrays.toString(weights));
            assertEquals(3, Arrays.stream(weights).filter(w -> w == 0).count(), Arrays.toString(weights));
        }
    }

    /** The script's fixed chains and weights, bilinear: m0 x + sum of w_i m1 chain_i(x). */
    @Test
    void augMixMixesItsChainsWithTheirWeights() {
        List<List<Step>> chains = List.of(
                List.of(new Step(AugmentOp.ROTATE, 10), new Step(AugmentOp.POSTERIZE, 3)),
                List.of(new Step(AugmentOp.BRIGHTNESS, -0.3)),
                List.of(new Step(AugmentOp.SHEAR_X, 0.1), new Step(AugmentOp.EQUALIZE, 0),
                        new Step(AugmentOp.TRANSLATE_Y, -1)));
        double m1 = 0.65f;
        Mix mix = new Mix(0.35f, new double[] {0.2f * m1, 0.5f * m1, 0.3f * m1}, chains);
        float[] image = TorchImages.image(3);
        AugMix.mix(image, 0, 3, H, W, mix, Interpolation.BILINEAR, null);
        for (int i = 0; i < image.length; i++) {
            assertEquals(AUG_MIX[i], image[i], 1e-6, "AugMix at " + i);
        }
    }

    /** Each policy's apply runs the steps its draw makes from the same stream, in order. */
    @Test
    void applyRunsTheDrawnOperations() {
        for (int seed = 0; seed < 50; seed++) {
            float[] expected = TorchImages.image(3);
            for (Step step : new AutoAugment(Policy.SVHN).draw(H, W, new SplittableRandom(seed))) {
                step.apply(expected, 0, 3, H, W, Interpolation.NEAREST, null);
            }
            assertApplies(expected, new AutoAugment(Policy.SVHN), seed);
            expected = TorchImages.image(3);
            for (Step step : new RandAugment().draw(H, W, new SplittableRandom(seed))) {
                step.apply(expected, 0, 3, H, W, Interpolation.NEAREST, null);
            }
            assertApplies(expected, new RandAugment(), seed);
            expected = TorchImages.image(3);
            new TrivialAugmentWide().draw(new SplittableRandom(seed)).apply(expected, 0, 3, H, W,
                    Interpolation.NEAREST, null);
            assertApplies(expected, new TrivialAugmentWide(), seed);
            expected = TorchImages.image(3);
            AugMix.mix(expected, 0, 3, H, W, new AugMix().draw(H, W, new SplittableRandom(seed)),
                    Interpolation.BILINEAR, null);
            assertApplies(expected, new AugMix(), seed);
        }
    }

    private static void assertApplies(float[] expected, Augmentation augmentation, int seed) {
        float[] image = TorchImages.image(3);
        augmentation.apply(image, 0, RGB, new SplittableRandom(seed));
        assertArrayEquals(expected, image, augmentation + " seed " + seed);
    }

    @Test
    void policiesRejectImagesOtherThanGreyOrRgb() {
        for (Augmentation augmentation : List.of(new AutoAugment(), new RandAugment(), new TrivialAugmentWide(),
                new AugMix())) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> augmentation.apply(new float[60], 0, new int[] {2, H, W}, new SplittableRandom(1)));
            String name = augmentation.getClass().getSimpleName();
            assertEquals(name + " needs grey or RGB images [..., 1 or 3, height, width], got example shape [2, 5, 6]",
                    e.getMessage());
        }
    }

    @Test
    void policiesRejectBadSettings() {
        assertEquals("RandAugment: magnitude must be in [0, 31), got 31", assertThrows(IllegalArgumentException.class,
                () -> new RandAugment(2, 31, 31, Interpolation.NEAREST)).getMessage());
        assertEquals("TrivialAugmentWide: numMagnitudeBins must be >= 2, got 1", assertThrows(
                IllegalArgumentException.class, () -> new TrivialAugmentWide(1, Interpolation.NEAREST)).getMessage());
        assertEquals("AugMix: severity must be in [1, 10], got 11", assertThrows(IllegalArgumentException.class,
                () -> new AugMix(11, 3, -1, 1, true, Interpolation.BILINEAR)).getMessage());
        assertEquals("AugMix: alpha must be finite and > 0, got 0.0", assertThrows(IllegalArgumentException.class,
                () -> new AugMix(3, 3, -1, 0, true, Interpolation.BILINEAR)).getMessage());
    }

    /** A grey 28 x 28 image (MNIST's shape) goes through every policy and stays in [0, 1]. */
    @Test
    void greyImagesStayInZeroToOne() {
        int[] shape = {1, 28, 28};
        SplittableRandom random = new SplittableRandom(9);
        for (Augmentation augmentation : List.of(new AutoAugment(Policy.CIFAR10), new RandAugment(),
                new TrivialAugmentWide(), new AugMix())) {
            for (int d = 0; d < 200; d++) {
                float[] image = new float[28 * 28];
                for (int i = 0; i < image.length; i++) {
                    image[i] = (i * 37 % 256) / 255f;
                }
                augmentation.apply(image, 0, shape, random);
                for (float v : image) {
                    assertTrue(v >= 0 && v <= 1, augmentation + " gave " + v);
                }
            }
        }
    }

    /** One instance alternating between two image sizes gives what a fresh instance gives for each. */
    @Test
    void spacesFollowTheImageSize() {
        int[][] shapes = {{3, H, W}, {1, 40, 12}};
        List<Augmentation> shared = policies();
        for (int seed = 0; seed < 40; seed++) {
            int[] shape = shapes[seed % 2];
            for (int p = 0; p < shared.size(); p++) {
                float[] expected = gradient(shape);
                policies().get(p).apply(expected, 0, shape, new SplittableRandom(seed));
                float[] image = gradient(shape);
                shared.get(p).apply(image, 0, shape, new SplittableRandom(seed));
                assertArrayEquals(expected, image, shared.get(p) + " seed " + seed);
            }
        }
    }

    /** Threads applying one instance at once (DataLoader workers) get what one thread gets, image by image. */
    @Test
    void policiesAreSafeToShareBetweenThreads() throws Exception {
        int[][] shapes = {{3, H, W}, {1, 28, 28}};
        for (Augmentation augmentation : policies()) {
            List<Callable<float[]>> tasks = new ArrayList<>();
            for (int t = 0; t < 64; t++) {
                int seed = t;
                int[] shape = shapes[t % 2];
                tasks.add(() -> {
                    float[] image = gradient(shape);
                    augmentation.apply(image, 0, shape, new SplittableRandom(seed));
                    return image;
                });
            }
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<float[]>> results = pool.invokeAll(tasks);
                for (int t = 0; t < tasks.size(); t++) {
                    assertArrayEquals(tasks.get(t).call(), results.get(t).get(), augmentation + " task " + t);
                }
            } finally {
                pool.shutdown();
            }
        }
    }

    private static List<Augmentation> policies() {
        return List.of(new AutoAugment(Policy.CIFAR10), new RandAugment(), new TrivialAugmentWide(), new AugMix());
    }

    private static float[] gradient(int[] shape) {
        float[] image = new float[shape[0] * shape[1] * shape[2]];
        for (int i = 0; i < image.length; i++) {
            image[i] = (i * 37 % 256) / 255f;
        }
        return image;
    }

    /** withFill's policies run the same draws with the fill passed to every operation. */
    @Test
    void policiesPassTheirFillToTheOperations() {
        float[] fill = {0.2f, 0.5f, 0.9f};
        for (int seed = 0; seed < 50; seed++) {
            float[] expected = TorchImages.image(3);
            for (Step step : new AutoAugment(Policy.SVHN).draw(H, W, new SplittableRandom(seed))) {
                step.apply(expected, 0, 3, H, W, Interpolation.NEAREST, fill);
            }
            assertApplies(expected, new AutoAugment(Policy.SVHN).withFill(fill), seed);
            expected = TorchImages.image(3);
            for (Step step : new RandAugment().draw(H, W, new SplittableRandom(seed))) {
                step.apply(expected, 0, 3, H, W, Interpolation.NEAREST, fill);
            }
            assertApplies(expected, new RandAugment().withFill(fill), seed);
            expected = TorchImages.image(3);
            new TrivialAugmentWide().draw(new SplittableRandom(seed)).apply(expected, 0, 3, H, W,
                    Interpolation.NEAREST, new float[] {0.4f});
            assertApplies(expected, new TrivialAugmentWide().withFill(0.4f), seed);
            expected = TorchImages.image(3);
            AugMix.mix(expected, 0, 3, H, W, new AugMix().draw(H, W, new SplittableRandom(seed)),
                    Interpolation.BILINEAR, fill);
            assertApplies(expected, new AugMix().withFill(fill), seed);
        }
    }

    @Test
    void policiesRejectBadFills() {
        assertEquals("AutoAugment: fill takes one value or one per RGB channel (3), got 2 values", assertThrows(
                IllegalArgumentException.class, () -> new AutoAugment().withFill(0.1f, 0.2f)).getMessage());
        assertEquals("RandAugment: fill must be finite, got [NaN]", assertThrows(IllegalArgumentException.class,
                () -> new RandAugment().withFill(Float.NaN)).getMessage());
        Augmentation rgbFill = new TrivialAugmentWide().withFill(0.1f, 0.2f, 0.3f);
        assertEquals("TrivialAugmentWide: fill has 3 values, one per channel, but the image has 1 channel",
                assertThrows(IllegalArgumentException.class, () -> rgbFill.apply(new float[28 * 28], 0,
                        new int[] {1, 28, 28}, new SplittableRandom(1))).getMessage());
        assertEquals("AugMix(severity=3, mixtureWidth=3, chainDepth=-1, alpha=1.0, allOps=true, BILINEAR,"
                + " fill=[0.5])", new AugMix().withFill(0.5f).toString());
    }
}
