package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.MixUp;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The training loop around {@link GanTrainer#step}, on 40 random 8x8 images (its figures are PyTorch's elsewhere). */
class GanTrainerTest {
    private Scope scope;
    private Dcgan model;
    private Optimizer generatorAdam;
    private Optimizer discriminatorAdam;
    private GanTrainer trainer;
    private DataLoader images;
    private final List<Optimizer> optimizers = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Engine.seed(7);
        scope = Scope.open();
        model = new Dcgan(5, 2, 1, 8, 8);
        generatorAdam = GanTrainer.adam(model.generator().trainableParameters(), GanTrainer.LEARNING_RATE);
        discriminatorAdam = GanTrainer.adam(model.discriminator().trainableParameters(), GanTrainer.LEARNING_RATE);
        trainer = new GanTrainer(model, new BceGanLoss(), generatorAdam, discriminatorAdam);
        Random random = new Random(1);
        float[] pixels = new float[40 * 64];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        images = new DataLoader(new ArrayDataset(pixels, new long[40], new int[] {1, 8, 8}, 1), 16, true, 1);
    }

    @AfterEach
    void tearDown() {
        optimizers.forEach(Optimizer::close);
        images.close();
        generatorAdam.close();
        discriminatorAdam.close();
        model.close();
        scope.close();
    }

    @Test
    void theTutorialsAdamHasLearningRateTwoTenThousandthsAndBetaOneAHalf() {
        try (Adam adam = GanTrainer.adam(model.generator().trainableParameters(), GanTrainer.LEARNING_RATE)) {
            assertEquals(2e-4, adam.learningRate());
            assertEquals(0.5, adam.beta1());
            assertEquals(0.999, adam.beta2());
        }
    }

    @Test
    void eachEpochReportsEveryStepsLossesInOrderAndTheirMeans() {
        List<String> steps = new ArrayList<>();
        List<double[]> losses = new ArrayList<>();
        trainer.stepListener((epoch, step, stepsPerEpoch, d, g, terms) -> {
            steps.add(epoch + ":" + step + "/" + stepsPerEpoch);
            losses.add(new double[] {d, g});
        });
        List<GanEpoch> history = trainer.fit(images, 2);
        assertEquals(List.of("1:1/3", "1:2/3", "1:3/3", "2:1/3", "2:2/3", "2:3/3"), steps);
        assertEquals(2, history.size());
        GanEpoch first = history.get(0);
        assertEquals(1, first.epoch());
        // Batches of 16, 16 and 8 images: the means weigh each step by its batch.
        assertEquals((16 * losses.get(0)[0] + 16 * losses.get(1)[0] + 8 * losses.get(2)[0]) / 40,
                first.discriminatorLoss(), 1e-6);
        assertEquals((16 * losses.get(0)[1] + 16 * losses.get(1)[1] + 8 * losses.get(2)[1]) / 40,
                first.generatorLoss(), 1e-6);
        assertTrue(first.seconds() > 0 && first.samplesPerSecond() > 0, first.toString());
        assertEquals(2, history.get(1).epoch());
    }

    @Test
    void epochsOfLaterCallsContinueTheNumbering() {
        List<Integer> epochs = new ArrayList<>();
        trainer.epochListener(e -> epochs.add(e.epoch()));
        trainer.fit(images, 1);
        trainer.fit(images, 2);
        assertEquals(List.of(1, 2, 3), epochs);
    }

    @Test
    void aStepUpdatesEveryWeightOfBothNetworks() {
        Map<String, float[]> before = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> before.put(k, v.toFloatArray()));
        trainer.step(Dcgan.fromPixels(Tensor.rand(4, 1, 8, 8)), model.noise(4));
        for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
            assertFalse(Arrays.equals(before.get(p.getKey()), p.getValue().toFloatArray()), p.getKey() + " was not updated");
        }
    }

    /** A WGAN-GP trainer of a layer-norm critic with {@code criticSteps} critic updates per generator update. */
    private GanTrainer wganGp(Dcgan critic, int criticSteps, List<String> calls) {
        WganGpLoss wgan = new WganGpLoss();
        GanLoss counted = new GanLoss() {
            @Override
            public String name() {
                return wgan.name();
            }

            @Override
            public List<String> termNames() {
                return wgan.termNames();
            }

            @Override
            public DiscriminatorLoss discriminatorLoss(Module discriminator, Tensor real, Tensor fake) {
                calls.add("D");
                return wgan.discriminatorLoss(discriminator, real, fake);
            }

            @Override
            public Tensor generatorLoss(Module discriminator, Tensor fake) {
                calls.add("G");
                return wgan.generatorLoss(discriminator, fake);
            }
        };
        Optimizer g = GanTrainer.adam(critic.generator().trainableParameters(), 1e-4);
        Optimizer d = GanTrainer.adam(critic.discriminator().trainableParameters(), 1e-4);
        optimizers.add(g);
        optimizers.add(d);
        return new GanTrainer(critic, counted, g, d).criticSteps(criticSteps);
    }

    @Test
    void withTwoCriticStepsTheGeneratorIsUpdatedAfterEverySecondDiscriminatorUpdateCountedAcrossEpochs() {
        List<String> calls = new ArrayList<>();
        try (Dcgan layer = new Dcgan(5, 2, 1, 8, 8, Dcgan.DiscriminatorNorm.LAYER)) {
            GanTrainer wgan = wganGp(layer, 2, calls);
            assertEquals(2, wgan.criticSteps());
            wgan.fit(images, 2);
        }
        // Three batches an epoch: the fourth discriminator update, the first of epoch 2, completes the second pair.
        assertEquals(List.of("D", "D", "G", "D", "D", "G", "D", "D", "G"), calls);
    }

    @Test
    void stepsWithoutAGeneratorUpdateReportTheLatestGeneratorLossAndItsMeanCountsOnlyItsOwnSteps() {
        List<Double> generatorLosses = new ArrayList<>();
        List<Map<String, Double>> terms = new ArrayList<>();
        List<double[]> discriminatorLosses = new ArrayList<>();
        try (Dcgan layer = new Dcgan(5, 2, 1, 8, 8, Dcgan.DiscriminatorNorm.LAYER)) {
            GanTrainer wgan = wganGp(layer, 2, new ArrayList<>()).stepListener((epoch, step, steps, d, g, t) -> {
                discriminatorLosses.add(new double[] {d});
                generatorLosses.add(g);
                terms.add(t);
            });
            GanEpoch first = wgan.fit(images, 1).get(0);
            assertTrue(Double.isNaN(generatorLosses.get(0)), "no generator update before the first step's report");
            assertEquals(generatorLosses.get(1), generatorLosses.get(2), "the third step repeats the second's");
            assertEquals(generatorLosses.get(1), first.generatorLoss(), 1e-12, "the epoch's one generator update");
            assertEquals(List.of("wasserstein_estimate", "gradient_penalty"), List.copyOf(first.terms().keySet()));
            for (String term : first.terms().keySet()) {
                double mean = (16 * terms.get(0).get(term) + 16 * terms.get(1).get(term) + 8 * terms.get(2).get(term))
                        / 40;
                assertEquals(mean, first.terms().get(term), 1e-6, term);
            }
            assertEquals((16 * discriminatorLosses.get(0)[0] + 16 * discriminatorLosses.get(1)[0]
                    + 8 * discriminatorLosses.get(2)[0]) / 40, first.discriminatorLoss(), 1e-6);
        }
    }

    @Test
    void anEpochWithoutAGeneratorUpdateHasNoGeneratorLoss() {
        try (Dcgan layer = new Dcgan(5, 2, 1, 8, 8, Dcgan.DiscriminatorNorm.LAYER)) {
            assertTrue(Double.isNaN(wganGp(layer, 5, new ArrayList<>()).fit(images, 1).get(0).generatorLoss()));
        }
    }

    @Test
    void aDiscriminatorStepUpdatesTheDiscriminatorOnlyAndAGeneratorStepTheGeneratorOnly() {
        Map<String, float[]> before = weights();
        trainer.discriminatorStep(Dcgan.fromPixels(Tensor.rand(4, 1, 8, 8)), model.noise(4));
        Map<String, float[]> afterDiscriminator = weights();
        trainer.generatorStep(model.noise(4));
        Map<String, float[]> afterGenerator = weights();
        for (String name : before.keySet()) {
            boolean discriminator = name.startsWith("discriminator");
            assertEquals(discriminator, !Arrays.equals(before.get(name), afterDiscriminator.get(name)),
                    name + " after the discriminator's step");
            assertEquals(!discriminator, !Arrays.equals(afterDiscriminator.get(name), afterGenerator.get(name)),
                    name + " after the generator's step");
        }
    }

    private Map<String, float[]> weights() {
        Map<String, float[]> w = new LinkedHashMap<>();
        model.namedParameters().forEach((k, v) -> w.put(k, v.toFloatArray()));
        return w;
    }

    @Test
    void fewerThanOneCriticStepIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.criticSteps(0));
        assertEquals("GanTrainer: critic steps per generator step must be at least 1, got 0", e.getMessage());
    }

    @Test
    void realPixelsReachTheDiscriminatorInTheGeneratorsRange() {
        List<double[]> seen = new ArrayList<>();
        model.discriminator().registerForwardPreHook((m, x) -> {
            seen.add(new double[] {x.min().item(), x.max().item()});
            return null;
        });
        float[] grey = new float[4 * 64];
        Arrays.fill(grey, 0.25f);
        try (DataLoader greyImages = new DataLoader(new ArrayDataset(grey, new long[4], new int[] {1, 8, 8}, 1), 4,
                false, 1)) {
            trainer.fit(greyImages, 1);
        }
        assertArrayEquals(new double[] {-0.5, -0.5}, seen.get(0), "the real batch, pixels 0.25, comes first: 2 p - 1");
    }

    @Test
    void aLoaderThatMixesItsBatchesIsRefused() {
        try (DataLoader mixed = images.withBatchAugmentation(new MixUp(1, 1))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(mixed, 1));
            assertTrue(e.getMessage().contains("MixUp(alpha=1.0, num_classes=1)"), e.getMessage());
        }
    }
}
