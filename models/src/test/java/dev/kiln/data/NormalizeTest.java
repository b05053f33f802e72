package dev.kiln.data;

import static dev.kiln.data.TorchImages.HEIGHT;
import static dev.kiln.data.TorchImages.WIDTH;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NormalizeTest {
    private static final int[] RGB = {3, HEIGHT, WIDTH};

    /** F.normalize of the 3 x 5 x 6 image by ImageNet's mean and std in F32, printed by augmentation_affine_blur.py. */
    @Test
    void matchesTorchvisionsNormalizeExactly() {
        float[] normalizeRgb = {0.28347891569137573f, 1.631781816482544f, 2.243438720703125f, 1.8307780027389526f,
                0.5878806114196777f, -0.9006996750831604f, -1.9348602294921875f, -2.028218984603882f,
                -1.1368680000305176f, 0.31997647881507874f, 1.6571376323699951f, 2.245727777481079f, 1.808923602104187f,
                0.5521612763404846f, -0.9334846138954163f, -1.949291467666626f, -2.0175092220306396f,
                -1.1060545444488525f, 0.3564016819000244f, 1.6820433139801025f, 2.2474002838134766f,
                1.7865766286849976f, 0.5163045525550842f, -0.965986967086792f, -1.9631528854370117f,
                -2.0062108039855957f, -1.0749096870422363f, 0.39274489879608154f, 1.7064921855926514f,
                2.2484560012817383f, 1.932576060295105f, 0.6205060482025146f, -0.8910145163536072f,
                -1.8910934925079346f, -1.909378170967102f, -0.9372691512107849f, 0.5680356025695801f,
                1.8985679149627686f, 2.4285576343536377f, 1.9087417125701904f, 0.5835984945297241f, -0.923636794090271f,
                -1.9040879011154175f, -1.896633267402649f, -0.9047788977622986f, 0.6049904227256775f,
                1.9226069450378418f, 2.4283745288848877f, 1.8844232559204102f, 0.5465816259384155f,
                -0.9559424519538879f, -1.9164884090423584f, -1.8832964897155762f, -0.8719774484634399f,
                0.6418296098709106f, 1.946157693862915f, 2.427560806274414f, 1.8596274852752686f, 0.509465754032135f,
                -0.987922191619873f, -1.6974992752075195f, -1.6388413906097412f, -0.6129233241081238f,
                0.897749662399292f, 2.1826841831207275f, 2.6375558376312256f, 2.048431158065796f, 0.692384660243988f,
                -0.7928135991096497f, -1.7086517810821533f, -1.6243970394134521f, -0.5796754360198975f,
                0.9341638684272766f, 2.205138921737671f, 2.6354901790618896f, 2.0228164196014404f, 0.6552681922912598f,
                -0.8239756226539612f, -1.7192033529281616f, -1.6093753576278687f, -0.5461455583572388f,
                0.9704324007034302f, 2.227088212966919f, 2.6327970027923584f, 1.9967480897903442f, 0.6180844306945801f,
                -0.8547865748405457f, -1.729150652885437f, -1.593780517578125f, -0.5123432874679565f};
        float[] image = TorchImages.image(3);
        imageNet().apply(image, 0, RGB, new SplittableRandom(1));
        assertArrayEquals(normalizeRgb, image);
    }

    private static Normalize imageNet() {
        return new Normalize(new double[] {0.485, 0.456, 0.406}, new double[] {0.229, 0.224, 0.225});
    }

    @Test
    void oneMeanAndStdServeEveryChannel() {
        float[] image = TorchImages.image(3);
        new Normalize(new double[] {0.5}, new double[] {0.25}).apply(image, 0, RGB, new SplittableRandom(1));
        float[] original = TorchImages.image(3);
        for (int i = 0; i < image.length; i++) {
            assertEquals((original[i] - 0.5f) / 0.25f, image[i], "element " + i);
        }
    }

    @Test
    void drawsNothingFromTheRandom() {
        SplittableRandom random = new SplittableRandom(7);
        imageNet().apply(TorchImages.image(3), 0, RGB, random);
        assertEquals(new SplittableRandom(7).nextLong(), random.nextLong());
    }

    @Test
    void rejectsMismatchedOrZeroStatistics() {
        assertMessage("Normalize: mean and std must have the same length, at least 1, got 3 and 2",
                () -> new Normalize(new double[] {0, 0, 0}, new double[] {1, 1}));
        assertMessage("Normalize: mean must be finite and std finite and not 0 in F32, got mean 0.0 and std 1.0E-50"
                + " for channel 1", () -> new Normalize(new double[] {0, 0}, new double[] {1, 1e-50}));
        assertMessage("Normalize: 2 means and stds for images of 3 channels, example shape [3, 5, 6]",
                () -> new Normalize(new double[] {0, 0}, new double[] {1, 1}).apply(TorchImages.image(3), 0, RGB,
                        new SplittableRandom(1)));
    }

    /** As torchvision's normalize, whose mean.view(-1, 1, 1) meets axis -3 of a batch [N, C, H, W]. */
    @Test
    void anExampleOfTwoRgbImagesIsNormalizedImageByImageWithTheChannelsOnAxisMinusThree() {
        int length = 3 * HEIGHT * WIDTH;
        float[] expected = new float[2 * length];
        float[] actual = new float[2 * length];
        for (int k = 0; k < 2; k++) {
            float[] image = TorchImages.image(3);
            System.arraycopy(image, 0, actual, k * length, length);
            imageNet().apply(image, 0, RGB, new SplittableRandom(1));
            System.arraycopy(image, 0, expected, k * length, length);
        }
        imageNet().apply(actual, 0, new int[] {2, 3, HEIGHT, WIDTH}, new SplittableRandom(1));
        assertArrayEquals(expected, actual);
    }

    /** torchvision's mean.view(-1, 1, 1) of 2 values cannot meet [2, 1, H, W]'s channel axis of 1: it raises. */
    @Test
    void oneMeanPerImageOfAnExampleIsRefusedAsTorchvisionRefusesIt() {
        assertMessage("Normalize: 2 means and stds for images of 1 channels, example shape [2, 1, 5, 6]",
                () -> new Normalize(new double[] {0, 0}, new double[] {1, 1}).apply(new float[2 * HEIGHT * WIDTH], 0,
                        new int[] {2, 1, HEIGHT, WIDTH}, new SplittableRandom(1)));
    }

    private static void assertMessage(String message, Runnable action) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, action::run).getMessage());
    }
}
