package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.MixUp;
import dev.kiln.data.RandomCrop;
import dev.kiln.data.RandomHorizontalFlip;
import dev.kiln.data.WeightedRandomSampler;
import dev.kiln.distributed.DistributedSampler;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Precision;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.GradScaler;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.OneCycleLR;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trainer#checkpointEverySteps} and {@link Trainer#resume} over a {@link DataLoader}: a run killed part-way
 * through an epoch and resumed by a fresh model, optimizer and trainer from its last checkpoint goes on as the
 * uninterrupted run did, every later step's loss, the epochs' figures and the final weights equal to the last bit;
 * a loader that would give other batches is refused.
 */
class TrainerDataLoaderMidEpochResumeTest {
    private static final int SIDE = 6;
    private static final int CLASSES = 3;
    private static final int EPOCHS = 3;
    /** 100 examples in batches of 8: 13 batches an epoch, the last of 4. */
    private static final ArrayDataset IMAGES = images(100, 1);
    private static final ArrayDataset VALIDATION = images(24, 2);

    @TempDir
    Path dir;

    /** Images whose class is the brightest third of the image, with noise. */
    private static ArrayDataset images(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * SIDE * SIDE];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int label = random.nextInt(CLASSES);
            y[i] = label;
            for (int p = 0; p < SIDE * SIDE; p++) {
                x[i * SIDE * SIDE + p] = (float) (random.nextGaussian() + (p / 12 == label ? 0.8 : 0));
            }
        }
        return new ArrayDataset(x, y, new int[] {1, SIDE, SIDE}, CLASSES);
    }

    /** Shuffled, each example randomly cropped and flipped. */
    private static DataLoader shuffledAndAugmented() {
        return new DataLoader(IMAGES, 8, true, 5, new RandomCrop(1).andThen(new RandomHorizontalFlip(0.5)));
    }

    /** Drawn by a WeightedRandomSampler balancing the classes, cropped, and mixed by MixUp. */
    private static DataLoader sampledAndMixed() {
        return new DataLoader(IMAGES, 8, false, 5, new RandomCrop(1))
                .withSampler(WeightedRandomSampler.balancingClasses(IMAGES))
                .withBatchAugmentation(new MixUp(0.4, CLASSES));
    }

    /**
     * How a run trains: on {@code train}'s batches, gradients summed over {@code accumulate} batches, a per-step
     * OneCycleLR or not, validated or not, early stopping that keeps epoch 1 as the best (a minimum improvement no
     * epoch makes) or none, a checkpoint every {@code checkpointEverySteps} optimizer steps.
     */
    private record Setup(Supplier<DataLoader> train, int accumulate, boolean perStepSchedule, boolean validated,
                         boolean bestIsEpochOne, int checkpointEverySteps, boolean f16Scaled) {
        Setup(Supplier<DataLoader> train, int accumulate, boolean perStepSchedule, boolean validated,
              boolean bestIsEpochOne, int checkpointEverySteps) {
            this(train, accumulate, perStepSchedule, validated, bestIsEpochOne, checkpointEverySteps, false);
        }
    }

    /** Every step's loss as "epoch:batch=loss", exactly. */
    private static final class Losses implements TrainingListener {
        final List<String> seen = new ArrayList<>();
        final List<Integer> epochsEnded = new ArrayList<>();

        /** A listener that records each epoch whose end the listeners are told. */
        TrainingListener epochEnds() {
            return new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    epochsEnded.add(m.epoch());
                }
            };
        }

        @Override
        public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
            seen.add(epoch + ":" + batch + "=" + loss);
        }
    }

    /** Thrown by a listener to stop a run as a crash would. */
    private static final class Crash extends RuntimeException {
        Crash() {
            super("crash");
        }
    }

    /** What a run gave: its steps' losses, its epochs, its final weights, and the checkpoint it resumed from. */
    private record Run(List<String> losses, List<EpochMetrics> history, Map<String, float[]> weights,
                       Map<String, String> resumedFrom, List<Integer> epochsEnded) {
    }

    private static Sequential mlp() {
        return new Sequential(new Flatten(), new Linear(SIDE * SIDE, 12), new ReLU(), new Dropout(0.25),
                new Linear(12, CLASSES));
    }

    /**
     * Trains {@link #mlp()} (Adam) to epoch {@value #EPOCHS}, checkpointing into {@code checkpoints}: killed by a
     * {@link Crash} after batch {@code crashAfter} of epoch 2 when it is not 0, or, with {@code resume}, a fresh model
     * and trainer (another initialisation) that resume from the checkpoint there.
     */
    private static Run run(Setup setup, Path checkpoints, int crashAfter, boolean resume) throws IOException {
        return run(setup, checkpoints, 2, crashAfter, resume);
    }

    /** {@link #run(Setup, Path, int, boolean)}, killed after batch {@code crashAfter} of epoch {@code crashEpoch}. */
    private static Run run(Setup setup, Path checkpoints, int crashEpoch, int crashAfter, boolean resume)
            throws IOException {
        Engine.seed(resume ? 99 : 7);
        Losses losses = new Losses();
        try (Sequential model = mlp();
             Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader train = setup.train().get();
             DataLoader validation = new DataLoader(VALIDATION, 8, false, 0)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).accumulateGradients(setup.accumulate())
                    .checkpoints(checkpoints, Map.of()).checkpointEverySteps(setup.checkpointEverySteps())
                    .listener(losses);
            if (setup.perStepSchedule()) {
                trainer.schedulePerStep(new OneCycleLR(adam, 0.05, EPOCHS * trainer.stepsPerEpoch(train)));
            }
            if (setup.bestIsEpochOne()) {
                trainer.earlyStopping(10).earlyStoppingMinDelta(1e9);
            }
            trainer.listener(losses.epochEnds());
            if (setup.f16Scaled()) {
                // A scale that overflows at first and backs off, then grows: some steps skipped, on both sides.
                trainer.precision(Precision.F16).gradScaler(new GradScaler(0x1p20, 2, 0.5, 2, true));
            }
            if (crashAfter > 0) {
                trainer.listener(new TrainingListener() {
                    @Override
                    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                        if (epoch == crashEpoch && batch == crashAfter) {
                            throw new Crash();
                        }
                    }
                });
            }
            Map<String, String> from = resume ? trainer.resume(checkpoints.resolve(Trainer.CHECKPOINT)) : Map.of();
            List<EpochMetrics> history;
            try {
                history = trainer.fit(train, setup.validated() ? validation : null, EPOCHS);
            } catch (Crash c) {
                history = List.of();
            }
            Map<String, float[]> weights = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> weights.put(k, v.toFloatArray()));
            return new Run(losses.seen, history, weights, from, losses.epochsEnded);
        }
    }

    /**
     * Runs {@code setup} uninterrupted, then killed after batch {@code crashAfter} of epoch 2 and resumed; checks that
     * the resumed run's steps, epochs 2 and 3 and final weights are the uninterrupted run's, and returns the
     * checkpoint's metadata it resumed from.
     */
    private Map<String, String> assertResumedRunEqualsUninterrupted(Setup setup, int crashAfter) throws IOException {
        return assertResumedRunEqualsUninterrupted(setup, 2, crashAfter);
    }

    /**
     * {@link #assertResumedRunEqualsUninterrupted(Setup, int)}, killed in epoch {@code crashEpoch}: the epochs from it
     * on, each ended once, are the uninterrupted run's.
     */
    private Map<String, String> assertResumedRunEqualsUninterrupted(Setup setup, int crashEpoch, int crashAfter)
            throws IOException {
        Run reference = run(setup, dir.resolve("uninterrupted"), 0, false);
        Path checkpoints = dir.resolve("interrupted");
        run(setup, checkpoints, crashEpoch, crashAfter, false);
        Run resumed = run(setup, checkpoints, 0, true);
        Map<String, String> from = resumed.resumedFrom();
        String firstResumed = crashEpoch + ":" + (Integer.parseInt(from.get("epoch_batch")) + 1) + "=";
        int start = 0;
        while (!reference.losses().get(start).startsWith(firstResumed)) {
            start++;
        }
        assertEquals(reference.losses().subList(start, reference.losses().size()), resumed.losses(),
                "every step's loss after the checkpoint");
        assertEquals(reference.history().subList(crashEpoch - 1, EPOCHS).stream().map(m -> figures(m)).toList(),
                resumed.history().stream().map(m -> figures(m)).toList(), "the epochs from the one resumed on");
        assertEquals(reference.epochsEnded().subList(crashEpoch - 1, EPOCHS), resumed.epochsEnded(),
                "each epoch's end told the listeners once");
        int examples;
        try (DataLoader train = setup.train().get()) {
            examples = train.examplesPerEpoch();
        }
        EpochMetrics first = resumed.history().get(0);
        assertEquals(examples - Long.parseLong(from.get("epoch_samples")), first.samplesPerSecond() * first.seconds(),
                1e-6, "the resumed epoch's samples/s counts the examples it trained, over the time it took");
        assertEquals(reference.weights().keySet(), resumed.weights().keySet());
        reference.weights().forEach((k, v) -> assertArrayEquals(v, resumed.weights().get(k), "weights " + k));
        return from;
    }

    /** An epoch's figures that a resumed run must reproduce (not its timings). */
    private static String figures(EpochMetrics m) {
        return m.epoch() + ": loss " + m.trainLoss() + ", accuracy " + m.trainAccuracy() + ", validation "
                + m.validationLoss() + " " + m.validationAccuracy() + ", lr " + m.learningRate();
    }

    @Test
    void aShuffledAugmentedRunWithDropoutAndValidationResumedPartWayThroughAnEpochTrainsAsTheUninterruptedOne()
            throws IOException {
        // 13 steps an epoch; checkpoints every 4 steps: after batches 3, 7 and 11 of epoch 2, the kill after batch 9.
        Map<String, String> from = assertResumedRunEqualsUninterrupted(
                new Setup(TrainerDataLoaderMidEpochResumeTest::shuffledAndAugmented, 1, false, true, false, 4), 9);
        assertEquals("1", from.get("epoch"), "the last completed epoch");
        assertEquals("7", from.get("epoch_batch"));
        assertEquals("20", from.get("optimizer_steps"));
    }

    @Test
    void aSampledMixedRunAccumulatingGradientsWithAPerStepScheduleResumesAtAGroupsEndAsTheUninterruptedOne()
            throws IOException {
        // Groups of 2 batches: 7 steps an epoch (the last group of one batch); checkpoints every 2 steps: after
        // batches 2, 6 and 10 of epoch 2 (steps 8, 10 and 12), the kill after batch 9.
        Map<String, String> from = assertResumedRunEqualsUninterrupted(
                new Setup(TrainerDataLoaderMidEpochResumeTest::sampledAndMixed, 2, true, true, false, 2), 9);
        assertEquals("6", from.get("epoch_batch"));
        assertEquals("10", from.get("optimizer_steps"));
    }

    @Test
    void aRunOfTwoWorkersKeepingItsPartialLastBatchAccumulatingUnevenGroupsResumesWithinItsFirstEpoch()
            throws IOException {
        // 13 batches (the last of 4) in groups of 3: 5 steps an epoch, the last group of one batch; checkpoints every
        // 2 steps: after batches 6 and 12 of epoch 1 (the one after 12 closes the epoch), the kill after batch 13.
        Map<String, String> from = assertResumedRunEqualsUninterrupted(new Setup(
                () -> new DataLoader(IMAGES, 8, true, 5).withWorkers(2), 3, true, true, false, 2), 1, 13);
        assertEquals("0", from.get("epoch"), "no epoch completed");
        assertEquals("12", from.get("epoch_batch"));
        assertEquals("4", from.get("optimizer_steps"));
    }

    @Test
    void anF16RunWithAGradScalerResumedPartWayThroughAnEpochTrainsAsTheUninterruptedOne() throws IOException {
        assertResumedRunEqualsUninterrupted(new Setup(TrainerDataLoaderMidEpochResumeTest::shuffledAndAugmented, 1,
                false, true, false, 4, true), 9);
    }

    @Test
    void aStepThatEndsAnEpochWritesTheEpochsCheckpointOnlyAndTheResumeTrainsTheNextEpochOnce() throws IOException {
        // 13 steps an epoch, a checkpoint every 13: each falls on an epoch's last batch.
        Setup setup = new Setup(TrainerDataLoaderMidEpochResumeTest::shuffledAndAugmented, 1, false, true, false, 13);
        Run reference = run(setup, dir.resolve("uninterrupted"), 0, false);
        Path checkpoints = dir.resolve("interrupted");
        run(setup, checkpoints, 9, false);
        Run resumed = run(setup, checkpoints, 0, true);
        assertEquals("1", resumed.resumedFrom().get("epoch"));
        assertFalse(resumed.resumedFrom().containsKey("epoch_batch"), "an epoch's end, not a position within one");
        assertEquals(reference.losses().subList(13, reference.losses().size()), resumed.losses());
        assertEquals(reference.history().subList(1, EPOCHS).stream().map(m -> figures(m)).toList(),
                resumed.history().stream().map(m -> figures(m)).toList());
        assertEquals(List.of(2, 3), resumed.epochsEnded());
    }

    @Test
    void earlyStoppingResumedPartWayThroughAnEpochRestoresTheBestEpochsWeightsNotTheCheckpoints() throws IOException {
        // The best epoch is epoch 1, whose weights the checkpoint within epoch 2 does not hold.
        Map<String, String> from = assertResumedRunEqualsUninterrupted(
                new Setup(TrainerDataLoaderMidEpochResumeTest::shuffledAndAugmented, 1, false, true, true, 4), 9);
        assertEquals("7", from.get("epoch_batch"));
    }

    @Test
    void aCheckpointWithinAnEpochRecordsTheLoadersSettings() throws IOException {
        Setup setup = new Setup(TrainerDataLoaderMidEpochResumeTest::sampledAndMixed, 2, false, false, false, 2);
        run(setup, dir, 9, false);
        Map<String, String> m = Trainer.metadata(dir.resolve(Trainer.CHECKPOINT));
        assertEquals("DataLoader", m.get("loader.class"));
        assertEquals("8", m.get("loader.batch_size"));
        assertEquals("5", m.get("loader.seed"));
        assertEquals("false", m.get("loader.shuffle"));
        assertEquals("false", m.get("loader.drop_last"));
        assertEquals("WeightedRandomSampler", m.get("loader.sampler"));
        assertEquals("100", m.get("loader.dataset_size"));
        assertEquals("100", m.get("loader.examples_per_epoch"));
    }

    /** Resumes the checkpoint of a shuffled run killed within epoch 2 on {@code other}; returns the refusal. */
    private IllegalArgumentException refusal(DataLoader other) throws IOException {
        run(new Setup(TrainerDataLoaderMidEpochResumeTest::shuffledAndAugmented, 1, false, false, false, 4), dir, 9,
                false);
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01); other) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.resume(dir.resolve(Trainer.CHECKPOINT));
            return assertThrows(IllegalArgumentException.class, () -> trainer.fit(other, null, EPOCHS));
        }
    }

    @Test
    void resumingWithinAnEpochWithAnotherBatchSizeIsRefusedNamingBoth() throws IOException {
        String message = refusal(new DataLoader(IMAGES, 10, true, 5)).getMessage();
        assertTrue(message.contains("after batch 7 of epoch 2 of a DataLoader with batch size 8, seed 5"), message);
        assertTrue(message.contains("this loader is a DataLoader with batch size 10, seed 5"), message);
    }

    @Test
    void aFitRefusedForAnotherLoaderLeavesThePositionForTheNextFitOnTheRunsLoader() throws IOException {
        Setup setup = new Setup(TrainerDataLoaderMidEpochResumeTest::shuffledAndAugmented, 1, false, false, false, 4);
        run(setup, dir, 9, false);
        Losses losses = new Losses();
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader other = new DataLoader(IMAGES, 10, true, 5); DataLoader train = setup.train().get()) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).listener(losses);
            trainer.resume(dir.resolve(Trainer.CHECKPOINT));
            assertThrows(IllegalArgumentException.class, () -> trainer.fit(other, null, EPOCHS));
            trainer.fit(train, null, EPOCHS);
        }
        assertTrue(losses.seen.get(0).startsWith("2:8="), "the first step after the checkpoint (batch 7 of epoch 2): "
                + losses.seen.get(0));
    }

    @Test
    void resumingWithinAnEpochWithAnotherSamplerIsRefusedNamingBoth() throws IOException {
        String message = refusal(new DataLoader(IMAGES, 8, false, 5)
                .withSampler(WeightedRandomSampler.balancingClasses(IMAGES))).getMessage();
        assertTrue(message.contains("sampler none"), message);
        assertTrue(message.contains("sampler WeightedRandomSampler"), message);
    }

    @Test
    void resumingWithinAnEpochOnAnotherDataSetIsRefusedNamingBothSizes() throws IOException {
        String message = refusal(new DataLoader(images(96, 1), 8, true, 5)).getMessage();
        assertTrue(message.contains("dataset size 100") && message.contains("dataset size 96"), message);
    }

    /** Rank 0 of 2 of a DistributedSampler shuffling with seed {@code samplerSeed}. */
    private static DataLoader firstOfTwoRanks(long samplerSeed) {
        return new DataLoader(IMAGES, 8, false, 5)
                .withSampler(new DistributedSampler(IMAGES.size(), 2, 0, true, samplerSeed, false));
    }

    @Test
    void resumingWithinAnEpochWithADistributedSamplerOfAnotherSeedIsRefusedNamingBoth() throws IOException {
        // Both samplers give each rank 50 examples, in another order.
        run(new Setup(() -> firstOfTwoRanks(0), 1, false, false, false, 2), dir, 5, false);
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader other = firstOfTwoRanks(1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.resume(dir.resolve(Trainer.CHECKPOINT));
            String message = assertThrows(IllegalArgumentException.class, () -> trainer.fit(other, null, EPOCHS))
                    .getMessage();
            assertTrue(message.contains("sampler seed 0") && message.contains("sampler seed 1"), message);
        }
    }

    @Test
    void anotherRankResumesTheCheckpointOfRankZeroWithinAnEpoch() throws IOException {
        run(new Setup(() -> firstOfTwoRanks(0), 1, false, false, false, 2), dir, 5, false);
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader rank1 = new DataLoader(IMAGES, 8, false, 5)
                     .withSampler(new DistributedSampler(IMAGES.size(), 2, 1, true, 0, false))) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.resume(dir.resolve(Trainer.CHECKPOINT));
            assertEquals(EPOCHS - 1, trainer.fit(rank1, null, EPOCHS).size());
        }
    }

    @Test
    void checkpointEveryStepsOverADataLoaderWithoutACheckpointDirectoryIsRefusedSayingWhatToAdd() {
        try (Sequential model = mlp(); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader train = shuffledAndAugmented()) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).checkpointEverySteps(3);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> trainer.fit(train, null, 1));
            assertTrue(e.getMessage().contains("checkpointEverySteps(3)"), e.getMessage());
            assertTrue(e.getMessage().contains("checkpoints(dir"), e.getMessage());
        }
    }
}
