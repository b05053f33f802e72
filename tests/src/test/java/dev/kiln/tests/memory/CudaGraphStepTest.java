package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.MixUp;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.SpectralNorm;
import dev.kiln.nn.WeightNorm;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingListener;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Trainer#cudaGraphs}: on a backend that records step graphs (CUDA), training with the recorded graph gives
 * the weights of eager training, launches one graph and a couple of kernels per step, keeps batch norm's batch
 * count, recomputes weight-normalised and spectral-normalised weights (and spectral norm's power iteration) at every
 * replay, and refuses a step that draws random numbers. Skips, saying why, where the backend records none.
 */
class CudaGraphStepTest {
    private static final int FEATURES = 64;
    private static final int BATCH = 64;
    private static final int STEPS = 8;

    private static DataLoader data() {
        return data(STEPS * BATCH);
    }

    private static DataLoader data(int examples) {
        Random random = new Random(21);
        float[] x = new float[examples * FEATURES];
        long[] y = new long[examples];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(10);
        }
        return new DataLoader(new ArrayDataset(x, y, new int[] {FEATURES}, 10), BATCH, true, 2);
    }

    private static Backend recordingBackend() {
        Backend backend = Engine.get().backend();
        assumeTrue(backend.canCaptureSteps(), "backend " + backend.name() + " records no step graphs (CUDA does)");
        return backend;
    }

    /** Trains 3 epochs from seed 5; returns the weights and, in the map, the counters' change over epoch 3. */
    private static List<float[]> train(boolean graphs, Map<String, Long>[] lastEpoch) {
        Backend backend = Engine.get().backend();
        Engine.seed(5);
        List<Map<String, Long>> atEpochEnd = new ArrayList<>();
        try (Sequential model = new Sequential(new Linear(FEATURES, 128), new ReLU(), new Linear(128, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3); DataLoader loader = data()) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).cudaGraphs(graphs);
            trainer.listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    atEpochEnd.add(backend.counters());
                }
            });
            List<EpochMetrics> history = trainer.fit(loader, null, 3);
            EpochMetrics third = history.get(2);
            assertEquals(STEPS * BATCH, Math.round(third.samplesPerSecond() * third.seconds()), "samples in epoch 3");
            Map<String, Long> before = atEpochEnd.get(1);
            lastEpoch[0] = new LinkedHashMap<>();
            atEpochEnd.get(2).forEach((k, v) -> lastEpoch[0].put(k, v - before.getOrDefault(k, 0L)));
            List<float[]> weights = new ArrayList<>();
            model.stateDict().values().forEach(t -> weights.add(t.toFloatArray()));
            return weights;
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void replayedStepsTrainTheWeightsOfEagerStepsWithAGraphLaunchPerStep() {
        Backend backend = recordingBackend();
        Map<String, Long>[] eagerCounts = new Map[1];
        Map<String, Long>[] graphCounts = new Map[1];
        List<float[]> eager = train(false, eagerCounts);
        List<float[]> graphed = train(true, graphCounts);
        for (int i = 0; i < eager.size(); i++) {
            assertArrayEquals(eager.get(i), graphed.get(i), 1e-6f, "state tensor " + i + " after 3 epochs");
        }
        System.out.printf("per step on %s: eager %.1f kernel launches; with a graph %.1f launches of it and %.1f"
                        + " kernel launches besides, %d cudaMalloc calls in the epoch%n", backend.deviceName(),
                eagerCounts[0].get("kernel_launches") / (double) STEPS,
                graphCounts[0].get("graph_launches") / (double) STEPS,
                graphCounts[0].get("kernel_launches") / (double) STEPS, graphCounts[0].get("device_mallocs"));
        assertEquals(STEPS, graphCounts[0].get("graph_launches"), "one replay per step of the third epoch");
        assertTrue(graphCounts[0].get("kernel_launches") <= 3L * STEPS,
                "besides the graph: Adam's update and the accuracy count per step, got "
                        + graphCounts[0].get("kernel_launches") + " launches in " + STEPS + " steps");
        assertEquals(0L, graphCounts[0].get("device_mallocs"), "cudaMalloc calls in the third epoch");
    }

    @Test
    void batchNormCountsEveryReplayedBatch() {
        recordingBackend();
        Engine.seed(7);
        BatchNorm1d norm = new BatchNorm1d(32);
        try (Sequential model = new Sequential(new Linear(FEATURES, 32), norm, new ReLU(), new Linear(32, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3); DataLoader loader = data()) {
            new Trainer(model, adam, new CrossEntropyLoss()).cudaGraphs(true).fit(loader, null, 2);
            assertEquals(2L * STEPS, norm.numBatchesTracked(), "2 eager steps, then the recorded one and its replays");
        }
    }

    /** Trains 2 epochs from seed 9 with a weight-normalised and a spectral-normalised layer; returns the state dict. */
    private static List<float[]> trainNormalised(boolean graphs) {
        Engine.seed(9);
        try (Sequential model = new Sequential(WeightNorm.apply(new Linear(FEATURES, 32)), new ReLU(),
                SpectralNorm.apply(new Linear(32, 10)));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3); DataLoader loader = data()) {
            new Trainer(model, adam, new CrossEntropyLoss()).cudaGraphs(graphs).fit(loader, null, 2);
            List<float[]> state = new ArrayList<>();
            model.stateDict().values().forEach(t -> state.add(t.toFloatArray()));
            return state;
        }
    }

    @Test
    void weightAndSpectralNormAreRecomputedAtEveryReplay() {
        recordingBackend();
        List<float[]> eager = trainNormalised(false);
        List<float[]> graphed = trainNormalised(true);
        for (int i = 0; i < eager.size(); i++) {
            assertArrayEquals(eager.get(i), graphed.get(i), 1e-6f, "state tensor " + i + " (g, v, original, u, v)"
                    + " after 2 epochs");
        }
    }

    @Test
    void aStepThatDrawsRandomNumbersIsRefused() {
        recordingBackend();
        Engine.seed(6);
        try (Sequential model = new Sequential(new Linear(FEATURES, 32), new Dropout(0.5), new Linear(32, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3); DataLoader loader = data()) {
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> new Trainer(model, adam, new CrossEntropyLoss()).cudaGraphs(true).fit(loader, null, 1));
            assertTrue(e.getMessage().contains("random numbers"), e.getMessage());
        }
    }

    @Test
    void listenersHearOfTheFullBatchesOnlyWhenTheLastIsPartial() {
        recordingBackend();
        Engine.seed(8);
        List<String> heard = new ArrayList<>();
        try (Sequential model = new Sequential(new Linear(FEATURES, 32), new ReLU(), new Linear(32, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3); DataLoader loader = data(STEPS * BATCH + 10)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).cudaGraphs(true);
            trainer.listener(new TrainingListener() {
                @Override
                public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                    heard.add(epoch + ":" + batch + "/" + batchesPerEpoch);
                }
            });
            List<EpochMetrics> history = trainer.fit(loader, null, 2);
            EpochMetrics second = history.get(1);
            assertEquals(STEPS * BATCH, Math.round(second.samplesPerSecond() * second.seconds()),
                    "samples in epoch 2: the partial batch of 10 is skipped");
        }
        List<String> expected = new ArrayList<>();
        for (int epoch = 1; epoch <= 2; epoch++) {
            for (int batch = 1; batch <= STEPS; batch++) {
                expected.add(epoch + ":" + batch + "/" + STEPS);
            }
        }
        assertEquals(expected, heard, "epoch:batch/batchesPerEpoch as each epoch's progress bar is told them");
    }

    @Test
    void mixedBatchesTrainEagerlySoEveryBatchCountsAStep() {
        recordingBackend();
        try (Sequential model = new Sequential(new Linear(FEATURES, 32), new ReLU(), new Linear(32, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader plain = data(STEPS * BATCH + 10);
             DataLoader loader = plain.withBatchAugmentation(new MixUp(0.2, 10))) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).cudaGraphs(true);
            assertEquals(STEPS + 1, trainer.batchesPerEpoch(loader),
                    "a mixed loader trains eagerly over its partial last batch too, so per-step schedules count it");
        }
    }
}
