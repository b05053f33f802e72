package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.ConvTranspose2d;
import dev.kiln.nn.Module;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The DCGAN's two networks: shapes, ranges, initialisation, size and errors. */
class DcganTest {
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(3);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    @Test
    void theGeneratorMapsNoiseToImagesInsideMinusOneToOne() {
        try (Dcgan gan = new Dcgan(10, 4, 1, 28, 28)) {
            Tensor images = gan.generate(gan.noise(3));
            assertArrayEquals(new int[] {3, 1, 28, 28}, images.shape().dims());
            for (double v : images.toDoubleArray()) {
                assertTrue(v > -1 && v < 1, "tanh output " + v);
            }
        }
    }

    @Test
    void theDiscriminatorGivesOneLogitPerImageAndReadsFlattenedImagesAlike() {
        try (Dcgan gan = new Dcgan(10, 4, 2, 8, 12)) {
            gan.eval();
            Tensor images = Tensor.rand(3, 2, 8, 12);
            Tensor logits = gan.discriminate(images);
            assertArrayEquals(new int[] {3, 1}, logits.shape().dims());
            assertArrayEquals(logits.toFloatArray(), gan.discriminate(images.reshape(3, 192)).toFloatArray(), 0f);
        }
    }

    @Test
    void theTutorialsModelForMnistHasItsParameterCount() {
        try (Dcgan gan = new Dcgan(100, 64, 1, 28, 28)) {
            assertEquals(100 * 128 * 7 * 7 + 2 * 128 + 128 * 64 * 16 + 2 * 64 + 64 * 16, gan.generator().parameterCount());
            assertEquals(64 * 16 + 64 * 128 * 16 + 2 * 128 + 128 * 7 * 7, gan.discriminator().parameterCount());
        }
    }

    @Test
    void convolutionsStartNormalWithDeviationTwoHundredthsAndBatchNormScalesAroundOne() {
        try (Dcgan gan = new Dcgan(100, 64, 1, 28, 28)) {
            for (Module m : gan.modules()) {
                if (m instanceof Conv2d conv) {
                    assertMoments(conv.weight(), 0, Dcgan.INIT_STD);
                } else if (m instanceof ConvTranspose2d conv) {
                    assertMoments(conv.weight(), 0, Dcgan.INIT_STD);
                } else if (m instanceof BatchNorm bn) {
                    assertMoments(bn.weight(), 1, Dcgan.INIT_STD);
                    assertEquals(0, bn.bias().abs().max().item());
                }
            }
        }
    }

    /** Mean and standard deviation within five standard errors (the smallest tensor holds 64 values). */
    private static void assertMoments(Tensor t, double mean, double std) {
        double[] v = t.toDoubleArray();
        double m = 0;
        for (double x : v) {
            m += x / v.length;
        }
        double var = 0;
        for (double x : v) {
            var += (x - m) * (x - m) / v.length;
        }
        assertEquals(mean, m, 5 * std / Math.sqrt(v.length), "mean of " + t.shape());
        assertEquals(std, Math.sqrt(var), 5 * std / Math.sqrt(2.0 * v.length), "deviation of " + t.shape());
    }

    @Test
    void noiseIsStandardNormalInTheWeightsDtype() {
        try (Dcgan gan = new Dcgan(50, 2, 1, 4, 4)) {
            gan.to(DType.F64);
            Tensor z = gan.noise(400);
            assertArrayEquals(new int[] {400, 50}, z.shape().dims());
            assertEquals(DType.F64, z.dtype());
            assertEquals(0, z.mean().item(), 0.02);
            assertEquals(1, z.mul(z).mean().item(), 0.03);
        }
    }

    @Test
    void pixelsMapToTheGeneratorsRangeAndBack() {
        Tensor pixels = Tensor.fromArray(new float[] {0, 0.25f, 1}, 3);
        assertArrayEquals(new float[] {-1, -0.5f, 1}, Dcgan.fromPixels(pixels).toFloatArray(), 0f);
        assertArrayEquals(pixels.toFloatArray(), Dcgan.toPixels(Dcgan.fromPixels(pixels)).toFloatArray(), 0f);
    }

