package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CutMix;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.MixUp;
import dev.kiln.data.RandomBatchChoice;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.LogSoftmax;
import dev.kiln.nn.MSELoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.NLLLoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.SGD;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The {@link Trainer} on a loader {@link DataLoader#withBatchAugmentation}: the loss is the cross-entropy against
 * the batch's soft targets (with label smoothing on top, as PyTorch smooths class probabilities), and the training
 * accuracy counts the rows whose highest score is at their target's dominant class.
 */
class TrainerBatchAugmentationTest {
    private static final int CLASSES = 3;

    /** 24 random images [1, 4, 4] (seeded), label i % 3. */
    private static ArrayDataset images() {
        SplittableRandom random = new SplittableRandom(3);
        float[] f = new float[24 * 16];
        for (int i = 0; i < f.length; i++) {
            f[i] = (float) random.nextGaussian();
        }
        long[] l = new long[24];
        for (int i = 0; i < l.length; i++) {
            l[i] = i % CLASSES;
        }
        return new ArrayDataset(f, l, new int[] {1, 4, 4}, CLASSES);
    }

    @Test
    void reportsTheLossOfTheSoftTargetsAndTheAccuracyOfTheirDominantClasses() {
        for (double smoothing : new double[] {0, 0.1}) {
            DataLoader loader = new DataLoader(images(), 8, true, 11)
                    .withBatchAugmentation(new RandomBatchChoice(new CutMix(1, CLASSES), new MixUp(1, CLASSES)));
            try (Scope scope = Scope.open(); Module model = new Sequential(new Flatten(), new Linear(16, CLASSES))) {
                CrossEntropyLoss loss = new CrossEntropyLoss(smoothing);
                // The expected values first, with the same weights: a learning rate of 0 leaves them as they are.
                double lossSum = 0;
                long hits = 0;
                for (HostBatch b : loader.epoch(1)) {
                    Tensor scores = model.forward(b.features());
                    lossSum += loss.compute(scores, b.targets()).item() * b.size();
                    hits += Accuracy.correct(scores, b.labels());
                }
                Trainer trainer = new Trainer(model, new SGD(model.trainableParameters(), 0), loss);
                List<EpochMetrics> history = trainer.fit(loader, null, 1);
                assertEquals(lossSum / 24, history.get(0).trainLoss(), 1e-6, "smoothing " + smoothing);
                assertEquals(hits / 24.0, history.get(0).trainAccuracy(), 1e-12, "smoothing " + smoothing);
            }
        }
    }

    @Test
    void mixedTargetsLossIsNotTheLossOfTheLabels() {
        DataLoader loader = new DataLoader(images(), 8, true, 11).withBatchAugmentation(new MixUp(1, CLASSES));
        try (Scope scope = Scope.open(); Module model = new Sequential(new Flatten(), new Linear(16, CLASSES))) {
            HostBatch b = loader.epoch(1).iterator().next();
            Tensor scores = model.forward(b.features());
            CrossEntropyLoss loss = new CrossEntropyLoss();
            assertTrue(Math.abs(loss.compute(scores, b.targets()).item() - loss.compute(scores, b.labels()).item())
                    > 1e-4, "the soft targets weigh the partner's class too");
        }
    }

    @Test
    void mixedBatchesTrainInMixedPrecision() {
        DataLoader loader = new DataLoader(images(), 8, true, 11).withBatchAugmentation(new CutMix(1, CLASSES));
        try (Scope scope = Scope.open(); Module model = new Sequential(new Flatten(), new Linear(16, CLASSES))) {
            Trainer trainer = new Trainer(model, new SGD(model.trainableParameters(), 0.1), new CrossEntropyLoss())
                    .precision(Precision.BF16);
            double loss = trainer.fit(loader, null, 1).get(0).trainLoss();
            assertTrue(Double.isFinite(loss) && loss > 0, "loss " + loss);
        }
    }

    @Test
    void aLossOfClassIndicesIsRefusedOnMixedBatchesNamingTheSoftTargets() {
        DataLoader loader = new DataLoader(images(), 8, true, 11).withBatchAugmentation(new MixUp(1, CLASSES));
        try (Scope scope = Scope.open();
             Module model = new Sequential(new Flatten(), new Linear(16, CLASSES), new LogSoftmax())) {
            Trainer trainer = new Trainer(model, new SGD(model.trainableParameters(), 0.1), new NLLLoss());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.fit(loader, null, 1));
            assertTrue(e.getMessage().contains("NLLLoss") && e.getMessage().contains("soft targets [8, 3]")
                    && e.getMessage().contains("CrossEntropyLoss"), e.getMessage());
        }
    }

    @Test
    void aLossOfTargetsOfTheScoresShapeTrainsOnTheSoftTargets() {
        DataLoader loader = new DataLoader(images(), 8, true, 11).withBatchAugmentation(new CutMix(1, CLASSES));
        try (Scope scope = Scope.open(); Module model = new Sequential(new Flatten(), new Linear(16, CLASSES))) {
            MSELoss loss = new MSELoss();
            double lossSum = 0;
            for (HostBatch b : loader.epoch(1)) {
                lossSum += loss.compute(model.forward(b.features()), b.targets()).item() * b.size();
            }
            Trainer trainer = new Trainer(model, new SGD(model.trainableParameters(), 0), loss);
            assertEquals(lossSum / 24, trainer.fit(loader, null, 1).get(0).trainLoss(), 1e-6);
        }
    }

    @Test
    void evaluationRefusesMixedBatches() {
        DataLoader loader = new DataLoader(images(), 8, false, 11).withBatchAugmentation(new CutMix(1, CLASSES));
        try (Scope scope = Scope.open(); Module model = new Sequential(new Flatten(), new Linear(16, CLASSES))) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.evaluate(model, new CrossEntropyLoss(), loader, 2));
            assertTrue(e.getMessage().contains("CutMix") && e.getMessage().contains("withBatchAugmentation"),
                    e.getMessage());
        }
    }

    @Test
    void aMixedValidationLoaderIsRefusedBeforeTheFirstEpoch() {
        DataLoader clean = new DataLoader(images(), 8, true, 11);
        DataLoader mixed = clean.withBatchAugmentation(new MixUp(1, CLASSES));
        try (Scope scope = Scope.open(); Module model = new Sequential(new Flatten(), new Linear(16, CLASSES))) {
            float[] before = model.parameters().get(0).toFloatArray();
            Trainer trainer = new Trainer(model, new SGD(model.trainableParameters(), 0.1), new CrossEntropyLoss());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.fit(clean, mixed, 1));
            assertTrue(e.getMessage().startsWith("Trainer.fit: the validation loader mixes"), e.getMessage());
            assertArrayEquals(before, model.parameters().get(0).toFloatArray(), "no step was taken");
        }
    }
}
