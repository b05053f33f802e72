package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Example;
import dev.kiln.data.ExampleStream;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.data.IterableDataset;
import dev.kiln.data.WorkerInfo;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.OneCycleLR;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trainer#checkpointEverySteps} and {@link Trainer#resume} over a stream: a run interrupted part-way through an
 * epoch and resumed from its last checkpoint goes on as the uninterrupted run (the reference) did, every later step's
 * loss, the epochs' figures and the final weights equal to the last bit; what cannot resume so is refused.
 */
class TrainerStreamResumeTest {
    private static final int FEATURES = 4;
    private static final int CLASSES = 3;

    @TempDir
    Path dir;
    private Path csv;

    /** 200 examples of 4 features in a CSV file; the class is the index of the largest of the first three. */
    @BeforeEach
    void writeData() throws IOException {
        SplittableRandom random = new SplittableRandom(17);
        StringBuilder text = new StringBuilder("label,a,b,c,d\n");
        for (int i = 0; i < 200; i++) {
            double[] x = {random.nextGaussian(), random.nextGaussian(), random.nextGaussian(), random.nextGaussian()};
            int label = x[0] > x[1] ? (x[0] > x[2] ? 0 : 2) : (x[1] > x[2] ? 1 : 2);
            text.append(label);
            for (double v : x) {
                text.append(',').append((float) v);
            }
            text.append('\n');
        }
        csv = Files.writeString(dir.resolve("train.csv"), text);
    }

    /**
     * A per-example transform of one's own: Gaussian noise (sigma 0.1) added to every feature, drawn from the worker's
     * epoch seed and id, so that it is as replayable as its source. It has no cheap skip: a resumed loader reads and
     * drops the examples it passes over.
     */
    private static final class Jittered implements IterableDataset {
        private final IterableDataset source;

        Jittered(IterableDataset source) {
            this.source = source;
        }

        @Override
        public int[] featureShape() {
            return source.featureShape();
        }

        @Override
        public int classes() {
            return source.classes();
        }

        @Override
        public boolean shardsByWorker() {
            return source.shardsByWorker();
        }

        @Override
        public boolean replayable() {
            return source.replayable();
        }

        @Override
        public ExampleStream open(WorkerInfo worker) {
            ExampleStream examples = source.open(worker);
            SplittableRandom random = new SplittableRandom(worker.seed() * 31 + worker.id());
            return new ExampleStream() {
                @Override
                public boolean hasNext() {
                    return examples.hasNext();
                }

                @Override
                public Example next() {
                    Example e = examples.next();
                    float[] features = e.features().clone();
                    for (int i = 0; i < features.length; i++) {
                        features[i] += (float) (0.1 * random.nextGaussian());
                    }
                    return new Example(features, e.label());
                }

                @Override
                public void close() {
                    examples.close();
                }
            };
        }
    }

    /** The CSV streamed through a shuffle buffer, sharded by worker and jittered: 2 workers, batches of 8. */
    private IterableDataLoader loader() throws IOException {
        IterableDataset stream = CsvDataset.streaming(csv, CsvOptions.defaults(), CLASSES).shuffled(16)
                .shardedByWorker();
        return new IterableDataLoader(new Jittered(stream), 8, 5).withWorkers(2);
    }

    /** Every step's loss as "epoch:batch=loss", exactly. */
    private static final class Losses implements TrainingListener {
        final List<String> seen = new ArrayList<>();

