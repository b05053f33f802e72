package dev.kiln.autoencoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CutMix;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Unsupervised training on data with low-dimensional structure: 16 features that are a smooth function of 2
 * hidden values. A short run must cut the reconstruction error well below that of the untrained network (which
 * sits near the data's variance around 0.5). Every kind of autoencoder goes through the same loop.
 */
class AutoencoderTrainerTest {
    private static ArrayDataset curves(int n, long seed) {
        Random random = new Random(seed);
        float[] features = new float[n * 16];
        for (int i = 0; i < n; i++) {
            double a = random.nextDouble() * 2 - 1;
            double b = random.nextDouble() * 2 - 1;
            for (int j = 0; j < 16; j++) {
                double t = j / 15.0;
                features[i * 16 + j] = (float) (1 / (1 + Math.exp(-3 * (a * Math.sin(3 * t) + b * (t - 0.5)))));
            }
        }
        return new ArrayDataset(features, new long[n], new int[] {16}, 1);
    }

    private static void trainingReducesTheReconstructionError(Supplier<Autoencoder> kind) {
        Engine.seed(2);
        try (Autoencoder ae = kind.get();
             Optimizer adam = new Adam(ae.trainableParameters(), 1e-2);
             DataLoader train = new DataLoader(curves(512, 1), 32, true, 1);
             DataLoader test = new DataLoader(curves(256, 2), 256, false, 1)) {
            double before = AutoencoderTrainer.evaluate(ae, test).error();
            List<AutoencoderEpoch> seen = new ArrayList<>();
            List<AutoencoderEpoch> history = new AutoencoderTrainer(ae, adam).epochListener(seen::add).fit(train, test, 15);
            double after = history.get(history.size() - 1).validationError();
            assertEquals(history, seen);
            assertTrue(ae.isTraining(), "evaluation restores training mode");
            assertTrue(after < 0.25 * before, ae + ": reconstruction error " + before + " -> " + after);
        }
    }

    @Test
    void stackedAutoencoder() {
        trainingReducesTheReconstructionError(() -> new StackedAutoencoder(16, 12, 4));
    }

    @Test
    void tiedAutoencoder() {
        trainingReducesTheReconstructionError(() -> new TiedAutoencoder(16, 12, 4));
    }

    @Test
    void denoisingAutoencoder() {
        trainingReducesTheReconstructionError(() -> DenoisingAutoencoder.gaussian(new StackedAutoencoder(16, 12, 4), 0.05));
    }

    @Test
    void sparseAutoencoder() {
        trainingReducesTheReconstructionError(() -> new SparseAutoencoder(new StackedAutoencoder(16, 12, 4), 1e-4));
    }

    @Test
    void variationalAutoencoder() {
        trainingReducesTheReconstructionError(() -> new VariationalAutoencoder(16, 12, 2));
    }

    @Test
    void aLoaderThatMixesItsBatchesIsRefused() {
        try (Autoencoder ae = new StackedAutoencoder(16, 12, 4);
             Optimizer adam = new Adam(ae.trainableParameters(), 1e-2);
             DataLoader train = new DataLoader(curves(64, 1), 32, true, 1)) {
            AutoencoderTrainer trainer = new AutoencoderTrainer(ae, adam);
            DataLoader mixed = train.withBatchAugmentation(new CutMix(1, 1));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.fit(mixed, null, 1));
            assertTrue(e.getMessage().contains("CutMix(alpha=1.0, num_classes=1)"), e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> trainer.fit(train, mixed, 1));
        }
    }
}
