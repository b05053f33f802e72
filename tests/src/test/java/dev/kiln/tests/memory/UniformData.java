package dev.kiln.tests.memory;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import java.util.Random;

/** Seeded random samples for the tests that count a training step's work: uniform features and labels. */
final class UniformData {
    private UniformData() {
    }

    /**
     * {@code samples} samples of {@code shape} with labels in [0, {@code classes}), shuffled in batches of
     * {@code batch}, one loader thread: the features are drawn first, then the labels, from {@code new Random(seed)}.
     */
    static DataLoader loader(long seed, int samples, int[] shape, int classes, int batch) {
        Random random = new Random(seed);
        int size = 1;
        for (int d : shape) {
            size *= d;
        }
        float[] features = new float[samples * size];
        long[] labels = new long[samples];
        for (int i = 0; i < features.length; i++) {
            features[i] = random.nextFloat();
        }
        for (int i = 0; i < labels.length; i++) {
            labels[i] = random.nextInt(classes);
        }
        return new DataLoader(new ArrayDataset(features, labels, shape, classes), batch, true, 1);
    }
}
