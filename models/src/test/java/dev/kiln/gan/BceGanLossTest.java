package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Module;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tutorial's loss through a discriminator whose logit is the image's one pixel, so that the cross-entropies can
 * be written out: -log sigmoid(x) = log(1 + e^-x) for a label of 1, log(1 + e^x) for 0.
 */
class BceGanLossTest {
    private final Module pixelIsLogit = new Flatten();
    private final GanLoss loss = new BceGanLoss();
    private Scope scope;

    @BeforeEach
    void setUp() {
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    private static Tensor images(double... logits) {
        return Tensor.fromArray(logits, logits.length, 1, 1, 1).to(DType.F64);
    }

    private static double softplus(double x) {
        return Math.log1p(Math.exp(x));
    }

    @Test
    void theDiscriminatorsLossAddsTheMeansOverRealImagesAsOneAndGeneratedOnesAsZero() {
        double expected = (softplus(-2) + softplus(0.5)) / 2 + (softplus(-1) + softplus(3)) / 2;
        assertEquals(expected, loss.discriminatorLoss(pixelIsLogit, images(2, -0.5), images(-1, 3)).loss().item(),
                1e-12);
    }

    @Test
    void theGeneratorsLossCallsItsImagesRealAndKeepsItsGradientWhenTheyAreRejected() {
        Tensor fake = images(-8, 1).requiresGrad(true);
        Tensor g = loss.generatorLoss(pixelIsLogit, fake);
        assertEquals((softplus(8) + softplus(-1)) / 2, g.item(), 1e-12);
        g.backward();
        // d/dx log(1 + e^-x) / 2 = -(1 - sigmoid(x)) / 2: near -1/2 for a confidently rejected image, not near 0.
        double[] grad = fake.grad().toDoubleArray();
        assertEquals(-0.5 / (1 + Math.exp(-8)), grad[0], 1e-12);
        assertEquals(-0.5 / (1 + Math.exp(1)), grad[1], 1e-12);
    }

    @Test
    void theDiscriminatorsLossReportsNoTerms() {
        assertEquals(List.of(), loss.termNames());
        assertEquals(Map.of(), loss.discriminatorLoss(pixelIsLogit, images(2), images(-1)).terms());
    }

    @Test
    void bceIsNamedBesideWganGpAndAnUnknownNameListsBoth() {
        assertEquals("bce", GanLoss.named("bce").name());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GanLoss.named("wgan"));
        assertEquals("unknown GAN loss 'wgan'; known: [bce, wgan-gp]", e.getMessage());
    }
}
