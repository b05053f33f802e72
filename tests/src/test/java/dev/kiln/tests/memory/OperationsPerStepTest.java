package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.seq2seq.RecurrentSeq2Seq;
import dev.kiln.seq2seq.Seq2SeqModel;
import dev.kiln.seq2seq.SourceBatch;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingListener;
import dev.kiln.zoo.Zoo;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * The backend operations one training step of each protocol workload (W1-W3 of shared/BENCHMARKS.md, Adam, the
 * {@link Trainer}) asks for: no more than docs/GPU.md reports. On CUDA each operation is one kernel launch or
 * library call, and small models are bound by launches, so a step that grows an operation runs slower there. And
 * the values read back to the host, each a wait for the device there: one a step (its loss), three an evaluation,
 * none inside a seq2seq training pass. Counted by the CPU backend with {@code -Dkiln.cpu.countOperations=true}, which the tests module's
 * {@code operations-per-step} Surefire execution sets; elsewhere these tests skip and say so.
 */
class OperationsPerStepTest {
    private static final int STEPS = 6;
    private static final int CLASSES = 10;

    @Test
    void anMlpStepRunsAtMost24Operations() {
        assertAtMost(24, operationsPerStep("W1 mlp", () -> Zoo.mlp(784, CLASSES), 128));
    }

    @Test
    void aLenetStepRunsAtMost28Operations() {
        assertAtMost(28, operationsPerStep("W2 lenet", () -> Zoo.lenet(CLASSES), 64));
    }

    @Test
    void anLstmStepRunsAtMost146Operations() {
        assertAtMost(146, operationsPerStep("W3 lstm", () -> Zoo.rowReader("lstm", CLASSES, 0), 128));
    }

    @Test
    void aTrainerEpochReadsBackTheLossOfEachStepAndItsAccuracyOnce() {
        Map<String, Long> epoch = countedEpoch(() -> Zoo.mlp(784, CLASSES), 128);
        assertEquals(STEPS + 1, epoch.get("host_reads"), "values read back in an epoch of " + STEPS + " steps");
    }

    /** An evaluation keeps its sums on the device and reads its loss, hits and top-k hits once, not at every batch. */
    @Test
    void anEvaluationReadsBackThreeValuesWhateverItsBatches() {
        Backend backend = countingBackend();
        Engine.seed(3);
        try (Module model = Zoo.mlp(784, CLASSES)) {
            DataLoader images = UniformData.loader(5, STEPS * 32, new int[] {1, 28, 28}, CLASSES, 32);
            Map<String, Long> before = backend.counters();
            Trainer.evaluate(model, new CrossEntropyLoss(), images, 5);
            Map<String, Long> evaluation = growth(before, backend.counters());
            assertEquals(3, evaluation.get("host_reads"), "values read back evaluating " + STEPS + " batches");
        }
    }

    /**
     * Scheduled sampling (a teacher forcing ratio below 1) picks each decoder step's input between the gold token and
     * the last step's guess on the device: the forward and backward passes of a recurrent seq2seq batch read nothing
     * back, so a GPU never waits inside them.
     */
    @Test
    void scheduledSamplingReadsNothingBackInATrainingPass() {
        Backend backend = countingBackend();
        Engine.seed(3);
        try (Scope s = Scope.open(); RecurrentSeq2Seq model = new RecurrentSeq2Seq(new RecurrentSeq2Seq.Config(9, 10,
                RecurrentSeq2Seq.Cell.LSTM, RecurrentSeq2Seq.Score.ADDITIVE, 8, 12, 1, 0.1))) {
            SourceBatch source = SourceBatch.of(List.of(new int[] {3, 4, 5}, new int[] {2, 8}));
            Tensor gold = Tensor.fromArray(new long[] {Seq2SeqModel.BOS, 5, 6, 7, Seq2SeqModel.BOS, 9, 3, 0}, 2, 4);
            Map<String, Long> before = backend.counters();
            model.logits(source, gold, 0.5).sum().backward();
            Map<String, Long> pass = growth(before, backend.counters());
            assertTrue(pass.get("backend_operations") > 0, "the pass ran operations: " + pass);
            assertEquals(0, pass.get("host_reads"), "values read back in a pass with teacher forcing 0.5: " + pass);
        }
    }

    private static double operationsPerStep(String workload, Supplier<Module> factory, int batch) {
        Backend backend = countingBackend();
        Map<String, Long> steps = new TreeMap<>();
        train(factory, batch, new TrainingListener() {
            private Map<String, Long> afterFirstStep;

            // The Trainer reports a step once the next one is queued: at step 1's report steps 1-2 have run, at
            // the last step's every step has, so the counts between cover steps 3..STEPS.
            @Override
            public void onBatchEnd(int epoch, int step, int stepsPerEpoch, double loss) {
                if (epoch == 2 && step == 1) {
                    afterFirstStep = backend.counters();
                } else if (epoch == 2 && step == stepsPerEpoch) {
                    steps.putAll(growth(afterFirstStep, backend.counters()));
                }
            }
        });
        int counted = STEPS - 2;
        Map<String, Double> byOperation = new TreeMap<>();
        steps.forEach((name, count) -> {
            if (name.startsWith("operation.") && count > 0) {
                byOperation.put(name.substring("operation.".length()), count / (double) counted);
            }
        });
        double perStep = steps.get("backend_operations") / (double) counted;
        System.out.printf("%s at batch %d: %.2f operations per step: %s%n", workload, batch, perStep, byOperation);
        return perStep;
    }

    /** The counters' growth over the second epoch, from its start to the end of its accuracy's read. */
    private static Map<String, Long> countedEpoch(Supplier<Module> factory, int batch) {
        Backend backend = countingBackend();
        Map<String, Long> epoch = new TreeMap<>();
        train(factory, batch, new TrainingListener() {
            private Map<String, Long> atStart;

            @Override
            public void onEpochEnd(EpochMetrics metrics) {
                if (metrics.epoch() == 1) {
                    atStart = backend.counters();
                } else {
                    epoch.putAll(growth(atStart, backend.counters()));
                }
            }
        });
        return epoch;
    }

    /** Two epochs of {@link #STEPS} steps with Adam on random MNIST-shaped data, watched by {@code listener}. */
    private static void train(Supplier<Module> factory, int batch, TrainingListener listener) {
        Engine.seed(3);
        try (Module model = factory.get();
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3)) {
            DataLoader images = UniformData.loader(5, STEPS * batch, new int[] {1, 28, 28}, CLASSES, batch);
            new Trainer(model, adam, new CrossEntropyLoss()).listener(listener).fit(images, null, 2);
        }
    }

    private static Backend countingBackend() {
        Backend backend = Engine.get().backend();
        assumeTrue(backend.counters().containsKey("backend_operations"), "backend " + backend
                + " counts no operations: run with -Dkiln.cpu.countOperations=true (the tests module's"
                + " operations-per-step execution does)");
        return backend;
    }

    private static Map<String, Long> growth(Map<String, Long> before, Map<String, Long> after) {
        Map<String, Long> growth = new TreeMap<>();
        after.forEach((name, count) -> growth.put(name, count - before.getOrDefault(name, 0L)));
        return growth;
    }

    private static void assertAtMost(int limit, double perStep) {
        assertTrue(perStep <= limit, "backend operations per training step: " + perStep + ", at most " + limit);
    }
}
