package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.GradCheck;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * WGAN-GP's losses through critics whose input gradients can be written out: a linear critic {@code w . x + b}, whose
 * gradient is w at every image, and {@code |x|^2 / 2}, whose gradient is the image itself.
 */
class WganGpLossTest {
    private static final double[] W = {0.5, -1, 2, 0.25};
    private final WganGpLoss loss = new WganGpLoss(10);
    private Scope scope;

    @BeforeEach
    void setUp() {
        Engine.seed(2);
        scope = Scope.open();
    }

    @AfterEach
    void tearDown() {
        scope.close();
    }

    /** {@code w . x + 0.3} of images [batch, 1, 2, 2]. */
    private static Sequential linearCritic() {
        Sequential critic = new Sequential(new Flatten(), new Linear(4, 1));
        critic.to(DType.F64);
        Linear linear = (Linear) critic.children().get(1);
        try (Autograd.Guard g = Autograd.noGrad()) {
            linear.weight().assign(Tensor.fromArray(W, 1, 4));
            linear.bias().assign(Tensor.fromArray(new double[] {0.3}, 1));
        }
        return critic;
    }

    /** {@code |x|^2 / 2} per image: its gradient at x is x. */
    private static Module halfSquaredNorm() {
        return new Module() {
            @Override
            public Tensor forward(Tensor x) {
                return x.square().reshape(x.dim(0), -1).sum(1, true).mul(0.5);
            }
        };
    }

    private static Tensor images(double... pixels) {
        return Tensor.fromArray(pixels, pixels.length / 4, 1, 2, 2);
    }

    private static double dot(double[] a, int offset) {
        double sum = 0;
        for (int i = 0; i < W.length; i++) {
            sum += W[i] * a[offset + i];
        }
        return sum;
    }

    @Test
    void aLinearCriticsLossIsItsMeanScoreGapPlusLambdaTimesTheSquaredDistanceOfItsWeightsNormFromOne() {
        double[] real = {1, 0.5, -0.5, 0.25, -1, 0.75, 0, 0.5};
        double[] fake = {0.2, -0.4, 0.6, -0.8, 0.1, 0.3, -0.5, 0.7};
        DiscriminatorLoss d = loss.discriminatorLoss(linearCritic(), images(real), images(fake));
        double wasserstein = (dot(real, 0) + dot(real, 4)) / 2 - (dot(fake, 0) + dot(fake, 4)) / 2;
        double norm = Math.sqrt(0.25 + 1 + 4 + 0.0625);
        double penalty = 10 * (norm - 1) * (norm - 1);
        assertEquals(wasserstein, d.terms().get(WganGpLoss.WASSERSTEIN).item(), 1e-12);
        assertEquals(penalty, d.terms().get(WganGpLoss.PENALTY).item(), 1e-12);
        assertEquals(penalty - wasserstein, d.loss().item(), 1e-12);
    }

    @Test
    void thePenaltysImagesLieBetweenEachRealImageAndItsGeneratedPartnerAtEps() {
        double[] real = {3, 0, 0, 4, 1, 1, 1, 1, 2, 0, 0, 0};
        double[] fake = {0, 0, 0, 0, 0, 0, 0, 0.5, 0, 0, 0, -2};
        Tensor eps = Tensor.fromArray(new double[] {1, 0, 0.25}, 3);
        // |x_i|: the real image's 5, the generated one's 0.5, and |(0.5, 0, 0, -1.5)| between them.
        double between = Math.sqrt(0.25 + 2.25);
        double expected = 10 * (16 + 0.25 + (between - 1) * (between - 1)) / 3;
        assertEquals(expected, loss.gradientPenalty(halfSquaredNorm(), images(real), images(fake), eps).item(), 1e-12);
    }

    @Test
    void epsIsDrawnPerImageFromTheEnginesSeededUniformStream() {
        Tensor real = Tensor.randn(DType.F64, 3, 1, 2, 2);
        Tensor fake = Tensor.randn(DType.F64, 3, 1, 2, 2);
        Engine.seed(5);
        double drawn = loss.discriminatorLoss(halfSquaredNorm(), real, fake).loss().item();
        Engine.seed(5);
        Tensor eps = Tensor.rand(DType.F64, 3);
        assertEquals(loss.discriminatorLoss(halfSquaredNorm(), real, fake, eps).loss().item(), drawn, 1e-12);
    }

