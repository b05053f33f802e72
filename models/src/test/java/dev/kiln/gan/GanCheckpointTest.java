package dev.kiln.gan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link GanCheckpoint} on 40 random 8x8 images in batches of 16 (its exact resume of whole runs is
 * {@code GanCommandTest}'s).
 */
class GanCheckpointTest {
    /** The CPU backend's switch of how a convolution's first call settles its kernel. */
    private static final String CONVOLUTION_KERNEL = "kiln.cpu.convolutionKernel";

    @TempDir
    Path tmp;
    private Scope scope;
    private DataLoader images;
    private final List<AutoCloseable> closing = new ArrayList<>();

    @BeforeEach
    void setUp() {
        Engine.seed(7);
        scope = Scope.open();
        Random random = new Random(1);
        float[] pixels = new float[40 * 64];
        for (int i = 0; i < pixels.length; i++) {
            pixels[i] = random.nextFloat();
        }
        images = new DataLoader(new ArrayDataset(pixels, new long[40], new int[] {1, 8, 8}, 1), 16, true, 1);
    }

    @AfterEach
    void tearDown() throws Exception {
        for (AutoCloseable c : closing) {
            c.close();
        }
        images.close();
        scope.close();
    }

    /** A WGAN-GP trainer of a layer-norm critic with {@code featureMaps} and {@code criticSteps}. */
    private GanTrainer trainer(int featureMaps, int criticSteps) {
        Dcgan model = new Dcgan(5, featureMaps, 1, 8, 8, Dcgan.DiscriminatorNorm.LAYER);
        Optimizer g = GanTrainer.adam(model.generator().trainableParameters(), 1e-4);
        Optimizer d = GanTrainer.adam(model.discriminator().trainableParameters(), 1e-4);
        closing.addAll(List.of(g, d, model));
        return new GanTrainer(model, new WganGpLoss(), g, d).criticSteps(criticSteps);
    }

    /** As {@link #trainer}, with the discriminator's Adam given {@code eps} and its beta2 {@code beta2}. */
    private GanTrainer trainerWithCritic(double beta2, double eps) {
        Dcgan model = new Dcgan(5, 2, 1, 8, 8, Dcgan.DiscriminatorNorm.LAYER);
        Optimizer g = GanTrainer.adam(model.generator().trainableParameters(), 1e-4);
        Optimizer d = GanTrainer.adam(model.discriminator().trainableParameters(), 1e-4).betas(0.5, beta2).eps(eps);
        closing.addAll(List.of(g, d, model));
        return new GanTrainer(model, new WganGpLoss(), g, d).criticSteps(5);
    }

    private Tensor noise(GanTrainer trainer) {
        return trainer.model().noise(4);
    }

    @Test
    void resumeRestoresTheEpochTheCriticCountTheHistoryWithItsNaNAndTheFixedNoise() throws IOException {
        Path file = tmp.resolve("checkpoint.safetensors");
        GanTrainer trained = trainer(2, 5);
        Tensor fixed = noise(trained);
        List<GanEpoch> history = trained.fit(images, 1);
        GanCheckpoint.write(file, trained, fixed, history, Map.of("model", "dcgan"));

        GanTrainer fresh = trainer(2, 5);
        Tensor other = noise(fresh);
        GanCheckpoint.Resumed resumed = GanCheckpoint.resume(file, fresh, other);
        assertEquals(1, resumed.epoch());
        assertEquals(1, fresh.epoch());
        assertEquals(3, fresh.criticStepsSinceGenerator(), "three critic updates, no generator update yet");
        assertTrue(Double.isNaN(history.get(0).generatorLoss()));
        assertEquals(history, resumed.history(), "the figures as written, NaN included");
        assertArrayEquals(fixed.toFloatArray(), other.toFloatArray());
        assertEquals("dcgan", resumed.metadata().get("model"));
    }

    /** With the CPU backend's convolutions timed: its default rule records no choices. */
    @Test
    void resumeGivesTheBackendTheTuningChoicesWrittenBeside() throws IOException {
        Backend backend = Engine.get().backend();
        Path file = tmp.resolve("checkpoint.safetensors");
        GanTrainer trained = trainer(2, 5);
        backend.useTuningChoices(Map.of());
        System.setProperty(CONVOLUTION_KERNEL, "timed");
        try {
            GanCheckpoint.write(file, trained, noise(trained), trained.fit(images, 1), Map.of());
            Map<String, String> chosen = backend.tuningChoices();
            assumeFalse(chosen.isEmpty(), "the backend chose no kernels by timing: no choices to keep");
            backend.useTuningChoices(Map.of());
            GanTrainer fresh = trainer(2, 5);
            GanCheckpoint.resume(file, fresh, noise(fresh));
            assertEquals(chosen, backend.tuningChoices());
        } finally {
            System.clearProperty(CONVOLUTION_KERNEL);
            backend.useTuningChoices(Map.of());
        }
    }

    @Test
    void aCheckpointOfOtherNetworksIsRefusedNamingTheFileAndLeavesTheTrainerAndRandomStateAsTheyWere()
            throws IOException {
        Path file = tmp.resolve("checkpoint.safetensors");
        GanTrainer wide = trainer(4, 5);
        GanCheckpoint.write(file, wide, noise(wide), wide.fit(images, 1), Map.of());
        GanTrainer narrow = trainer(2, 5);
        Tensor fixed = noise(narrow);
        float[] weights = narrow.model().generator().parameters().get(0).toFloatArray();
        float[] noise = fixed.toFloatArray();
        long counter = Engine.get().counter();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GanCheckpoint.resume(file, narrow, fixed));
        assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
        assertArrayEquals(weights, narrow.model().generator().parameters().get(0).toFloatArray());
        assertArrayEquals(noise, fixed.toFloatArray());
        assertEquals(0, narrow.epoch());
        assertEquals(counter, Engine.get().counter());
    }

    @Test
    void aCriticCountBeyondTheTrainersCriticStepsIsRefusedNamingBoth() throws IOException {
        Path file = tmp.resolve("checkpoint.safetensors");
        GanTrainer five = trainer(2, 5);
        GanCheckpoint.write(file, five, noise(five), five.fit(images, 1), Map.of());
        GanTrainer two = trainer(2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GanCheckpoint.resume(file, two, noise(two)));
        assertEquals(file + ": GanTrainer: critic steps since the generator's last step must be in [0, 2) with 2"
                + " critic step(s) per generator step, got 3", e.getMessage());
    }

    @Test
    void aDiscriminatorOptimizerOfOtherSettingsIsRefusedNamingBothAndLeavesTheTrainerAsItWas() throws IOException {
        // As Trainer.resume refuses them (TrainerResumeMismatchTest): its state would go on under another eps and beta2.
        Path file = tmp.resolve("checkpoint.safetensors");
        GanTrainer trained = trainerWithCritic(0.999, 1e-8);
        GanCheckpoint.write(file, trained, noise(trained), trained.fit(images, 1), Map.of());
        GanTrainer other = trainerWithCritic(0.9, 1e-6);
        float[] weights = other.model().discriminator().parameters().get(0).toFloatArray();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> GanCheckpoint.resume(file, other, noise(other)));
        assertEquals(file + ": discriminator_optimizer: checkpoint Adam{maximize=false, beta2=0.999, eps=1.0E-8,"
                + " amsgrad=false}, this trainer Adam{maximize=false, beta2=0.9, eps=1.0E-6, amsgrad=false}",
                e.getMessage());
        assertArrayEquals(weights, other.model().discriminator().parameters().get(0).toFloatArray());
        assertEquals(0, other.epoch());
    }
}