    @Test
    void noiseOfAnotherSizeIsRefusedNamingTheExpectedShape() {
        try (Dcgan gan = new Dcgan(10, 2, 1, 8, 8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gan.generate(Tensor.zeros(3, 11)));
            assertEquals("Dcgan(latent 10 -> 1x8x8, 2 feature maps): noise [3, 11] must be [batch, 10]", e.getMessage());
        }
    }

    @Test
    void imagesOfAnotherSizeAreRefusedNamingBothAcceptedShapes() {
        try (Dcgan gan = new Dcgan(10, 2, 1, 8, 8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> gan.discriminate(Tensor.zeros(3, 1, 8, 12)));
            assertEquals("Dcgan(latent 10 -> 1x8x8, 2 feature maps): images [3, 1, 8, 12] must be [batch, 1, 8, 8] or"
                    + " [batch, 64]", e.getMessage());
        }
    }

    @Test
    void aLayerNormOrNoNormDiscriminatorScoresEachImageByItselfAndABatchNormOneByItsBatch() {
        Tensor batch = Tensor.rand(3, 1, 8, 8);
        for (Dcgan.DiscriminatorNorm norm : Dcgan.DiscriminatorNorm.values()) {
            try (Dcgan gan = new Dcgan(10, 4, 1, 8, 8, norm)) {
                float alone = gan.discriminate(batch.narrow(0, 0, 1)).toFloatArray()[0];
                float inBatch = gan.discriminate(batch).toFloatArray()[0];
                if (norm == Dcgan.DiscriminatorNorm.BATCH) {
                    assertNotEquals(alone, inBatch, 1e-4f, "batch norm in training mode");
                } else {
                    assertEquals(alone, inBatch, 1e-5f, norm.label());
                }
            }
        }
    }

    @Test
    void theLayerNormTakesTheBatchNormsPlaceStartingAtScaleOneAndShiftZeroAndNoNormDropsIt() {
        try (Dcgan layer = new Dcgan(10, 4, 1, 8, 8, Dcgan.DiscriminatorNorm.LAYER);
             Dcgan none = new Dcgan(10, 4, 1, 8, 8, Dcgan.DiscriminatorNorm.NONE)) {
            Module norm = layer.discriminator().children().get(3);
            assertEquals("GroupNorm(1, 8, eps=1e-05, affine=True)", norm.toString());
            assertArrayEquals(new float[] {1, 1, 1, 1, 1, 1, 1, 1}, layer.discriminator().namedParameters()
                    .get("3.weight").toFloatArray(), 0f);
            assertArrayEquals(new float[8], layer.discriminator().namedParameters().get("3.bias").toFloatArray(), 0f);
            assertEquals(List.of("0.weight", "2.weight", "4.weight"),
                    List.copyOf(none.discriminator().namedParameters().keySet()));
            assertEquals("Dcgan(latent 10 -> 1x8x8, 4 feature maps, discriminator norm layer)", layer.describe());
        }
    }

    @Test
    void discriminatorNormsAreNamedByTheirLabels() {
        for (Dcgan.DiscriminatorNorm norm : Dcgan.DiscriminatorNorm.values()) {
            assertEquals(norm, Dcgan.DiscriminatorNorm.labelled(norm.label()));
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Dcgan.DiscriminatorNorm.labelled("instance"));
        assertEquals("unknown discriminator norm 'instance'; known: [batch, layer, none]", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dcgan(10, 2, 1, 8, 8, null));
    }

    @Test
    void imageSidesThatAreNotMultiplesOfFourAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Dcgan(10, 2, 1, 30, 28));
        assertTrue(e.getMessage().contains("multiples of 4") && e.getMessage().contains("30 x 28"), e.getMessage());
    }
}
