package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link DataLoader#withBatchAugmentation}: mixed batches with soft targets, the same on every run and resume. */
class BatchAugmentationLoaderTest {
    private static final int[] IMAGE = {1, 8, 8};
    private static final int CLASSES = 4;

    /** n random images [1, 8, 8] (seeded), label i % 4. */
    private static ArrayDataset images(int n) {
        SplittableRandom random = new SplittableRandom(31);
        float[] f = new float[n * 64];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) random.nextDouble();
        }
        long[] l = new long[n];
        for (int i = 0; i < n; i++) {
            l[i] = i % CLASSES;
        }
        return new ArrayDataset(f, l, IMAGE, CLASSES);
    }

    private record Values(float[] features, long[] labels, float[] targets) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Values v && Arrays.equals(features, v.features) && Arrays.equals(labels, v.labels)
                    && Arrays.equals(targets, v.targets);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(targets);
        }
    }

    private static List<Values> batches(DataLoader loader, int epoch, int firstBatch) {
        List<Values> values = new ArrayList<>();
        for (HostBatch b : loader.epoch(epoch, firstBatch)) {
            values.add(new Values(b.featureData().clone(), b.labelData().clone(), b.targetData().clone()));
            b.recycle();
        }
        return values;
    }

    private static DataLoader mixing(int workers) {
        BatchAugmentation choice = new RandomBatchChoice(new CutMix(1, CLASSES), new MixUp(1, CLASSES));
        return new DataLoader(images(70), 16, true, 5).withBatchAugmentation(choice).withWorkers(workers);
    }

    @Test
    void batchesHoldMixedImagesSoftTargetsAndTheirDominantClasses() {
        DataLoader plain = new DataLoader(images(70), 16, true, 5);
        DataLoader mixed = plain.withBatchAugmentation(new MixUp(1, CLASSES));
        List<Values> before = new ArrayList<>();
        for (HostBatch b : plain.epoch(0)) {
            assertNull(b.targetData());
            before.add(new Values(b.featureData().clone(), b.labelData().clone(), null));
        }
        List<Values> after = batches(mixed, 0, 0);
        assertEquals(5, after.size());
        for (int k = 0; k < after.size(); k++) {
            Values v = after.get(k);
            long[] original = before.get(k).labels();
            int n = original.length;
            assertEquals(n * CLASSES, v.targets().length, "the last batch of 6 is mixed too");
            assertFalse(Arrays.equals(before.get(k).features(), v.features()), "the images are blended");
            for (int i = 0; i < n; i++) {
                float[] row = Arrays.copyOfRange(v.targets(), i * CLASSES, (i + 1) * CLASSES);
                double lam = row[(int) original[i]];
                assertEquals(1, row[0] + row[1] + row[2] + row[3], 1e-6);
                // The dominant class: the label of the heavier partner, as torchvision's reference accuracy reads it.
                long heavier = lam >= 0.5 ? original[i] : original[(i + n - 1) % n];
                assertEquals(heavier, v.labels()[i], "batch " + k + ", example " + i + ": " + Arrays.toString(row));
            }
        }
    }

    @Test
    void targetsAreAnF32TensorOfBatchByClasses() {
        DataLoader loader = new DataLoader(images(20), 8, false, 1).withBatchAugmentation(new CutMix(1, CLASSES));
        try (Scope scope = Scope.open()) {
            HostBatch b = loader.epoch(0).iterator().next();
            Tensor targets = b.targets();
            assertEquals(DType.F32, targets.dtype());
            assertArrayEquals(new int[] {8, CLASSES}, targets.shape().dims());
            assertArrayEquals(b.targetData(), targets.toFloatArray());
            assertEquals(DType.I64, b.labels().dtype());
        }
        try (Scope scope = Scope.open()) {
            HostBatch b = new DataLoader(images(20), 8, false, 1).epoch(0).iterator().next();
            assertEquals(DType.I64, b.targets().dtype(), "without a batch augmentation the targets are the labels");
        }
    }

    @Test
    void theBatchesAreTheSameForAnyWorkersAndOnResume() {
        List<Values> one = batches(mixing(1), 1, 0);
        assertEquals(one, batches(mixing(3), 1, 0));
        assertEquals(one.subList(2, one.size()), batches(mixing(1), 1, 2), "resumed at batch 2");
        assertEquals(one, batches(mixing(2), 1, 0), "a second run");
        assertFalse(one.equals(batches(mixing(1), 2, 0)), "another epoch mixes otherwise");
    }

    @Test
    void recycledArraysAreMixedAfresh() {
        DataLoader loader = mixing(1);
        List<Values> kept = new ArrayList<>();
        for (HostBatch b : loader.epoch(0)) {
            kept.add(new Values(b.featureData().clone(), b.labelData().clone(), b.targetData().clone()));
        }
        assertEquals(kept, batches(loader, 0, 0));
    }

    @Test
    void refusesAnAugmentationWithFewerClassesThanTheDataSet() {
        DataLoader loader = new DataLoader(images(20), 8, false, 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> loader.withBatchAugmentation(new MixUp(1, 3)));
        assertTrue(e.getMessage().contains("DataLoader.withBatchAugmentation: the data set has 4 classes, but"
                + " MixUp(alpha=1.0, num_classes=3) makes targets of 3"), e.getMessage());
    }

    @Test
    void aBatchThatIsNotOfImagesFailsItsIterationNamingTheShape() {
        ArrayDataset vectors = new ArrayDataset(new float[10 * 3], new long[10], new int[] {3}, 2);
        DataLoader loader = new DataLoader(vectors, 4, false, 1).withBatchAugmentation(new MixUp(1, 2));
        RuntimeException e = assertThrows(RuntimeException.class, () -> loader.epoch(0).iterator().next());
        assertTrue(e.getMessage().contains("MixUp: expected a batch of images [batch, channels, height, width], got"
                + " examples of shape [3]"), e.getMessage());
    }

    @Test
    void aHostBatchWithTargetsRefusesTargetsOfAnotherLength() {
        HostBatch b = new HostBatch(new float[2], new long[] {0, 1}, new float[] {1, 0, 0, 1}, 2, 2, new int[] {1});
        assertEquals(2, b.classes());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new HostBatch(new float[2], new long[] {0, 1}, new float[3], 2, 2, new int[] {1}));
        assertTrue(e.getMessage().contains("HostBatch: 3 target values for 2 examples of 2 classes"), e.getMessage());
    }
}