        @Override
        public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
            seen.add(epoch + ":" + batch + "=" + loss);
        }
    }

    /** Thrown by a listener to stop a run as a crash would, after the loss of a given batch. */
    private static final class Crash extends RuntimeException {
        Crash() {
            super("crash");
        }
    }

    /** How a run trains: gradients summed over {@code accumulate} batches, a per-step schedule or not. */
    private record Setup(int accumulate, boolean perStepSchedule, int checkpointEverySteps) {
    }

    /** What a run gave: its steps' losses, its epochs, its final weights, and the checkpoint it resumed from. */
    private record Run(List<String> losses, List<EpochMetrics> history, Map<String, float[]> weights,
                       Map<String, String> resumedFrom) {
    }

    /**
     * Trains an MLP with dropout (Adam) to epoch 3 over {@link #loader()}, checkpointing into {@code checkpoints}:
     * stopped by a {@link Crash} after batch {@code crashAfter} of epoch 2 when it is not 0, or, with {@code resume},
     * a fresh model and trainer that resume from the checkpoint there.
     */
    private Run run(Setup setup, Path checkpoints, int crashAfter, boolean resume) throws IOException {
        // Another initialisation for the resumed run: the checkpoint must restore everything.
        Engine.seed(resume ? 99 : 7);
        Losses losses = new Losses();
        try (Sequential model = mlp();
             Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             IterableDataLoader loader = loader()) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).accumulateGradients(setup.accumulate())
                    .checkpoints(checkpoints, Map.of()).listener(losses);
            if (setup.checkpointEverySteps() > 0) {
                trainer.checkpointEverySteps(setup.checkpointEverySteps());
            }
            if (setup.perStepSchedule()) {
                trainer.schedulePerStep(new OneCycleLR(adam, 0.05, 100));
            }
            if (crashAfter > 0) {
                trainer.listener(new TrainingListener() {
                    @Override
                    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                        if (epoch == 2 && batch == crashAfter) {
                            throw new Crash();
                        }
                    }
                });
            }
            Map<String, String> from = resume ? trainer.resume(checkpoints.resolve(Trainer.CHECKPOINT)) : Map.of();
            List<EpochMetrics> history;
            try {
                history = trainer.fit(loader, null, 3);
            } catch (Crash c) {
                history = List.of();
            }
            Map<String, float[]> weights = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> weights.put(k, v.toFloatArray()));
            return new Run(losses.seen, history, weights, from);
        }
    }

    /**
     * Runs {@code setup} uninterrupted, then interrupted after batch {@code crashAfter} of epoch 2 and resumed; checks
     * that the resumed run's steps, epochs 2 and 3 and weights are the uninterrupted run's, and returns the
     * checkpoint's metadata it resumed from.
     */
    private Map<String, String> assertResumedRunEqualsUninterrupted(Setup setup, int crashAfter) throws IOException {
        Run reference = run(setup, dir.resolve("uninterrupted"), 0, false);
        Path checkpoints = dir.resolve("interrupted");
        run(setup, checkpoints, crashAfter, false);
        Run resumed = run(setup, checkpoints, 0, true);
        Map<String, String> from = resumed.resumedFrom();
        int batch = Integer.parseInt(from.getOrDefault("epoch_batch", "0"));
        String firstResumed = "2:" + (batch + 1) + "=";
        int start = 0;
        while (!reference.losses().get(start).startsWith(firstResumed)) {
            start++;
        }
        List<String> expected = reference.losses().subList(start, reference.losses().size());
        assertEquals(expected, resumed.losses(), "every step's loss after the checkpoint");
        assertEquals(reference.history().subList(1, 3).stream().map(TrainerStreamResumeTest::figures).toList(),
                resumed.history().stream().map(TrainerStreamResumeTest::figures).toList(), "epochs 2 and 3");
        assertEquals(reference.weights().keySet(), resumed.weights().keySet());
        reference.weights().forEach((k, v) -> assertArrayEquals(v, resumed.weights().get(k), "weights " + k));
        return from;
    }

    /** An epoch's figures that a resumed run must reproduce (not its timings). */
    private static String figures(EpochMetrics m) {
        return m.epoch() + ": loss " + m.trainLoss() + ", accuracy " + m.trainAccuracy() + ", lr " + m.learningRate();
    }

    @Test
    void aStreamResumedPartWayThroughAnEpochTrainsAsTheUninterruptedRun() throws IOException {
        // 2 workers of 100 examples: 26 batches an epoch; checkpoints every 3 steps, the last before the crash after
        // batch 19 of epoch 2.
        Map<String, String> from = assertResumedRunEqualsUninterrupted(new Setup(1, false, 3), 20);
        assertEquals("1", from.get("epoch"), "the last completed epoch");
        assertEquals("19", from.get("epoch_batch"));
        assertEquals("45", from.get("optimizer_steps"));
    }

    @Test
    void aStreamResumedPartWayThroughAnEpochWithAccumulatedGradientsTrainsAsTheUninterruptedRun() throws IOException {
        // Groups of 2 batches: 13 steps an epoch; checkpoints every 3 steps, the last before the crash after batch 16.
        Map<String, String> from = assertResumedRunEqualsUninterrupted(new Setup(2, false, 3), 20);
        assertEquals("16", from.get("epoch_batch"));
        assertEquals("21", from.get("optimizer_steps"));
    }

    @Test
    void aPerStepScheduleResumedPartWayThroughAStreamsEpochGoesOnAsTheUninterruptedRun() throws IOException {
        assertResumedRunEqualsUninterrupted(new Setup(1, true, 3), 20);
        assertResumedRunEqualsUninterrupted(new Setup(2, true, 3), 20);
    }

    @Test
    void aPerStepScheduleResumedAtAStreamsEpochEndGoesOnAsTheUninterruptedRun() throws IOException {
        Map<String, String> from = assertResumedRunEqualsUninterrupted(new Setup(2, true, 0), 5);
        assertEquals("1", from.get("epoch"));
        assertEquals(null, from.get("epoch_batch"), "the checkpoint of epoch 1's end");
    }

    @Test
    void aResumedEpochsThroughputCountsOnlyTheExamplesTrainedAfterTheResume() throws IOException {
        Path checkpoints = dir.resolve("interrupted");
        run(new Setup(1, false, 3), checkpoints, 20, false);
        Run resumed = run(new Setup(1, false, 3), checkpoints, 0, true);
        long before = Long.parseLong(resumed.resumedFrom().get("epoch_samples"));
        EpochMetrics epoch2 = resumed.history().get(0);
        // The epoch's 200 examples, of which those before the checkpoint were trained by the crashed run, not timed here.
        assertEquals(200 - before, epoch2.samplesPerSecond() * epoch2.seconds(), 1e-6,
                "examples per second over this run's part of the epoch");
    }

    /** Writes a checkpoint within epoch 2 (after batch 19) into {@code checkpoints}. */
    private Path checkpointWithinAnEpoch(Path checkpoints) throws IOException {
        run(new Setup(1, false, 3), checkpoints, 20, false);
        return checkpoints.resolve(Trainer.CHECKPOINT);
    }

    @Test
    void resumingWithinAnEpochOfAStreamThatIsNotReplayableIsRefusedNamingIt() throws IOException {
        Path checkpoint = checkpointWithinAnEpoch(dir.resolve("c"));
        ArrayDataset data = new ArrayDataset(new float[FEATURES * 10], new long[10], new int[] {FEATURES}, CLASSES);
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             IterableDataLoader unreplayable = new IterableDataLoader(new ArrayStream(data), 8, 5).withWorkers(2)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.resume(checkpoint);
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> trainer.fit(unreplayable, null, 3));
            assertTrue(e.getMessage().contains("ArrayStream"), e.getMessage());
            assertTrue(e.getMessage().contains("resume at the start of the next epoch"), e.getMessage());
        }
    }

    @Test
    void resumingWithinAnEpochWithOtherLoaderSettingsIsRefusedNamingBoth() throws IOException {
        Path checkpoint = checkpointWithinAnEpoch(dir.resolve("c"));
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             IterableDataLoader threeWorkers = loader().withWorkers(3)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.resume(checkpoint);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.fit(threeWorkers, null, 3));
            assertTrue(e.getMessage().contains("after batch 19 of epoch 2"), e.getMessage());
            assertTrue(e.getMessage().contains("workers 2, batch size 8") && e.getMessage().contains("workers 3"),
                    e.getMessage());
        }
    }

    @Test
    void aCheckpointWithinAStreamsEpochIsNotResumedOnADataLoader() throws IOException {
        Path checkpoint = checkpointWithinAnEpoch(dir.resolve("c"));
        ArrayDataset data = new ArrayDataset(new float[FEATURES * 10], new long[10], new int[] {FEATURES}, CLASSES);
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader inMemory = new DataLoader(data, 8, false, 5)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.resume(checkpoint);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.fit(inMemory, null, 3));
            assertTrue(e.getMessage().contains("of a IterableDataLoader with workers 2"), e.getMessage());
            assertTrue(e.getMessage().contains("this loader is a DataLoader with batch size 8"), e.getMessage());
        }
    }

    @Test
    void checkpointEveryStepsWithoutACheckpointDirectoryIsRefusedSayingWhatToAdd() throws IOException {
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             IterableDataLoader stream = loader()) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).checkpointEverySteps(3);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.fit(stream, null, 1));
            assertTrue(e.getMessage().contains("checkpointEverySteps(3)"), e.getMessage());
            assertTrue(e.getMessage().contains("checkpoints(dir"), e.getMessage());
        }
    }

    @Test
    void aPerStepScheduleOverAStreamIsRefusedFromACheckpointThatDoesNotCountTheSteps() throws IOException {
        Path old = dir.resolve("old.safetensors");
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             IterableDataLoader stream = loader()) {
            // What a Kiln that did not record optimizer_steps wrote after epoch 1.
            Trainer.writeTrainingState(old, model, adam, Map.of("epoch", "1"));
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss())
                    .schedulePerStep(new OneCycleLR(adam, 0.05, 100));
            trainer.resume(old);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.fit(stream, null, 2));
            assertTrue(e.getMessage().contains("per-step schedule OneCycleLR"), e.getMessage());
            assertTrue(e.getMessage().contains("optimizer_steps"), e.getMessage());
        }
    }

    private static Sequential mlp() {
        return new Sequential(new Linear(FEATURES, 16), new ReLU(), new Dropout(0.2), new Linear(16, CLASSES));
    }
}