    @Test
    void theGeneratorsLossIsMinusTheMeanScoreOfItsImages() {
        double[] pixels = {0.2, -0.4, 0.6, -0.8, 0.1, 0.3, -0.5, 0.7};
        Tensor fake = images(pixels).requiresGrad(true);
        Tensor g = loss.generatorLoss(linearCritic(), fake);
        assertEquals(-(dot(pixels, 0) + dot(pixels, 4)) / 2 - 0.3, g.item(), 1e-12);
        g.backward();
        double[] expected = new double[8];
        for (int i = 0; i < 8; i++) {
            expected[i] = -W[i % 4] / 2;
        }
        assertArrayEquals(expected, fake.grad().toDoubleArray(), 1e-12);
    }

    @Test
    void theCriticsLossGradientsThroughThePenaltyMatchFiniteDifferences() {
        for (Dcgan.DiscriminatorNorm norm : List.of(Dcgan.DiscriminatorNorm.LAYER, Dcgan.DiscriminatorNorm.NONE)) {
            try (Dcgan gan = new Dcgan(3, 2, 1, 8, 8, norm)) {
                gan.to(DType.F64);
                Tensor real = Tensor.uniform(-1, 1, DType.F64, 3, 1, 8, 8);
                Tensor fake = Tensor.uniform(-1, 1, DType.F64, 3, 1, 8, 8);
                Tensor eps = Tensor.rand(DType.F64, 3);
                Module critic = gan.discriminator();
                GradCheck.check("WGAN-GP critic loss, discriminator norm " + norm.label(),
                        in -> loss.discriminatorLoss(critic, real, fake, eps).loss(),
                        critic.parameters().toArray(Tensor[]::new));
            }
        }
    }

    @Test
    void thePenaltyIsMadeAlsoWhereItsCallerRecordsNoGradients() {
        Tensor eps = Tensor.fromArray(new double[] {0.5}, 1);
        try (Autograd.Guard g = Autograd.noGrad()) {
            assertEquals(10 * 4, loss.gradientPenalty(halfSquaredNorm(), images(3, 0, 0, 0), images(3, 0, 0, 0), eps)
                    .item(), 1e-12);
        }
    }

    @Test
    void aCriticWithBatchNormInTrainingIsRefusedAndInEvaluationAllowed() {
        try (Dcgan gan = new Dcgan(3, 2, 1, 8, 8)) {
            Tensor images = Tensor.rand(2, 1, 8, 8);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> loss.discriminatorLoss(gan.discriminator(), images, images));
            assertEquals("WganGpLoss: the critic's batch norm '3' scores each image by its batch in training mode,"
                    + " which the gradient penalty cannot allow; use layer norm or none"
                    + " (Dcgan.DiscriminatorNorm.LAYER or NONE)", e.getMessage());
            gan.eval();
            loss.discriminatorLoss(gan.discriminator(), images, images);
        }
    }

    @Test
    void imagesOfTwoShapesAndEpsOfAnotherLengthAreRefused() {
        Module critic = halfSquaredNorm();
        IllegalArgumentException shapes = assertThrows(IllegalArgumentException.class,
                () -> loss.discriminatorLoss(critic, Tensor.rand(2, 1, 2, 2), Tensor.rand(3, 1, 2, 2)));
        assertEquals("WganGpLoss: real images [2, 1, 2, 2] and fake images [3, 1, 2, 2] must have one shape"
                + " [batch, ...]", shapes.getMessage());
        IllegalArgumentException eps = assertThrows(IllegalArgumentException.class,
                () -> loss.gradientPenalty(critic, Tensor.rand(2, 1, 2, 2), Tensor.rand(2, 1, 2, 2),
                        Tensor.rand(2, 1)));
        assertEquals("WganGpLoss: eps [2, 1] must be [2], one mixing weight per image", eps.getMessage());
    }

    @Test
    void thePenaltysWeightMustBeFiniteAndPositive() {
        for (double weight : new double[] {0, -1, Double.NaN, Double.POSITIVE_INFINITY}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new WganGpLoss(weight));
            assertEquals("WganGpLoss: the gradient penalty's weight must be finite and > 0, got " + weight,
                    e.getMessage());
        }
    }

    @Test
    void wganGpIsNamedWithThePapersWeightAndReportsTheWassersteinEstimateAndPenalty() {
        GanLoss named = GanLoss.named("wgan-gp");
        assertEquals(10, assertInstanceOf(WganGpLoss.class, named).gpWeight());
        assertEquals(List.of("wasserstein_estimate", "gradient_penalty"), named.termNames());
    }
}
