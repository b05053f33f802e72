package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Subset;
import dev.kiln.data.WeightedRandomSampler;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Reduction;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.AveragedModel;
import dev.kiln.optim.LBFGS;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.optim.schedule.CosineAnnealingWarmRestarts;
import dev.kiln.optim.schedule.LearningRateSchedule;
import dev.kiln.optim.schedule.LinearLR;
import dev.kiln.optim.schedule.LinearWarmup;
import dev.kiln.optim.schedule.OneCycleLR;
import dev.kiln.optim.schedule.ReduceLROnPlateau;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Trainer} on a small synthetic problem: 8 features drawn from a fixed {@link Random}, 3 classes given
 * by the arg-max of a fixed linear map, so a small MLP learns it within a few epochs in well under a second.
 */
class TrainerTest {
    private static final int FEATURES = 8;
    private static final int CLASSES = 3;
    /** The rule: class = argmax_c RULE[c] . x. */
    private static final float[][] RULE = {
            {1, 1, 0, 0, -1, 0, 0.5f, 0},
            {0, -1, 1, 1, 0, 0, 0, -0.5f},
            {-1, 0, 0, -1, 1, 1, 0, 0}};

    /** {@code n} examples with features from a Gaussian of the given seed and labels from {@link #RULE}. */
    private static ArrayDataset rule(int n, long seed) {
        return rule(n, seed, 0);
    }

