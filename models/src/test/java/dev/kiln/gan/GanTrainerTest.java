package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
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
        trainer.stepListener((epoch, step, stepsPerEpoch, d, g) -> {
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
}
