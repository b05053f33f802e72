package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataDirectory;
import dev.kiln.data.DataLoader;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * {@link LearningRateFinder} on hand-made loss curves (a loss that gives values fixed in advance), on a small random
 * problem for the restoring of the state, and on real MNIST. The expected numbers were computed with NumPy.
 */
class LearningRateFinderTest {
    private static final int FEATURES = 4;
    private static final int CLASSES = 3;

    /** {@code n} examples of Gaussian features and random labels. */
    private static ArrayDataset random(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n * FEATURES];
        long[] y = new long[n];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < n; i++) {
            y[i] = random.nextInt(CLASSES);
        }
        return new ArrayDataset(x, y, new int[] {FEATURES}, CLASSES);
    }

    /** Batch norm (buffers), dropout (random draws) and two linear layers. */
    private static Sequential net() {
        return new Sequential(new Linear(FEATURES, 16), new BatchNorm1d(16), new ReLU(), new Dropout(0.25),
                new Linear(16, CLASSES));
    }

    /** A loss whose values are {@code values}, one per step, with a zero gradient: a hand-made curve. */
    private static Loss scripted(double... values) {
        int[] step = {0};
        return (output, target) -> output.mean().mul(0).add(values[step[0]++]);
    }

    private static double[] constant(int steps, double value) {
        double[] values = new double[steps];
        Arrays.fill(values, value);
        return values;
    }

    /** A run of a finder over {@code steps} batches of a small random problem with the {@code scripted} losses. */
    private static LearningRateCurve runScripted(LearningRateFinder.StepListener listener, double minLr, double maxLr,
                                                 int steps, double... losses) {
        try (Sequential model = net(); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            return new LearningRateFinder(model, sgd, scripted(losses)).range(minLr, maxLr).steps(steps)
                    .run(new DataLoader(random(10, 1), 4, true, 1), listener);
        }
    }

    private static LearningRateCurve runScripted(double... losses) {
        return runScripted((step, steps, lr, loss, smoothed) -> { }, LearningRateFinder.DEFAULT_MIN_LR,
                LearningRateFinder.DEFAULT_MAX_LR, LearningRateFinder.DEFAULT_STEPS, losses);
    }

    /** Every tensor of {@code state} as doubles (exact for F32 and for I64 counts), by name. */
    private static Map<String, double[]> values(Map<String, Tensor> state) {
        Map<String, double[]> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, v.toDoubleArray()));
        return out;
    }

    private static void assertSameValues(Map<String, double[]> expected, Map<String, double[]> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), "tensor " + k));
    }

    // ---- The schedule ---------------------------------------------------------------------------------

    @Test
    void theRatesRiseExponentiallyFromMinLrAtTheFirstStepToMaxLrAtTheLastAndTheOptimizerTakesEach() {
        List<Double> optimizerRates = new ArrayList<>();
        LearningRateCurve curve;
        try (Sequential model = net(); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            curve = new LearningRateFinder(model, sgd, scripted(constant(7, 2))).range(1e-4, 1e-1).steps(7)
                    .run(new DataLoader(random(10, 1), 4, true, 1),
                            (step, steps, lr, loss, smoothed) -> optimizerRates.add(sgd.learningRate()));
        }
        // numpy.geomspace(1e-4, 1e-1, 7)
        double[] expected = {0.0001, 0.00031622776601683794, 0.001, 0.0031622776601683794, 0.01, 0.03162277660168379,
            0.1};
        assertArrayEquals(expected, curve.learningRates(), 1e-17);
        assertEquals(1e-4, curve.learningRates()[0], 0, "exactly minLr");
        assertEquals(1e-1, curve.learningRates()[6], 0, "exactly maxLr");
        assertArrayEquals(curve.learningRates(), optimizerRates.stream().mapToDouble(Double::doubleValue).toArray(), 0);
        assertFalse(curve.stoppedEarly());
    }

    @Test
    void aFullRunWithTheDefaultsTakesLightningsHundredStepsFrom1e8To1() {
        LearningRateCurve curve = runScripted(constant(100, 2));
        assertEquals(100, curve.steps());
        assertEquals(1e-8, curve.learningRates()[0], 0);
        assertEquals(1.0, curve.learningRates()[99], 0);
    }

    @Test
    void eachStepTakesTheNextBatchGoingThroughTheLoaderAgainWhenItRunsOut() {
        List<Integer> batchSizes = new ArrayList<>();
        Loss recordsBatches = (output, target) -> {
            batchSizes.add(target.shape().dim(0));
            return output.mean().mul(0).add(1);
        };
        try (Sequential model = net(); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            new LearningRateFinder(model, sgd, recordsBatches).steps(7).run(new DataLoader(random(10, 1), 4, true, 1));
        }
        assertEquals(List.of(4, 4, 2, 4, 4, 2, 4), batchSizes, "10 examples in batches of 4, three epochs' worth");
    }

    @Test
    void aStreamIsReadEpochAfterEpochAsALoaderIsWithTheSameLosses() {
        ArrayDataset data = random(10, 1);
        ArrayStream stream = new ArrayStream(data);
        LearningRateCurve streamed;
        LearningRateCurve inMemory;
        Engine.seed(4);
        try (Sequential model = new Sequential(new Linear(FEATURES, 8), new ReLU(), new Linear(8, CLASSES));
             Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             IterableDataLoader loader = new IterableDataLoader(stream, 4, 1)) {
            streamed = new LearningRateFinder(model, sgd, new CrossEntropyLoss()).steps(7).run(loader);
        }
        Engine.seed(4);
        try (Sequential model = new Sequential(new Linear(FEATURES, 8), new ReLU(), new Linear(8, CLASSES));
             Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             DataLoader loader = new DataLoader(data, 4, false, 1)) {
            inMemory = new LearningRateFinder(model, sgd, new CrossEntropyLoss()).steps(7).run(loader);
        }
        assertEquals(List.of(1, 2, 3), stream.epochs(), "10 examples in batches of 4: 3 batches an epoch, 7 steps");
        assertArrayEquals(inMemory.losses(), streamed.losses());
    }

    @Test
    void anEmptyStreamIsRefusedWhenItsFirstEpochEnds() {
        ArrayStream empty = new ArrayStream(new ArrayDataset(new float[0], new long[0], new int[] {FEATURES}, CLASSES));
        try (Sequential model = net(); IterableDataLoader loader = new IterableDataLoader(empty, 4, 1)) {
            assertEquals("LearningRateFinder: epoch 1 of the loader has no batches: its data set or stream is empty",
                    error(() -> finder(model).run(loader)));
        }
    }

    // ---- Smoothing and early stop -------------------------------------------------------------------

    @Test
    void theSmoothedLossesAreTheMovingAverageWithBeta098CorrectedForItsStartAtZero() {
        double[] losses = {2.0, 1.5, 1.75, 1.0, 3.0, 0.5};
        LearningRateCurve curve = runScripted((step, steps, lr, loss, smoothed) -> { }, 1e-4, 1e-3, 6, losses);
        assertArrayEquals(losses, curve.losses(), 0);
        // avg_n = 0.98 avg_(n-1) + 0.02 loss_n from avg_0 = 0; smoothed_n = avg_n / (1 - 0.98^n), in NumPy
        double[] expected = {2.0, 1.7474747474747456, 1.748333560059855, 1.5555431894954432, 1.856223620305794,
            1.618618170828072};
        assertArrayEquals(expected, curve.smoothedLosses(), 1e-14);
    }

    @Test
    void theRunStopsAtTheFirstSmoothedLossAboveFourTimesTheLowestSoFarRecordingThatStep() {
        // Falling from 2 to 0.75 over 21 steps, then 8: the smoothed loss bottoms out at 1.3288 and passes 4 times
        // that at the 42nd step (NumPy). Four times the first smoothed loss, 8, it would never pass.
        double[] losses = constant(100, 8);
        for (int i = 0; i <= 20; i++) {
            losses[i] = 2.0 - 0.0625 * i;
        }
        LearningRateCurve curve = runScripted(losses);
        assertEquals(42, curve.steps());
        assertTrue(curve.stoppedEarly());
        assertEquals(5.361566035362145, curve.smoothedLosses()[41], 1e-12);
        assertEquals(5.265961826372167, curve.smoothedLosses()[40], 1e-12, "the step before stays below 4 x 1.3288");
    }

    @Test
    void aNonFiniteLossStopsTheRunAtItsStep() {
        double[] losses = constant(100, 1);
        losses[3] = Double.NaN;
        LearningRateCurve curve = runScripted(losses);
        assertEquals(4, curve.steps());
        assertTrue(curve.stoppedEarly());
        assertTrue(Double.isNaN(curve.smoothedLosses()[3]));
    }

    // ---- Restoring the state ------------------------------------------------------------------------

    @Test
    void afterwardsWeightsBuffersModeOptimizerStateRatesAndRandomStateAreBitForBitAsBefore() {
        DataLoader data = new DataLoader(random(64, 2), 16, true, 2);
        Engine.seed(7);
        try (Sequential model = net(); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            new Trainer(model, adam, new CrossEntropyLoss()).fit(data, null, 1);
            adam.setLearningRate(3e-3);
            model.eval();
            Map<String, double[]> weights = values(model.stateDict());
            Map<String, double[]> optimizerState = values(adam.stateDict());
            long counter = Engine.get().counter();
            List<double[]> seen = new ArrayList<>();
            LearningRateCurve curve = new LearningRateFinder(model, adam, new CrossEntropyLoss()).run(data,
                    (step, steps, lr, loss, smoothed) -> seen.add(model.stateDict().get("0.weight").toDoubleArray()));

            assertTrue(curve.steps() > 2, "the run took steps: " + curve.steps());
            assertFalse(Arrays.equals(weights.get("0.weight"), seen.get(seen.size() - 1)), "the run trained the model");
            assertSameValues(weights, values(model.stateDict()));
            assertSameValues(optimizerState, values(adam.stateDict()));
            assertEquals(3e-3, adam.learningRate(), 0);
            assertFalse(model.isTraining(), "the model is back in evaluation mode");
            assertEquals(counter, Engine.get().counter(), "the random state");
        }
    }

    /** The weights after a seeded epoch of training, with a range test before it when {@code findFirst}. */
    private static Map<String, double[]> trainedWeights(boolean findFirst) {
        DataLoader data = new DataLoader(random(64, 3), 16, true, 3);
        Engine.seed(11);
        try (Sequential model = net(); Optimizer adam = new Adam(model.trainableParameters(), 0.01)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            if (findFirst) {
                new LearningRateFinder(trainer).run(data);
            }
            trainer.fit(data, null, 1);
            return values(model.stateDict());
        }
    }

    @Test
    void trainingAfterARunGivesBitForBitTheWeightsOfTrainingWithoutOne() {
        assertSameValues(trainedWeights(false), trainedWeights(true));
    }

    @Test
    void aRunThatFailsPartWayStillRestoresTheWeights() {
        Loss failsAtTheThirdStep = new Loss() {
            private final Loss crossEntropy = new CrossEntropyLoss();
            private int calls;

            @Override
            public Tensor compute(Tensor output, Tensor target) {
                if (++calls == 3) {
                    throw new IllegalStateException("the third batch is broken");
                }
                return crossEntropy.compute(output, target);
            }
        };
        try (Sequential model = net(); Optimizer sgd = new SGD(model.trainableParameters(), 0.1)) {
            Map<String, double[]> weights = values(model.stateDict());
            LearningRateFinder finder = new LearningRateFinder(model, sgd, failsAtTheThirdStep).range(0.1, 1);
            DataLoader data = new DataLoader(random(64, 4), 16, true, 4);
            assertThrows(IllegalStateException.class, () -> finder.run(data));
            assertSameValues(weights, values(model.stateDict()));
            assertEquals(0.1, sgd.learningRate(), 0);
        }
    }

    // ---- Errors ---------------------------------------------------------------------------------------

    private static String error(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }

    private static LearningRateFinder finder(Module model) {
        return new LearningRateFinder(model, new SGD(model.trainableParameters(), 0.1), new CrossEntropyLoss());
    }

    @Test
    void aRangeThatIsNotPositiveOrNotRisingIsRefusedNamingBothBounds() {
        try (Sequential model = net()) {
            assertEquals("LearningRateFinder: minLr must be a finite number > 0, got 0.0",
                    error(() -> finder(model).range(0, 1)));
            assertEquals("LearningRateFinder: maxLr must be a finite number > 0, got -1.0",
                    error(() -> finder(model).range(1e-3, -1)));
            assertEquals("LearningRateFinder: maxLr must be a finite number > 0, got Infinity",
                    error(() -> finder(model).range(1e-3, Double.POSITIVE_INFINITY)));
            assertEquals("LearningRateFinder: minLr must be below maxLr, got minLr 0.01 and maxLr 0.001",
                    error(() -> finder(model).range(1e-2, 1e-3)));
            assertEquals("LearningRateFinder: minLr must be below maxLr, got minLr 0.01 and maxLr 0.01",
                    error(() -> finder(model).range(1e-2, 1e-2)));
        }
    }

    @Test
    void fewerThanTwoStepsAreRefused() {
        try (Sequential model = net()) {
            assertEquals("LearningRateFinder: steps must be at least 2 (the first at minLr, the last at maxLr), got 1",
                    error(() -> finder(model).steps(1)));
        }
    }

    @Test
    void anEmptyLoaderIsRefused() {
        try (Sequential model = net()) {
            DataLoader empty = new DataLoader(new ArrayDataset(new float[0], new long[0], new int[] {FEATURES}, CLASSES),
                    4, true, 1);
            assertEquals("LearningRateFinder: the loader has no batches: its data set is empty",
                    error(() -> finder(model).run(empty)));
        }
    }

    @Test
    void aTrainerThatAccumulatesGradientsIsRefused() {
        try (Sequential model = net()) {
            Trainer trainer = new Trainer(model, new SGD(model.trainableParameters(), 0.1), new CrossEntropyLoss())
                    .accumulateGradients(4);
            assertTrue(error(() -> new LearningRateFinder(trainer)).startsWith("LearningRateFinder: the trainer sums the"
                    + " gradients of 4 batches per step"));
        }
    }

    // ---- Real MNIST -----------------------------------------------------------------------------------

    @Test
    void onMnistTheZooMlpWithAdamFallsThenDivergesAndIsSuggestedARateBetween1e4And3e2() throws IOException {
        MnistDataset mnist;
        try {
            mnist = MnistDataset.load(null, "mnist", Mnist.Split.TRAIN);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("MNIST not present: " + e.getMessage());
            return;
        }
        // 100 batches of 64: one pass over the first 6400 images.
        DataLoader train = new DataLoader(new Subset(mnist, IntStream.range(0, 6400).toArray()), 64, true, 1);
        Engine.seed(1);
        LearningRateCurve curve;
        try (Sequential model = Zoo.mlp(Mnist.PIXELS, 10); Optimizer adam = new Adam(model.trainableParameters(), 1e-3)) {
            curve = new LearningRateFinder(model, adam, new CrossEntropyLoss()).run(train);
        }
        double[] smoothed = curve.smoothedLosses();
        double lowest = Arrays.stream(smoothed).min().orElseThrow();
        String shown = "smoothed losses " + Arrays.toString(smoothed);
        assertTrue(lowest < 0.85 * smoothed[0], "the loss falls by more than 15%: " + shown);
        assertTrue(curve.stoppedEarly() && smoothed[curve.steps() - 1] > 4 * lowest, "then diverges: " + shown);
        double suggestion = curve.suggestion().orElseThrow();
        assertTrue(suggestion >= 1e-4 && suggestion <= 3e-2, "suggested " + suggestion + "; " + shown);
    }
}