    /** Same as {@link #rule(int, long)}, but each label is replaced by a wrong one with probability {@code flip}. */
    private static ArrayDataset rule(int n, long seed, double flip) {
        Random random = new Random(seed);
        float[] x = new float[n * FEATURES];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            for (int f = 0; f < FEATURES; f++) {
                x[i * FEATURES + f] = (float) random.nextGaussian();
            }
            int best = 0;
            double bestScore = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < CLASSES; c++) {
                double s = 0;
                for (int f = 0; f < FEATURES; f++) {
                    s += RULE[c][f] * x[i * FEATURES + f];
                }
                if (s > bestScore) {
                    bestScore = s;
                    best = c;
                }
            }
            if (random.nextDouble() < flip) {
                best = (best + 1 + random.nextInt(CLASSES - 1)) % CLASSES;
            }
            y[i] = best;
        }
        return new ArrayDataset(x, y, new int[] {FEATURES}, CLASSES);
    }

    private static Sequential mlp(int hidden) {
        return new Sequential(new Linear(FEATURES, hidden), new ReLU(), new Dropout(0.25), new Linear(hidden, CLASSES));
    }

    private static Trainer trainer(Module model, Optimizer optimizer) {
        return new Trainer(model, optimizer, new CrossEntropyLoss());
    }

    /** A host copy of every state-dict tensor, by name. */
    private static Map<String, float[]> weights(Module model) {
        Map<String, float[]> out = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }

    private static void assertSameWeights(Map<String, float[]> expected, Map<String, float[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), "tensor " + k));
    }

    private static List<Path> list(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.toList();
        }
    }

    @Test
    void resumingFromEpochTwoGivesBitForBitTheWeightsOfAnUninterruptedRun(@TempDir Path dirA, @TempDir Path dirB)
            throws IOException {
        ArrayDataset train = rule(256, 11);
        ArrayDataset validation = rule(128, 12);
        Path epochTwo = dirB.resolve("epoch2.safetensors");

        // The uninterrupted run: 4 epochs; the checkpoint written after epoch 2 is kept aside.
        Engine.seed(42);
        Map<String, float[]> uninterrupted;
        Map<String, float[]> atEpochTwo = new LinkedHashMap<>();
        try (Sequential model = mlp(32); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).checkpoints(dirA, Map.of()).listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    if (m.epoch() == 2) {
                        try {
                            Files.copy(dirA.resolve(Trainer.CHECKPOINT), epochTwo, StandardCopyOption.REPLACE_EXISTING);
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                        atEpochTwo.putAll(weights(model));
                    }
                }
            });
            List<EpochMetrics> history = t.fit(new DataLoader(train, 32, true, 5), new DataLoader(validation, 64, false, 5), 4);
            assertEquals(4, history.size());
            uninterrupted = weights(model);
        }

        // The interrupted run: a model and optimizer built from another seed, then overwritten by resume.
        Engine.seed(1234);
        try (Sequential model = mlp(32); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).checkpoints(dirB.resolve("run"), Map.of());
            Map<String, String> meta = t.resume(epochTwo);
            assertEquals("2", meta.get("epoch"));
            assertSameWeights(atEpochTwo, weights(model));
            List<EpochMetrics> history = t.fit(new DataLoader(train, 32, true, 5), new DataLoader(validation, 64, false, 5), 4);
            assertEquals(List.of(3, 4), history.stream().map(EpochMetrics::epoch).toList(), "resume continues at epoch 3");
            assertSameWeights(uninterrupted, weights(model));
        }
        assertFalse(java.util.Arrays.equals(atEpochTwo.get("0.weight"), uninterrupted.get("0.weight")),
                "epochs 3 and 4 changed the weights");
    }

    /**
     * The learning rate of each epoch that a run with {@code schedule} trains up to {@code lastEpoch}, and the rate
     * after it; the run resumes from {@code dir}'s checkpoint when {@code resume}, and writes its checkpoints there.
     */
    private static List<Double> learningRates(Function<Optimizer, LearningRateSchedule> schedule, Path dir, int lastEpoch,
                                              boolean resume) throws IOException {
        Engine.seed(4);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).schedule(schedule.apply(adam)).checkpoints(dir, Map.of());
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            List<Double> rates = new ArrayList<>();
            t.fit(new DataLoader(rule(128, 31), 32, true, 3), new DataLoader(rule(64, 32), 64, false, 3), lastEpoch)
                    .forEach(m -> rates.add(m.learningRate()));
            rates.add(adam.learningRate());
            return rates;
        }
    }

    /** Runs 6 epochs straight and 2 + 4 with a resume in between; returns both runs' rates from epoch 3 on. */
    private static List<List<Double>> straightAndResumed(Function<Optimizer, LearningRateSchedule> schedule, Path straight,
                                                         Path parts) throws IOException {
        List<Double> whole = learningRates(schedule, straight, 6, false);
        learningRates(schedule, parts, 2, false);
        return List.of(whole.subList(2, whole.size()), learningRates(schedule, parts, 6, true));
    }

    @Test
    void aResumedRunFollowsTheLearningRatesOfAnUninterruptedOneUnderReduceLROnPlateau(@TempDir Path straight,
                                                                                        @TempDir Path parts) throws IOException {
        // A relative threshold of 0.9 makes every epoch after the first a bad one: the rate halves after epoch 2, and
        // the cooldown of 2 epochs that follows spans the resume.
        List<List<Double>> rates = straightAndResumed(adam -> new ReduceLROnPlateau(adam, 0.5, 0, 0, 0.9, 2), straight, parts);
        assertEquals(List.of(0.005, 0.005, 0.005, 0.0025, 0.0025), rates.get(0), "the rates this test is about");
        assertEquals(rates.get(0), rates.get(1));
    }

    /**
     * Each optimizer step's number and the learning rate after it, for a run under a per-step OneCycleLR over 6
     * epochs of 4 steps (128 examples in batches of 32) up to {@code lastEpoch}, resumed from {@code dir} when asked.
     */
    private static List<String> perStepRates(Path dir, int lastEpoch, boolean resume) throws IOException {
        Engine.seed(4);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader loader = new DataLoader(rule(128, 31), 32, true, 3)) {
            Trainer t = trainer(model, adam).checkpoints(dir, Map.of());
            OneCycleLR cycle = new OneCycleLR(adam, 0.01, 6 * t.stepsPerEpoch(loader));
            List<String> rates = new ArrayList<>();
            t.schedulePerStep((step, loss) -> {
                cycle.step(step, loss);
                rates.add(step + ": " + adam.learningRate());
            });
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            t.fit(loader, null, lastEpoch);
            return rates;
        }
    }

    @Test
    void aPerStepScheduleStepsAfterEveryOptimizerStepCountedOverTheRun(@TempDir Path dir) throws IOException {
        List<String> rates = perStepRates(dir, 6, false);
        assertEquals(24, rates.size());
        assertEquals("23: " + 0.01 / 25 / 1e4, rates.get(22), "the 24th and last step trains at the cycle's lowest rate");
        for (int n = 1; n <= 24; n++) {
            assertTrue(rates.get(n - 1).startsWith(n + ": "), rates.toString());
        }
    }

    /** The weights after a per-step OneCycleLR run (Adam, its beta1 cycled) to {@code lastEpoch}, resumed when asked. */
    private static double[] weightsUnderOneCycle(Path dir, int lastEpoch, boolean resume) throws IOException {
        Engine.seed(4);
        try (Sequential model = mlp(16); Adam adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader loader = new DataLoader(rule(128, 31), 32, true, 3)) {
            Trainer t = trainer(model, adam).checkpoints(dir, Map.of());
            t.schedulePerStep(new OneCycleLR(adam, 0.01, 6 * t.stepsPerEpoch(loader)));
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            t.fit(loader, null, lastEpoch);
            return model.parameters().get(0).toDoubleArray();
        }
    }

    @Test
    void aResumedOneCycleRunContinuesWithTheCycledBeta1AndEndsWithTheUninterruptedWeights(@TempDir Path straight,
                                                                                          @TempDir Path parts)
            throws IOException {
        double[] whole = weightsUnderOneCycle(straight, 6, false);
        weightsUnderOneCycle(parts, 2, false);
        assertArrayEquals(whole, weightsUnderOneCycle(parts, 6, true), 0,
                "bit for bit: the checkpoint keeps beta1 as the schedule left it, not as the schedule sets it when made");
    }

    @Test
    void aResumedRunFollowsThePerStepRatesOfAnUninterruptedOne(@TempDir Path straight, @TempDir Path parts)
            throws IOException {
        List<String> whole = perStepRates(straight, 6, false);
        perStepRates(parts, 2, false);
        assertEquals(whole.subList(8, 24), perStepRates(parts, 6, true));
    }

    @Test
    void stepsPerEpochCountsGroupsOfAccumulatedBatchesTheLastOneShorter() {
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(100, 1), 20, false, 1)) {
            assertEquals(5, trainer(model, sgd).stepsPerEpoch(loader));
            assertEquals(3, trainer(model, sgd).accumulateGradients(2).stepsPerEpoch(loader));
            List<Integer> steps = new ArrayList<>();
            trainer(model, sgd).accumulateGradients(2).schedulePerStep((step, loss) -> steps.add(step))
                    .fit(loader, null, 2);
            assertEquals(List.of(1, 2, 3, 4, 5, 6), steps);
        }
    }

    @Test
    void withDropLastAnEpochStepsOnItsFullBatchesOnlyAndStepsPerEpochSaysSo() {
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(110, 1), 20, false, 1).withDropLast(true)) {
            Trainer t = trainer(model, sgd);
            assertEquals(5, t.stepsPerEpoch(loader), "110 examples: 5 full batches of 20, the last 10 dropped");
            List<Integer> steps = new ArrayList<>();
            List<String> batches = new ArrayList<>();
            t.schedulePerStep((step, loss) -> steps.add(step)).listener(new TrainingListener() {
                @Override
                public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                    batches.add(epoch + ":" + batch + "/" + batchesPerEpoch);
                }
            }).fit(loader, null, 2);
            assertEquals(List.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10), steps);
            assertEquals(List.of("1:1/5", "1:2/5", "1:3/5", "1:4/5", "1:5/5", "2:1/5", "2:2/5", "2:3/5", "2:4/5", "2:5/5"),
                    batches);
        }
    }

    @Test
    void withASamplerStepsPerEpochFollowsTheSamplersLength() {
        double[] weights = new double[100];
        Arrays.fill(weights, 1);
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(100, 1), 20, false, 1)
                     .withSampler(new WeightedRandomSampler(weights, 70))) {
            Trainer t = trainer(model, sgd);
            assertEquals(4, t.stepsPerEpoch(loader), "70 draws: 3 batches of 20 and one of 10");
            List<Integer> steps = new ArrayList<>();
            t.schedulePerStep((step, loss) -> steps.add(step)).fit(loader, null, 1);
            assertEquals(List.of(1, 2, 3, 4), steps);
        }
    }

    @Test
    void reduceLrOnPlateauIsRefusedAsAPerStepSchedule() {
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer(model, sgd).schedulePerStep(new ReduceLROnPlateau(sgd, 0.5, 2, 0)));
            assertTrue(e.getMessage().startsWith("Trainer.schedulePerStep: ReduceLROnPlateau watches an epoch's loss"),
                    e.getMessage());
        }
    }

    @Test
    void aScheduleThatKeepsStateIsRefusedAsAPerStepScheduleAlsoInsideAWarmUp() {
        // A step gives no loss (NaN, never an improvement: the plateau would cut the rate every few steps), and a
        // per-step schedule's state is not in the checkpoint.
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            LearningRateSchedule warmUp = new LinearWarmup(sgd, 2, new ReduceLROnPlateau(sgd, 0.5, 2, 0));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer(model, sgd).schedulePerStep(warmUp));
            assertTrue(e.getMessage().startsWith("Trainer.schedulePerStep: LinearWarmup keeps [best, num_bad_epochs,"
                    + " cooldown_counter] from the losses it watches"), e.getMessage());
        }
    }

    @Test
    void aResumedRunFollowsTheLearningRatesOfAnUninterruptedOneUnderCosineAnnealing(@TempDir Path straight,
                                                                                      @TempDir Path parts) throws IOException {
        List<List<Double>> rates = straightAndResumed(adam -> new CosineAnnealingLR(adam, 6, 0), straight, parts);
        assertEquals(rates.get(0), rates.get(1));
    }

    @Test
    void aResumedRunFollowsTheLearningRatesOfAnUninterruptedOneUnderWarmRestarts(@TempDir Path straight,
                                                                                   @TempDir Path parts) throws IOException {
        List<List<Double>> rates = straightAndResumed(adam -> new CosineAnnealingWarmRestarts(adam, 1, 2, 0.001), straight,
                parts);
        assertEquals(0.01, rates.get(0).get(1), 1e-15, "epoch 4 starts the third cycle, which the resume spans");
        assertEquals(rates.get(0), rates.get(1));
    }

    @Test
    void aResumedRunFollowsTheLearningRatesOfAnUninterruptedOneUnderLinearLR(@TempDir Path straight,
                                                                               @TempDir Path parts) throws IOException {
        // LinearLR sets the first epoch's rate when it is made; the resumed run's must not stay at it.
        List<List<Double>> rates = straightAndResumed(adam -> new LinearLR(adam, 0.1, 1, 4), straight, parts);
        assertEquals(rates.get(0), rates.get(1));
    }

    @Test
    void aResumedRunFollowsTheLearningRatesOfAnUninterruptedOneUnderOneCycleLR(@TempDir Path straight,
                                                                                 @TempDir Path parts) throws IOException {
        List<List<Double>> rates = straightAndResumed(adam -> new OneCycleLR(adam, 0.05, 6), straight, parts);
        assertEquals(rates.get(0), rates.get(1));
    }

    @Test
    void aCheckpointWithModelAndOptimizerStateIsWrittenAfterEveryEpochAndNoTempFileRemains(@TempDir Path dir)
            throws IOException {
        Engine.seed(3);
        List<String> epochsSeen = new ArrayList<>();
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).checkpoints(dir, Map.of("model", "synthetic")).listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    try {
                        epochsSeen.add(SafeTensors.readHeader(dir.resolve(Trainer.CHECKPOINT)).metadata().get("epoch"));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            });
            t.fit(new DataLoader(rule(128, 1), 32, true, 1), null, 3);
        }
        assertEquals(List.of("1", "2", "3"), epochsSeen, "the checkpoint on disk after each epoch is that epoch's");
        SafeTensors.Header header = SafeTensors.readHeader(dir.resolve(Trainer.CHECKPOINT));
        assertEquals("3", header.metadata().get("epoch"));
        assertEquals("synthetic", header.metadata().get("model"), "caller's metadata is kept");
        assertTrue(header.tensors().containsKey("model.0.weight"), "model tensors: " + header.tensors().keySet());
        assertTrue(header.tensors().containsKey("model.3.bias"), "model tensors: " + header.tensors().keySet());
        assertTrue(header.tensors().keySet().stream().anyMatch(k -> k.startsWith("optimizer.state.")),
                "optimizer moments: " + header.tensors().keySet());
        assertTrue(header.tensors().containsKey("optimizer.group.0.lr"), "optimizer groups: " + header.tensors().keySet());
        assertEquals(List.of(dir.resolve(Trainer.CHECKPOINT)), list(dir), "only the checkpoint, no temporary file");
    }

    @Test
    void cudaGraphsOnABackendThatRecordsNoneTrainEagerlyBitForBitAsWithout() {
        assumeFalse(Engine.get().backend().canCaptureSteps(),
                "the engine's backend records step graphs; CudaGraphStepTest covers graph replay there");
        ArrayDataset train = rule(250, 31);
        Map<String, float[]> expected;
        List<EpochMetrics> eager;
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 1e-2);
             DataLoader loader = new DataLoader(train, 32, true, 4)) {
            eager = trainer(model, adam).fit(loader, null, 2);
            expected = weights(model);
        }
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 1e-2);
             DataLoader loader = new DataLoader(train, 32, true, 4)) {
            List<EpochMetrics> requested = trainer(model, adam).cudaGraphs(true).fit(loader, null, 2);
            assertSameWeights(expected, weights(model));
            assertEquals(eager.get(1).trainLoss(), requested.get(1).trainLoss(), 0.0);
            assertEquals(eager.get(1).trainAccuracy(), requested.get(1).trainAccuracy(), 0.0,
                    "every batch trained, the partial last one (250 = 7 x 32 + 26) included");
        }
    }

    @Test
    void accumulatingFourBatchesOfSixteenStepsAsOneBatchOfSixtyFour() {
        ArrayDataset data = rule(64, 12);
        Map<String, float[]> oneBatch = weightsAfterSgd(data, 64, 1, new CrossEntropyLoss());
        Map<String, float[]> accumulated = weightsAfterSgd(data, 16, 4, new CrossEntropyLoss());
        assertCloseWeights(oneBatch, accumulated, 1e-6);
        assertCloseWeightsFail(oneBatch, weightsAfterSgd(data, 16, 1, new CrossEntropyLoss()));
    }

    @Test
    void anEpochsLastShorterGroupStepsTooWithItsLossesDividedAlike() {
        ArrayDataset data = rule(80, 12);
        Map<String, float[]> accumulated = weightsAfterSgd(data, 16, 4, new CrossEntropyLoss());
        Loss quarter = (output, target) -> new CrossEntropyLoss().compute(output, target).div(4);
        Engine.seed(3);
        try (Sequential model = new Sequential(new Linear(FEATURES, 8), new ReLU(), new Linear(8, CLASSES));
             Optimizer sgd = new SGD(model.trainableParameters(), 0.5);
             DataLoader first = new DataLoader(new Subset(data, IntStream.range(0, 64).toArray()), 64, false, 1);
             DataLoader rest = new DataLoader(new Subset(data, IntStream.range(64, 80).toArray()), 16, false, 1)) {
            trainer(model, sgd).fit(first, null, 1);
            new Trainer(model, sgd, quarter).fit(rest, null, 1);
            assertCloseWeights(weights(model), accumulated, 1e-6);
        }
    }

    @Test
    void accumulateGradientsRefusesFewerThanOneBatchAndCudaGraphs() {
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 1);
             DataLoader loader = new DataLoader(rule(8, 1), 4, false, 1)) {
            assertEquals("Trainer.accumulateGradients: batches must be at least 1, got 0",
                    assertThrows(IllegalArgumentException.class, () -> trainer(model, sgd).accumulateGradients(0))
                            .getMessage());
            Trainer graphed = trainer(model, sgd).accumulateGradients(2).cudaGraphs(true);
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> graphed.fit(loader, null, 1));
            assertTrue(e.getMessage().startsWith("Trainer: cudaGraphs replays a step that clears the gradients"),
                    e.getMessage());
        }
    }

    // ---- An optimizer that re-evaluates the loss (L-BFGS) ---------------------------------------------

    @Test
    void anOptimizerThatNeedsAClosureStepsOncePerBatch() {
        Engine.seed(7);
        try (Sequential model = new Sequential(new Linear(FEATURES, CLASSES));
             LBFGS lbfgs = new LBFGS(model.trainableParameters(), 1).maxIter(1);
             DataLoader loader = new DataLoader(rule(256, 21), 64, true, 1)) {
            trainer(model, lbfgs).fit(loader, null, 2);
            // One iteration per step, which does not evaluate the point it moves to: one evaluation per step.
            Map<String, Tensor> state = lbfgs.stateDict();
            assertEquals(8, state.get("state.0.n_iter").toLongArray()[0], "2 epochs of 4 batches");
            assertEquals(8, state.get("state.0.func_evals").toLongArray()[0]);
        }
    }

    @Test
    void fullBatchLbfgsLearnsTheRuleReportingTheLossAndAccuracyBeforeEachStep() {
        Engine.seed(7);
        try (Sequential model = new Sequential(new Linear(FEATURES, CLASSES));
             LBFGS lbfgs = new LBFGS(model.trainableParameters(), 1).lineSearch(LBFGS.STRONG_WOLFE);
             DataLoader loader = new DataLoader(rule(256, 21), 256, true, 1)) {
            Trainer t = trainer(model, lbfgs);
            Evaluation before = t.evaluate(loader);
            List<EpochMetrics> history = new ArrayList<>(t.fit(loader, null, 1));
            Evaluation afterOne = t.evaluate(loader);
            history.addAll(t.fit(loader, null, 3));
            assertEquals(before.loss(), history.get(0).trainLoss(), 1e-6, "epoch 1: the loss before its step");
            assertEquals(before.accuracy(), history.get(0).trainAccuracy(), 0);
            assertEquals(afterOne.loss(), history.get(1).trainLoss(), 1e-6, "epoch 2: the loss after epoch 1's step");
            assertTrue(history.get(1).trainLoss() < 0.5 * history.get(0).trainLoss(), "one step halves the loss: "
                    + history.get(0).trainLoss() + " -> " + history.get(1).trainLoss());
            assertTrue(t.evaluate(loader).accuracy() > 0.95, "accuracy after 3 steps " + t.evaluate(loader).accuracy());
        }
    }

    @Test
    void anOptimizerThatNeedsAClosureCannotAccumulateGradientsNorReplayCudaGraphs() {
        try (Sequential model = mlp(4); LBFGS lbfgs = new LBFGS(model.trainableParameters(), 1)) {
            assertEquals("Trainer.accumulateGradients: LBFGS re-evaluates the loss of one batch during its step, so it"
                    + " cannot sum the gradients of 2 batches",
                    assertThrows(IllegalArgumentException.class, () -> trainer(model, lbfgs).accumulateGradients(2))
                            .getMessage());
            assertEquals("Trainer.cudaGraphs: LBFGS re-evaluates the loss during its step, which a replayed forward and"
                    + " backward pass cannot do; leave cudaGraphs off",
                    assertThrows(IllegalArgumentException.class, () -> trainer(model, lbfgs).cudaGraphs(true))
                            .getMessage());
        }
    }

    @Test
    void aRunWithLbfgsResumedFromEpochTwoEndsWithTheWeightsOfAnUninterruptedOne(@TempDir Path straight,
                                                                               @TempDir Path parts) throws IOException {
        Map<String, float[]> uninterrupted = lbfgsRun(straight, 4, false);
        lbfgsRun(parts, 2, false);
        assertSameWeights(uninterrupted, lbfgsRun(parts, 4, true));
    }

    /** The weights after {@code lastEpoch} epochs of L-BFGS (2 batches each), resumed from {@code dir} if asked. */
    private static Map<String, float[]> lbfgsRun(Path dir, int lastEpoch, boolean resume) throws IOException {
        Engine.seed(8);
        try (Sequential model = new Sequential(new Linear(FEATURES, 6), new ReLU(), new Linear(6, CLASSES));
             LBFGS lbfgs = new LBFGS(model.trainableParameters(), 1).maxIter(5).historySize(4);
             DataLoader loader = new DataLoader(rule(128, 22), 64, true, 1)) {
            Trainer t = trainer(model, lbfgs).checkpoints(dir, Map.of());
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            t.fit(loader, null, lastEpoch);
            return weights(model);
        }
    }

    /** The weights after one epoch of SGD (lr 0.5) in order over {@code data}, from the same initial weights. */
    private static Map<String, float[]> weightsAfterSgd(ArrayDataset data, int batch, int accumulate, Loss loss) {
        Engine.seed(3);
        try (Sequential model = new Sequential(new Linear(FEATURES, 8), new ReLU(), new Linear(8, CLASSES));
             Optimizer sgd = new SGD(model.trainableParameters(), 0.5);
             DataLoader loader = new DataLoader(data, batch, false, 1)) {
            new Trainer(model, sgd, loss).accumulateGradients(accumulate).fit(loader, null, 1);
            return weights(model);
        }
    }

    private static void assertCloseWeights(Map<String, float[]> expected, Map<String, float[]> actual, double tolerance) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> {
            for (int i = 0; i < v.length; i++) {
                assertEquals(v[i], actual.get(k)[i], tolerance, "tensor " + k + " element " + i);
            }
        });
    }

    /** The check above can fail: other steps give weights further apart than its tolerance. */
    private static void assertCloseWeightsFail(Map<String, float[]> expected, Map<String, float[]> other) {
        assertThrows(AssertionError.class, () -> assertCloseWeights(expected, other, 1e-6));
    }

    @Test
    void averageWeightsUpdatesTheAverageAfterEveryOptimizerStep() {
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(100, 1), 20, true, 1)) {
            AveragedModel averaged = AveragedModel.ema(model, 0.9);
            trainer(model, sgd).averageWeights(averaged).accumulateGradients(2).fit(loader, null, 2);
            assertEquals(6, averaged.averaged(), "3 steps an epoch: groups of 2, 2 and 1 batches");
        }
    }

    /** The averaged weights after {@code lastEpoch} of 4 epochs, resumed from {@code dir}'s checkpoint if asked. */
    private static Map<String, float[]> averagedWeights(Path dir, int lastEpoch, boolean resume) throws IOException {
        Engine.seed(6);
        try (Sequential model = mlp(8); Optimizer adam = new Adam(model.trainableParameters(), 0.01);
             DataLoader loader = new DataLoader(rule(96, 5), 32, true, 2)) {
            AveragedModel averaged = AveragedModel.swa(model);
            Trainer t = trainer(model, adam).averageWeights(averaged).checkpoints(dir, Map.of());
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            t.fit(loader, null, lastEpoch);
            return weights(averaged);
        }
    }

    @Test
    void aResumedRunContinuesTheAverageBitForBit(@TempDir Path straight, @TempDir Path parts) throws IOException {
        Map<String, float[]> whole = averagedWeights(straight, 4, false);
        averagedWeights(parts, 2, false);
        assertSameWeights(whole, averagedWeights(parts, 4, true));
    }

    @Test
    void resumingWithAnAverageFromACheckpointWithoutOneIsRefusedLeavingTheModelAlone(@TempDir Path dir)
            throws IOException {
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(40, 1), 20, true, 1)) {
            trainer(model, sgd).checkpoints(dir, Map.of()).fit(loader, null, 1);
        }
        Engine.seed(8);
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Map<String, float[]> before = weights(model);
            Trainer t = trainer(model, sgd).averageWeights(AveragedModel.swa(model));
            Path checkpoint = dir.resolve(Trainer.CHECKPOINT);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.resume(checkpoint));
            assertEquals(checkpoint + " holds no averaged weights: it was written by a run without averageWeights,"
                    + " which this one has", e.getMessage());
            assertSameWeights(before, weights(model));
        }
    }

    @Test
    void resumingWithAnAverageFromACheckpointWithoutOneLeavesTheScheduleAlone(@TempDir Path dir) throws IOException {
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(40, 1), 20, true, 1)) {
            trainer(model, sgd).schedule(new ReduceLROnPlateau(sgd, 0.5, 2, 0)).checkpoints(dir, Map.of())
                    .fit(loader, null, 1);
        }
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            ReduceLROnPlateau plateau = new ReduceLROnPlateau(sgd, 0.5, 2, 0);
            Map<String, Double> before = plateau.stateDict();
            Trainer t = trainer(model, sgd).schedule(plateau).averageWeights(AveragedModel.swa(model));
            assertThrows(IllegalArgumentException.class, () -> t.resume(dir.resolve(Trainer.CHECKPOINT)));
            assertEquals(before, plateau.stateDict(), "the refused checkpoint's best loss was not loaded");
        }
    }

    @Test
    void resumingFromACheckpointOfAnotherModelLeavesTheScheduleAlone(@TempDir Path dir) throws IOException {
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(rule(40, 1), 20, true, 1)) {
            trainer(model, sgd).schedule(new ReduceLROnPlateau(sgd, 0.5, 2, 0)).checkpoints(dir, Map.of())
                    .fit(loader, null, 1);
        }
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            ReduceLROnPlateau plateau = new ReduceLROnPlateau(sgd, 0.5, 2, 0);
            Map<String, Double> before = plateau.stateDict();
            Trainer t = trainer(model, sgd).schedule(plateau);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.resume(dir.resolve(Trainer.CHECKPOINT)));
            assertTrue(e.getMessage().contains("shape"), e.getMessage());
            assertEquals(before, plateau.stateDict(), "the refused checkpoint's best loss was not loaded");
        }
    }

    @Test
    void clipGradNormLimitsTheJointL2NormOfEveryStepsGradients() {
        double[] unclipped = oneSgdStep(null, 2);
        double[] clipped = oneSgdStep(0.01, 2);
        assertTrue(norm(unclipped, 2) > 0.1, "the step without clipping moves the weights by " + norm(unclipped, 2));
        assertEquals(0.01, norm(clipped, 2), 1e-6, "SGD at lr 1 moves the weights by the clipped gradient");
        assertEquals(0, cosineDistance(unclipped, clipped), 1e-5, "clipping scales the gradients, it does not turn them");
    }

    @Test
    void clipGradNormWithTheMaxNormLimitsTheLargestGradient() {
        double[] unclipped = oneSgdStep(null, Double.POSITIVE_INFINITY);
        double[] clipped = oneSgdStep(0.01, Double.POSITIVE_INFINITY);
        assertTrue(norm(unclipped, Double.POSITIVE_INFINITY) > 0.05);
        assertEquals(0.01, norm(clipped, Double.POSITIVE_INFINITY), 1e-6);
    }

    @Test
    void clipGradNormRefusesAMaxNormThatIsNotAPositiveNumber() {
        try (Sequential model = mlp(4); Optimizer sgd = new SGD(model.trainableParameters(), 1)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer(model, sgd).clipGradNorm(0));
            assertEquals("Trainer.clipGradNorm: maxNorm must be finite and > 0, got 0.0", e.getMessage());
        }
    }

    /** The change of every weight in one SGD step at lr 1 on one batch, with the gradients clipped or not (null). */
    private static double[] oneSgdStep(Double maxNorm, double normType) {
        Engine.seed(5);
        try (Sequential model = new Sequential(new Linear(FEATURES, 16), new ReLU(), new Linear(16, CLASSES));
             Optimizer sgd = new SGD(model.trainableParameters(), 1);
             DataLoader loader = new DataLoader(rule(64, 8), 64, false, 1)) {
            double[] before = flatWeights(model);
            Trainer trainer = trainer(model, sgd);
            if (maxNorm != null) {
                trainer.clipGradNorm(maxNorm, normType);
            }
            trainer.fit(loader, null, 1);
            double[] change = flatWeights(model);
            for (int i = 0; i < change.length; i++) {
                change[i] -= before[i];
            }
            return change;
        }
    }

    private static double[] flatWeights(Module model) {
        List<float[]> tensors = new ArrayList<>(weights(model).values());
        double[] flat = new double[tensors.stream().mapToInt(w -> w.length).sum()];
        int i = 0;
        for (float[] w : tensors) {
            for (float x : w) {
                flat[i++] = x;
            }
        }
        return flat;
    }

    private static double norm(double[] v, double p) {
        double sum = 0;
        double max = 0;
        for (double x : v) {
            sum += x * x;
            max = Math.max(max, Math.abs(x));
        }
        return Double.isInfinite(p) ? max : Math.sqrt(sum);
    }

    private static double cosineDistance(double[] a, double[] b) {
        double dot = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
        }
        return 1 - dot / (norm(a, 2) * norm(b, 2));
    }

    @Test
    void earlyStoppingStopsAfterPatienceEpochsWithoutImprovementAndRestoresTheBestWeights() {
        // Validation labels are 30% wrong: validation loss falls while the model learns the rule, then rises
        // as the model grows confident on the training set and pays for it on the wrong labels (seeded, so
        // deterministic: with these seeds the best epoch is 3 of 5).
        ArrayDataset train = rule(256, 21);
        ArrayDataset validation = rule(256, 22, 0.3);
        int patience = 2;
        int maxEpochs = 40;
        Engine.seed(9);
        List<EpochMetrics> seen = new ArrayList<>();
        Map<String, float[]> best = new LinkedHashMap<>();
        double[] bestLoss = {Double.POSITIVE_INFINITY};
        int[] bestEpoch = {0};
        int[] endedAt = {0};
        String[] reason = {null};
        try (Sequential model = mlp(64); Optimizer adam = new Adam(model.trainableParameters(), 0.005)) {
            Trainer t = trainer(model, adam).earlyStopping(patience).listener(new TrainingListener() {
                @Override
                public void onEpochEnd(EpochMetrics m) {
                    seen.add(m);
                    if (m.validationLoss() < bestLoss[0]) {
                        bestLoss[0] = m.validationLoss();
                        bestEpoch[0] = m.epoch();
                        best.clear();
                        best.putAll(weights(model));
                    }
                }

                @Override
                public void onTrainingEnd(int lastEpoch, String why) {
                    endedAt[0] = lastEpoch;
                    reason[0] = why;
                }
            });
            List<EpochMetrics> history = t.fit(new DataLoader(train, 32, true, 2), new DataLoader(validation, 128, false, 2), maxEpochs);
            StringBuilder losses = new StringBuilder();
            history.forEach(m -> losses.append(String.format(" %d:%.4f", m.epoch(), m.validationLoss())));
            System.out.println("early stopping, validation losses:" + losses);
            assertTrue(bestEpoch[0] > 1, "the construction should improve for a while first; validation losses:" + losses);
            assertEquals(bestEpoch[0] + patience, history.size(),
                    "stops exactly " + patience + " epochs after the best one; validation losses:" + losses);
            assertTrue(history.size() < maxEpochs, "stopped early");
            assertEquals(history.size(), endedAt[0]);
            assertTrue(reason[0].contains("early stopping"), reason[0]);
            assertSameWeights(best, weights(model));
            assertEquals(bestEpoch[0], t.bestEpoch(), "the epoch whose weights were restored");
        }
    }

    /**
     * A loss whose gradient is 0, so the weights stay as they are, and whose validation passes give the next of
     * {@code validationLosses} in turn (one pass per epoch, with a validation loader of one batch): early stopping's
     * decisions on losses chosen exactly.
     */
    private static Loss scriptedValidation(Module model, double... validationLosses) {
        int[] next = {0};
        return (output, target) -> output.mul(0).mean().add(model.isTraining() ? 1 : validationLosses[next[0]++]);
    }

    /** Falls below the best so far, epoch 1's 4: 0.125, 0.25 (exactly the min delta of 0.25), 0.5; then to 3.25. */
    private static final double[] SLOW_FALL = {4, 3.875, 3.75, 3.5, 3.375, 3.25, 3.25, 3.25};

    private static Trainer slowFall(Module model, Optimizer optimizer) {
        return new Trainer(model, optimizer, scriptedValidation(model, SLOW_FALL)).earlyStopping(3);
    }

    private static List<EpochMetrics> fitSlowFall(Trainer t) {
        return t.fit(new DataLoader(rule(64, 1), 32, true, 1), new DataLoader(rule(64, 2), 64, false, 1), SLOW_FALL.length);
    }

    @Test
    void withMinDeltaAnEpochImprovesOnlyWhenItsLossIsMoreThanMinDeltaBelowTheBest() {
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Trainer t = slowFall(model, sgd).earlyStoppingMinDelta(0.25);
            assertEquals(7, fitSlowFall(t).size(), "epochs 2 and 3 fall by at most 0.25 below epoch 1; epoch 4, 0.5"
                    + " below it, improves (small falls add up, as in Keras); 5, 6 and 7 do not fall by more than 0.25"
                    + " below it: patience 3 stops after epoch 7");
            assertEquals(4, t.bestEpoch());
        }
    }

    @Test
    void withoutMinDeltaEveryFallIsAnImprovement() {
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Trainer t = slowFall(model, sgd);
            assertEquals(SLOW_FALL.length, fitSlowFall(t).size(), "epochs 2 to 6 fall, so patience 3 never runs out");
            assertEquals(6, t.bestEpoch());
        }
    }

    @Test
    void minDeltaMustBeAFiniteNumberOfAtLeastZero() {
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            for (double bad : new double[] {-0.1, Double.NaN, Double.POSITIVE_INFINITY}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> trainer(model, sgd).earlyStoppingMinDelta(bad));
                assertEquals("Trainer.earlyStoppingMinDelta: minDelta must be a finite number >= 0, got " + bad,
                        e.getMessage());
            }
        }
    }

    @Test
    void aResumedRunRestoresAndNamesTheBestEpochOfTheRunItContinues(@TempDir Path dir) throws Exception {
        DataLoader trainLoader = new DataLoader(rule(64, 1), 32, true, 1);
        DataLoader validationLoader = new DataLoader(rule(64, 2), 64, false, 1);
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            new Trainer(model, sgd, scriptedValidation(model, 4, 3.5, 3.75)).earlyStopping(3).checkpoints(dir, Map.of())
                    .fit(trainLoader, validationLoader, 3);
        }
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Trainer t = new Trainer(model, sgd, scriptedValidation(model, 3.75, 3.75)).earlyStopping(3)
                    .checkpoints(dir, Map.of());
            t.resume(dir.resolve(Trainer.CHECKPOINT));
            assertEquals(2, t.fit(trainLoader, validationLoader, 10).size(), "epochs 4 and 5 make 3 without improvement");
            assertTrue(t.restoredBestWeights());
            assertEquals(2, t.bestEpoch(), "the epoch of best.safetensors, trained before the resume");
        }
    }

    @Test
    void bestEpochIsZeroWhenTheLastEpochsWeightsAreKept() {
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Trainer t = new Trainer(model, sgd, scriptedValidation(model, SLOW_FALL));
            fitSlowFall(t);
            assertFalse(t.restoredBestWeights(), "no early stopping");
            assertEquals(0, t.bestEpoch());
        }
    }

    @Test
    void anEpochWhoseValidationLossIsNanIsNoImprovementEvenWhenTheTrainingLossFalls() {
        ArrayDataset train = rule(256, 21);
        float[] nan = new float[64 * FEATURES];
        java.util.Arrays.fill(nan, Float.NaN);
        ArrayDataset diverging = new ArrayDataset(nan, new long[64], new int[] {FEATURES}, CLASSES);
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).earlyStopping(1);
            List<EpochMetrics> history = t.fit(new DataLoader(train, 32, true, 2), new DataLoader(diverging, 64, false, 2), 5);
            assertEquals(1, history.size(), "no epoch improves on a NaN validation loss, so patience 1 stops after one");
            assertTrue(history.get(0).trainLoss() < 2, "the training loss, finite, is not what early stopping watches");
            assertFalse(t.restoredBestWeights(), "no best epoch to restore");
        }
    }

    @Test
    void aSecondFitWatchesItsOwnEpochsAsKerasEarlyStoppingDoes() {
        ArrayDataset train = rule(256, 21);
        ArrayDataset validation = rule(256, 22);
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).earlyStopping(1);
            DataLoader trainLoader = new DataLoader(train, 32, true, 2);
            DataLoader validationLoader = new DataLoader(validation, 128, false, 2);
            t.fit(trainLoader, validationLoader, 3);
            adam.groups().forEach(g -> g.setLr(0));
            List<EpochMetrics> second = t.fit(trainLoader, validationLoader, 20);
            assertEquals(2, second.size(), "the first epoch of a new fit improves on nothing before it; the second, with"
                    + " unchanged weights, does not improve on the first");
            assertTrue(t.restoredBestWeights());
        }
    }

    @Test
    void aBestWeightsFileOfAnEarlierRunInTheDirectoryIsNotTakenOnResume(@TempDir Path dir) throws Exception {
        DataLoader trainLoader = new DataLoader(rule(256, 21), 32, true, 2);
        DataLoader validationLoader = new DataLoader(rule(256, 22, 0.3), 128, false, 2);
        Engine.seed(9);
        try (Sequential earlier = mlp(16); Optimizer adam = new Adam(earlier.trainableParameters(), 0.01)) {
            trainer(earlier, adam).earlyStopping(1).checkpoints(dir, Map.of()).fit(trainLoader, validationLoader, 3);
        }
        assertTrue(Files.isRegularFile(dir.resolve(Trainer.BEST)), "the earlier run's best epoch");
        try (Sequential later = mlp(16); Optimizer adam = new Adam(later.trainableParameters(), 0.01)) {
            trainer(later, adam).checkpoints(dir, Map.of()).fit(trainLoader, validationLoader, 2);
        }
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).earlyStopping(1).checkpoints(dir, Map.of());
            t.resume(dir.resolve(Trainer.CHECKPOINT));
            adam.groups().forEach(g -> g.setLr(0));
            Map<String, float[]> resumed = weights(model);
            t.fit(trainLoader, validationLoader, 5);
            assertEquals(2, t.bestEpoch(), "the later run's best epoch, its checkpoint's own, not the earlier run's file");
            assertSameWeights(resumed, weights(model));
        }
    }

    @Test
    void earlyStoppingWritesTheBestEpochsWeightsBesideTheCheckpoint(@TempDir Path dir) throws Exception {
        ArrayDataset train = rule(256, 21);
        ArrayDataset validation = rule(256, 22, 0.3);
        Engine.seed(9);
        try (Sequential model = mlp(64); Optimizer adam = new Adam(model.trainableParameters(), 0.005);
             Sequential reloaded = mlp(64)) {
            Trainer t = trainer(model, adam).earlyStopping(2).checkpoints(dir, Map.of("model", "test"));
            List<EpochMetrics> history = t.fit(new DataLoader(train, 32, true, 2), new DataLoader(validation, 128, false, 2), 40);
            Path bestFile = dir.resolve(Trainer.BEST);
            assertTrue(Files.isRegularFile(bestFile), "best.safetensors is written when early stopping is on");
            Map<String, String> meta = Trainer.loadModel(bestFile, reloaded);
            assertEquals(history.size() - 2, Integer.parseInt(meta.get("epoch")), "the best epoch is 2 before the last");
            assertSameWeights(weights(model), weights(reloaded));
        }
    }

    @Test
    void trainLossFallsAndAccuracyIsFarAboveChanceOnALearnableRule() {
        Engine.seed(5);
        try (Sequential model = mlp(32); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            List<EpochMetrics> history = trainer(model, adam)
                    .fit(new DataLoader(rule(256, 31), 32, true, 3), new DataLoader(rule(256, 32), 64, false, 3), 10);
            assertEquals(10, history.size());
            EpochMetrics first = history.get(0);
            EpochMetrics last = history.get(history.size() - 1);
            String trace = history.stream().map(m -> String.format("%d: loss %.4f acc %.3f val %.3f", m.epoch(), m.trainLoss(),
                    m.trainAccuracy(), m.validationAccuracy())).toList().toString();
            assertTrue(last.trainLoss() < 0.5 * first.trainLoss(), "train loss halves at least: " + trace);
            assertTrue(first.trainLoss() < Math.log(CLASSES) + 0.2, "epoch 1 starts near chance loss ln 3: " + trace);
            assertTrue(last.trainAccuracy() > 0.85, "train accuracy (chance 1/3): " + trace);
            assertTrue(last.validationAccuracy() > 0.85, "validation accuracy (chance 1/3): " + trace);
            assertTrue(last.samplesPerSecond() > 0 && last.seconds() > 0, trace);
            assertEquals(0.01, last.learningRate(), 0);
        }
    }

    @Test
    void evaluateTopKWithAllClassesIsOneAndAccuracyMatchesAHandCount() {
        Engine.seed(6);
        ArrayDataset data = rule(250, 41);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam).topK(CLASSES);
            t.fit(new DataLoader(rule(256, 40), 32, true, 4), null, 2);
            Evaluation e = t.evaluate(new DataLoader(data, 64, false, 0)); // 250 = 3 * 64 + 58: a partial batch
            assertEquals(1.0, e.topK(), 0);
            assertEquals(CLASSES, e.k());
            assertEquals(250, e.samples());

            long correct;
            double loss;
            model.eval();
            try (Scope s = Scope.open(); Autograd.Guard g = Autograd.noGrad()) {
                float[] x = new float[250 * FEATURES];
                long[] y = new long[250];
                for (int i = 0; i < 250; i++) {
                    data.copyFeatures(i, x, i * FEATURES);
                    y[i] = data.label(i);
                }
                Tensor scores = model.forward(Tensor.fromArray(x, 250, FEATURES));
                Tensor labels = Tensor.fromArray(y, 250);
                correct = Accuracy.correct(scores, labels);
                loss = new CrossEntropyLoss().compute(scores, labels).item();
            }
            assertEquals(correct / 250.0, e.accuracy(), 1e-12);
            assertTrue(correct > 0 && correct < 250, "a non-trivial count: " + correct);
            assertEquals(loss, e.loss(), 1e-5, "loss weighted by batch size, partial batch included");
            model.train();
        }
    }

    @Test
    void evaluateFillsAConfusionMatrixInTheSamePassAsItsFigures() {
        Engine.seed(6);
        ArrayDataset data = rule(250, 41);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            trainer(model, adam).fit(new DataLoader(rule(256, 40), 32, true, 4), null, 1);
            DataLoader test = new DataLoader(data, 64, false, 0);
            ConfusionMatrix confusion = new ConfusionMatrix(CLASSES);
            Evaluation e = Trainer.evaluate(model, new CrossEntropyLoss(), test, 1, confusion);

            assertArrayEquals(ConfusionMatrix.of(model, test, CLASSES).counts(), confusion.counts());
            assertEquals(250, confusion.total());
            long diagonal = 0;
            for (int c = 0; c < CLASSES; c++) {
                diagonal += confusion.count(c, c);
            }
            assertEquals(e.accuracy() * 250, diagonal, 1e-9);
        }
    }

    @Test
    void trainingWithALossThatIsNotAScalarIsRefusedNamingItsShapeAndTheReduction() {
        Engine.seed(7);
        try (Sequential model = mlp(8); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Trainer t = new Trainer(model, sgd, new CrossEntropyLoss(Reduction.NONE));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> t.fit(new DataLoader(rule(64, 1), 32, false, 0), null, 1));
            assertTrue(e.getMessage().startsWith("Trainer: the loss CrossEntropyLoss gave [32]")
                    && e.getMessage().contains("expected a scalar") && e.getMessage().contains("NONE"), e.getMessage());
        }
    }

    @Test
    void evaluatingWithALossThatIsNotAScalarIsRefusedNamingItsShape() {
        Engine.seed(7);
        try (Sequential model = mlp(8)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Trainer.evaluate(model,
                    new CrossEntropyLoss(Reduction.NONE), new DataLoader(rule(64, 1), 32, false, 0), 1));
            assertTrue(e.getMessage().startsWith("Trainer: the loss CrossEntropyLoss gave [32]"), e.getMessage());
        }
    }

    @Test
    void evaluateLeavesTheModelInTheModeItFoundItIn() {
        Engine.seed(7);
        try (Sequential model = mlp(8); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer t = trainer(model, adam);
            model.train();
            t.evaluate(new DataLoader(rule(64, 1), 32, false, 0));
            assertTrue(model.isTraining() && model.get(2).isTraining());
            model.eval();
            t.evaluate(new DataLoader(rule(64, 1), 32, false, 0));
            assertFalse(model.isTraining() || model.get(2).isTraining());
        }
    }

    @Test
    void loadingACheckpointIntoAModelOfAnotherShapeFailsNamingTheMismatchedKey(@TempDir Path dir) {
        Engine.seed(8);
        try (Sequential small = mlp(16); Optimizer adam = new Adam(small.trainableParameters(), 0.01)) {
            trainer(small, adam).checkpoints(dir, Map.of()).fit(new DataLoader(rule(64, 1), 32, true, 1), null, 1);
        }
        try (Sequential wide = mlp(24)) {
            Map<String, float[]> before = weights(wide);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> Trainer.loadModel(dir.resolve(Trainer.CHECKPOINT), wide));
            assertTrue(e.getMessage().contains("0.weight") && e.getMessage().contains("shape mismatch"), e.getMessage());
            assertSameWeights(before, weights(wide));
        }
    }

    @Test
    void resumingIntoAModelOfAnotherShapeFailsNamingTheMismatchedKey(@TempDir Path dir) {
        Engine.seed(8);
        try (Sequential small = mlp(16); Optimizer adam = new Adam(small.trainableParameters(), 0.01)) {
            trainer(small, adam).checkpoints(dir, Map.of()).fit(new DataLoader(rule(64, 1), 32, true, 1), null, 1);
        }
        try (Sequential wide = mlp(24); Optimizer adam = new Adam(wide.trainableParameters(), 0.01)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer(wide, adam).resume(dir.resolve(Trainer.CHECKPOINT)));
            assertTrue(e.getMessage().contains("3.weight"), e.getMessage());
        }
    }

    @Test
    void resumingFromTheBestWeightsFileIsRefusedNamingItAndTheCheckpointToUse(@TempDir Path dir) {
        Engine.seed(8);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            trainer(model, adam).earlyStopping(3).checkpoints(dir, Map.of())
                    .fit(new DataLoader(rule(64, 1), 32, true, 1), new DataLoader(rule(64, 2), 32, false, 1), 1);
        }
        Path best = dir.resolve(Trainer.BEST);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Map<String, float[]> before = weights(model);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer(model, adam).resume(best));
            assertTrue(e.getMessage().contains(best.toString()) && e.getMessage().contains("weights only")
                    && e.getMessage().contains(Trainer.CHECKPOINT), e.getMessage());
            assertSameWeights(before, weights(model));
        }
    }

    @Test
    void resumingWithAnOptimizerStateThatDoesNotFitLeavesTheModelAsItWas(@TempDir Path dir) {
        Engine.seed(8);
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.01).momentum(0.9)) {
            trainer(model, sgd).checkpoints(dir, Map.of()).fit(new DataLoader(rule(64, 1), 32, true, 1), null, 1);
        }
        Path checkpoint = dir.resolve(Trainer.CHECKPOINT);
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Map<String, float[]> before = weights(model);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer(model, adam).resume(checkpoint));
            assertTrue(e.getMessage().contains(checkpoint.toString())
                    && e.getMessage().contains("optimizer: checkpoint SGD{"), e.getMessage());
            assertSameWeights(before, weights(model));
        }
    }

    /** A data set that remembers every array a loader asked it to fill (on the loader's thread). */
    private static final class FilledArrays implements Dataset {
        private final Dataset data;
        private final Set<float[]> arrays =
                Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));

        FilledArrays(Dataset data) {
            this.data = data;
        }

        @Override
        public int size() {
            return data.size();
        }

        @Override
        public int[] featureShape() {
            return data.featureShape();
        }

        @Override
        public void copyFeatures(int index, float[] dst, int offset) {
            arrays.add(dst);
            data.copyFeatures(index, dst, offset);
        }

        @Override
        public long label(int index) {
            return data.label(index);
        }

        @Override
        public int classes() {
            return data.classes();
        }
    }

    @Test
    void trainingAndEvaluationGiveTheirBatchArraysBackToTheLoaders() {
        Engine.seed(4);
        FilledArrays train = new FilledArrays(rule(320, 7));
        FilledArrays validation = new FilledArrays(rule(64, 8));
        try (Sequential model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            trainer(model, adam).fit(new DataLoader(train, 32, true, 1), new DataLoader(validation, 16, false, 1), 3);
        }
        // 30 training and 12 validation batches; in flight at once per loader: the prefetched batches, the one being
        // filled and the one in use.
        assertTrue(train.arrays.size() <= DataLoader.PREFETCH + 2, "30 training batches filled " + train.arrays.size()
                + " arrays");
        assertTrue(validation.arrays.size() <= DataLoader.PREFETCH + 2, "12 validation batches filled "
                + validation.arrays.size() + " arrays");
    }

    @Test
    void trainAccuracyIsTheShareOfTrainingExamplesTheModelGotRightDuringTheEpoch() {
        // With a learning rate of 0 the model is the same at every step, so the epoch's training accuracy must
        // equal the accuracy of that model on the training set (no dropout: train and eval mode agree).
        Engine.seed(5);
        ArrayDataset data = rule(300, 9);
        try (Module model = new Sequential(new Linear(FEATURES, 16), new ReLU(), new Linear(16, CLASSES));
             Optimizer frozen = new Adam(model.trainableParameters(), 0)) {
            Trainer trainer = trainer(model, frozen);
            EpochMetrics m = trainer.fit(new DataLoader(data, 32, true, 1), null, 1).get(0);
            Evaluation reference = trainer.evaluate(new DataLoader(data, 100, false, 1));
            assertEquals(reference.accuracy(), m.trainAccuracy(), 1e-12);
            assertTrue(m.trainAccuracy() > 0.05 && m.trainAccuracy() < 0.95, "an untrained model: " + m.trainAccuracy());
        }
    }

    @Test
    void everyBatchIsReportedOnceInOrderAndTheEpochLossIsTheirSizeWeightedMean() {
        Engine.seed(6);
        ArrayDataset data = rule(300, 10);
        try (Module model = mlp(16); Optimizer adam = new Adam(model.trainableParameters(), 1e-2)) {
            Trainer trainer = trainer(model, adam);
            List<Integer> batches = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            trainer.listener(new TrainingListener() {
                @Override
                public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                    batches.add(batch);
                    losses.add(loss);
                }
            });
            EpochMetrics m = trainer.fit(new DataLoader(data, 64, true, 1), null, 1).get(0);

            assertEquals(List.of(1, 2, 3, 4, 5), batches);
            double weighted = 0;
            for (int b = 0; b < 5; b++) {
                weighted += losses.get(b) * (b < 4 ? 64 : 300 - 4 * 64);
            }
            assertEquals(weighted / 300, m.trainLoss(), 1e-12);
            assertTrue(m.lossWaitSeconds() >= 0 && m.lossWaitSeconds() <= m.seconds(),
                    m.lossWaitSeconds() + " s waited in a " + m.seconds() + " s epoch");
        }
    }

    @Test
    void theAgreedMonitoredLossDecidesEarlyStoppingInsteadOfThisProcesssOwn() {
        Engine.seed(9);
        try (Sequential model = mlp(16); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            int[] epoch = {0};
            List<Double> own = new ArrayList<>();
            Trainer t = slowFall(model, sgd).earlyStoppingMinDelta(0.25).monitoredLossAgreement(loss -> {
                own.add(loss);
                return SLOW_FALL[epoch[0]++];
            });
            List<EpochMetrics> history = t.fit(new DataLoader(rule(64, 1), 32, true, 1), null, SLOW_FALL.length);
            assertEquals(7, history.size(), "as with SLOW_FALL validated here: this process's own loss, the same"
                    + " every epoch, would have stopped it after epoch 4");
            assertEquals(4, t.bestEpoch());
            assertEquals(List.of(1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0), own, "its training loss, handed over");
        }
    }

    /** A sparse lookup reads its indices on the host at every step, which a replayed graph cannot redo. */
    @Test
    void cudaGraphsRefuseATableWithSparseGradientsNamingIt() {
        Embedding table = new Embedding(10, 4);
        try (Sequential model = new Sequential(table, new Linear(4, CLASSES));
             Optimizer sgd = new SGD(model.trainableParameters(), 1);
             DataLoader loader = new DataLoader(rule(8, 1), 4, false, 1)) {
            table.sparse(true);
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer(model, sgd).cudaGraphs(true));
            assertTrue(e.getMessage().startsWith("Trainer.cudaGraphs: Embedding(10, 4, sparse=True) has sparse"
                    + " gradients"), e.getMessage());
            table.sparse(false);
            Trainer graphed = trainer(model, sgd).cudaGraphs(true);
            table.sparse(true);
            IllegalArgumentException late = assertThrows(IllegalArgumentException.class,
                    () -> graphed.fit(loader, null, 1));
            assertTrue(late.getMessage().contains("sparse(false)"), late.getMessage());
        }
    }
}
