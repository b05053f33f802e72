package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CutMix;
import dev.kiln.data.DataLoader;
import dev.kiln.data.MixUp;
import dev.kiln.data.RandomCrop;
import dev.kiln.data.RandomHorizontalFlip;
import dev.kiln.data.RandomSampler;
import dev.kiln.data.WeightedRandomSampler;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.ASGD;
import dev.kiln.optim.AdaGrad;
import dev.kiln.optim.Adadelta;
import dev.kiln.optim.Adam;
import dev.kiln.optim.AdamW;
import dev.kiln.optim.Adamax;
import dev.kiln.optim.AveragedModel;
import dev.kiln.optim.GradScaler;
import dev.kiln.optim.LBFGS;
import dev.kiln.optim.NAdam;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.RAdam;
import dev.kiln.optim.RMSProp;
import dev.kiln.optim.Rprop;
import dev.kiln.optim.SGD;
import dev.kiln.optim.SparseAdam;
import dev.kiln.optim.schedule.CosineAnnealingLR;
import dev.kiln.optim.schedule.CosineAnnealingWarmRestarts;
import dev.kiln.optim.schedule.CyclicLR;
import dev.kiln.optim.schedule.LambdaLR;
import dev.kiln.optim.schedule.LearningRateSchedule;
import dev.kiln.optim.schedule.LinearLR;
import dev.kiln.optim.schedule.LinearWarmup;
import dev.kiln.optim.schedule.MultiplicativeLR;
import dev.kiln.optim.schedule.OneCycleLR;
import dev.kiln.optim.schedule.ReduceLROnPlateau;
import dev.kiln.optim.schedule.SequentialLR;
import dev.kiln.optim.schedule.StepLR;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The promise of PYTORCH.md that a resumed run "goes on exactly", over a covering set of the features a user combines:
 * each {@link Cell} trains {@value #EPOCHS} epochs straight, and separately 1, 2 or 3 epochs, after which a fresh
 * model, optimizer and trainer (built from another seed, as a user's script after a restart) resume from the
 * checkpoint and finish; and a third time it is killed part-way through epoch {@value #STOP} + 1 (these trainers
 * checkpoint at epoch ends only, without {@link Trainer#checkpointEverySteps}, so that run resumes from epoch
 * {@value #STOP}'s checkpoint too; TrainerDataLoaderMidEpochResumeTest resumes within an epoch). The final weights, the
 * optimizer's state, the averaged weights, the loss scaler's state and every epoch's recorded figures must be bit for
 * bit those of the straight run.
 *
 * <p>Every optimizer appears at least once; every other feature with at least one optimizer, as listed in
 * {@link #cells()}. Each run takes well under a second: 44 images 1x6x6 of 3 classes, batches of 8 (the last of 4).
 */
class TrainerResumeMatrixTest {
    private static final int EPOCHS = 4;
    private static final int STOP = 2;
    private static final int SIDE = 6;
    private static final int CLASSES = 3;
    private static final int BATCH = 8;
    private static final int EXAMPLES = 44;
    private static final ArrayDataset IMAGES = images(EXAMPLES, 1);
    private static final ArrayDataset VALIDATION = images(24, 2);

    /** Images whose class is the brightest third of the image, with noise: learnable, and not at once. */
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

    /** Tokens [1] of a vocabulary of 20, whose class is the token modulo 3: for a sparse embedding table. */
    private static ArrayDataset tokens(int n, long seed) {
        Random random = new Random(seed);
        float[] x = new float[n];
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            int token = random.nextInt(20);
            x[i] = token;
            y[i] = token % CLASSES;
        }
        return new ArrayDataset(x, y, new int[] {1}, CLASSES);
    }

    private static Module mlp() {
        return new Sequential(new Flatten(), new Linear(SIDE * SIDE, 12), new ReLU(), new Dropout(0.25),
                new Linear(12, CLASSES));
    }

    private static Module normalisedMlp() {
        return new Sequential(new Flatten(), new Linear(SIDE * SIDE, 12), new BatchNorm1d(12), new ReLU(),
                new Dropout(0.25), new Linear(12, CLASSES));
    }

    /** The logits [batch, classes] of each token [batch, 1] from a sparse table's row. */
    private static final class Lookup extends Module {
        private final Embedding table = registerModule("table", new Embedding(20, CLASSES).sparse(true));

        @Override
        public Tensor forward(Tensor x) {
            return table.forward(x.reshape(x.dim(0)).to(DType.I64));
        }
    }

    /** One combination of features, built afresh for every run as a user's script builds it. */
    static final class Cell {
        final String name;
        Supplier<Module> model = TrainerResumeMatrixTest::mlp;
        Function<Module, Optimizer> optimizer;
        Function<Optimizer, LearningRateSchedule> schedule;
        Function<Optimizer, LearningRateSchedule> stepSchedule;
        Function<Module, AveragedModel> average;
        Supplier<GradScaler> scaler;
        Precision precision = Precision.FP32;
        Supplier<DataLoader> train = () -> new DataLoader(IMAGES, BATCH, true, 5);
        boolean validation;
        int accumulate = 1;
        double clip = Double.NaN;
        int patience;

        Cell(String name, Function<Module, Optimizer> optimizer) {
            this.name = name;
            this.optimizer = optimizer;
        }

        Cell model(Supplier<Module> m) {
            model = m;
            return this;
        }

        Cell schedule(Function<Optimizer, LearningRateSchedule> s) {
            schedule = s;
            return this;
        }

        Cell perStep(Function<Optimizer, LearningRateSchedule> s) {
            stepSchedule = s;
            return this;
        }

        Cell average(Function<Module, AveragedModel> a) {
            average = a;
            return this;
        }

        Cell scaled(Precision p, Supplier<GradScaler> s) {
            precision = p;
            scaler = s;
            return this;
        }

        Cell precision(Precision p) {
            precision = p;
            return this;
        }

        Cell train(Supplier<DataLoader> loader) {
            train = loader;
            return this;
        }

        Cell validated() {
            validation = true;
            return this;
        }

        Cell accumulate(int batches) {
            accumulate = batches;
            return this;
        }

        Cell clip(double maxNorm) {
            clip = maxNorm;
            return this;
        }

        Cell patience(int epochs) {
            patience = epochs;
            return this;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static List<Tensor> params(Module m) {
        return m.trainableParameters();
    }

    private static DataLoader augmented() {
        return new DataLoader(IMAGES, BATCH, true, 5, new RandomCrop(1).andThen(new RandomHorizontalFlip(0.5)));
    }

    /** The covering set: every optimizer, and each other feature beside at least one of them. */
    static Stream<Cell> cells() {
        return Stream.of(
                new Cell("SGD nesterov, StepLR, dropout, validation",
                        m -> new SGD(params(m), 0.05, 0.9, true, 1e-4))
                        .schedule(o -> new StepLR(o, 1, 0.5)).validated(),
                new Cell("SGD momentum, accumulation of 4 (remainder 2), clipGradNorm, per-step OneCycleLR",
                        m -> new SGD(params(m), 0.05).momentum(0.9).dampening(0.1))
                        .accumulate(4).clip(0.5).perStep(o -> new OneCycleLR(o, 0.2, 2 * EPOCHS)),
                new Cell("Adam amsgrad, per-step CosineAnnealingWarmRestarts, RandomSampler with replacement, EMA",
                        m -> new Adam(params(m), 0.01).amsgrad(true))
                        .perStep(o -> new CosineAnnealingWarmRestarts(o, 4, 2, 1e-4))
                        .train(() -> new DataLoader(IMAGES, BATCH, false, 5)
                                .withSampler(new RandomSampler(EXAMPLES, true, 40)))
                        .average(m -> AveragedModel.ema(m, 0.9)),
                new Cell("AdamW amsgrad, ReduceLROnPlateau (20% to improve, a cooldown), batch norm, validation,"
                        + " early stopping", m -> new AdamW(params(m), 0.01, 0.05).amsgrad(true))
                        .model(TrainerResumeMatrixTest::normalisedMlp)
                        .schedule(o -> new ReduceLROnPlateau(o, 0.5, 0, 0, 0.2, 1)).validated().patience(3),
                new Cell("RMSprop centered with momentum, WeightedRandomSampler, per-example augmentation",
                        m -> new RMSProp(params(m), 0.005).centered(true).momentum(0.5))
                        .train(() -> new DataLoader(IMAGES, BATCH, false, 5, new RandomCrop(1))
                                .withSampler(WeightedRandomSampler.balancingClasses(IMAGES))),
                new Cell("Adagrad, MixUp, per-example augmentation, LambdaLR",
                        m -> new AdaGrad(params(m), 0.05).lrDecay(0.01))
                        .train(() -> augmented().withBatchAugmentation(new MixUp(0.4, CLASSES)))
                        .schedule(o -> new LambdaLR(o, epoch -> 1.0 / (1 + epoch))),
                new Cell("Adadelta, CutMix, MultiplicativeLR",
                        m -> new Adadelta(params(m), 1.0))
                        .train(() -> new DataLoader(IMAGES, BATCH, true, 5).withBatchAugmentation(new CutMix(1.0, CLASSES)))
                        .schedule(o -> new MultiplicativeLR(o, epoch -> 0.9)),
                new Cell("Adamax, SWA, clipGradNorm (inf norm), warm-up into StepLR",
                        m -> new Adamax(params(m), 0.01))
                        .average(AveragedModel::swa).clip(0.1)
                        .schedule(o -> new LinearWarmup(o, 2, new StepLR(o, 2, 0.5))),
                new Cell("NAdam, bf16 autocast, validation",
                        m -> new NAdam(params(m), 0.01)).precision(Precision.BF16).validated(),
                new Cell("RAdam, f16 autocast with a GradScaler that grows and backs off, accumulation of 3",
                        m -> new RAdam(params(m), 0.01))
                        .scaled(Precision.F16, () -> new GradScaler(0x1p20, 2, 0.5, 2, true)).accumulate(3),
                new Cell("ASGD, per-step CyclicLR (triangular2)", m -> new ASGD(params(m), 0.05).t0(3))
                        .perStep(o -> new CyclicLR(o, new double[] {0.01}, new double[] {0.1}, 3, 2,
                                CyclicLR.Mode.TRIANGULAR2, 1, false, 0.8, 0.9)),
                new Cell("Rprop, SequentialLR (LinearLR warm-up, then CosineAnnealingLR), validation",
                        m -> new Rprop(params(m), 0.01))
                        .schedule(o -> new SequentialLR(o, List.of(new LinearLR(o, 0.1, 1, 2),
                                new CosineAnnealingLR(o, 3, 0)), List.of(2))).validated(),
                new Cell("LBFGS, clipGradNorm, validation", m -> new LBFGS(params(m), 0.5).maxIter(3))
                        .clip(1.0).validated(),
                new Cell("SparseAdam on a sparse table, clipGradNorm", m -> new SparseAdam(m.parameters(), 0.1))
                        .model(Lookup::new).clip(2.0)
                        .train(() -> new DataLoader(tokens(EXAMPLES, 3), BATCH, true, 5)));
    }

    /** What a run ends with, each figure as a string of its exact value (Double.toString round-trips). */
    record Outcome(List<String> epochs, Map<String, String> weights, Map<String, String> optimizer,
                   Map<String, String> averaged, Map<String, Double> scaler, String end) {
        Outcome after(Outcome later) {
            List<String> all = new ArrayList<>(epochs);
            all.addAll(later.epochs);
            return new Outcome(all, later.weights, later.optimizer, later.averaged, later.scaler, later.end);
        }
    }

    /** Thrown by a listener to kill a run part-way through an epoch. */
    private static final class Killed extends RuntimeException {
        Killed() {
            super("killed part-way through an epoch");
        }
    }

    /**
     * Trains {@code cell} until {@code lastEpoch}, writing checkpoints into {@code dir}; from {@code dir}'s checkpoint
     * when {@code resume} (a model built from another seed, so that only the checkpoint can make it right). A
     * {@code killAtBatch} above 0 stops the run with {@link Killed} after that batch of epoch {@code lastEpoch}.
     */
    private static Outcome run(Cell cell, Path dir, int lastEpoch, boolean resume, int killAtBatch) throws IOException {
        Engine.seed(resume ? 1234 : 7);
        try (Module model = cell.model.get(); Optimizer optimizer = cell.optimizer.apply(model);
             Module averaged = cell.average == null ? new Sequential() : cell.average.apply(model)) {
            Trainer t = new Trainer(model, optimizer, new CrossEntropyLoss()).precision(cell.precision)
                    .accumulateGradients(cell.accumulate).earlyStopping(cell.patience).checkpoints(dir, Map.of());
            GradScaler scaler = cell.scaler == null ? null : cell.scaler.get();
            t.gradScaler(scaler);
            if (!Double.isNaN(cell.clip)) {
                t.clipGradNorm(cell.clip);
            }
            if (cell.schedule != null) {
                t.schedule(cell.schedule.apply(optimizer));
            }
            if (cell.stepSchedule != null) {
                t.schedulePerStep(cell.stepSchedule.apply(optimizer));
            }
            if (averaged instanceof AveragedModel a) {
                t.averageWeights(a);
            }
            if (killAtBatch > 0) {
                t.listener(new TrainingListener() {
                    @Override
                    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                        if (epoch == lastEpoch && batch == killAtBatch) {
                            throw new Killed();
                        }
                    }
                });
            }
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            List<String> epochs = new ArrayList<>();
            for (EpochMetrics m : t.fit(cell.train.get(), cell.validation ? new DataLoader(VALIDATION, 12, false, 0) : null,
                    lastEpoch)) {
                epochs.add("epoch " + m.epoch() + ": loss " + m.trainLoss() + ", accuracy " + m.trainAccuracy()
                        + ", validation " + m.validationLoss() + " / " + m.validationAccuracy() + " / "
                        + m.validationTopK() + ", rate " + m.learningRate());
            }
            return new Outcome(epochs, values(model.stateDict()), values(optimizer.stateDict()),
                    values(averaged.stateDict()), scaler == null ? Map.of() : scaler.stateDict(),
                    "rate " + optimizer.learningRate() + ", best epoch " + t.bestEpoch());
        }
    }

    private static Map<String, String> values(Map<String, Tensor> state) {
        Map<String, String> out = new LinkedHashMap<>();
        state.forEach((k, v) -> out.put(k, java.util.Arrays.toString(v.toDoubleArray())));
        return out;
    }

    private static void assertSameOutcome(Outcome expected, Outcome actual, String what) {
        assertEquals(expected.epochs(), actual.epochs(), what + ": every epoch's figures");
        assertEquals(expected.weights(), actual.weights(), what + ": the model's weights and buffers");
        assertEquals(expected.optimizer(), actual.optimizer(), what + ": the optimizer's state");
        assertEquals(expected.averaged(), actual.averaged(), what + ": the averaged weights");
        assertEquals(expected.scaler(), actual.scaler(), what + ": the GradScaler's state");
        assertEquals(expected.end(), actual.end(), what + ": the rate and best epoch at the end");
    }

    /** Every cell, stopped after each epoch but the last. */
    static Stream<Arguments> cellsAndStops() {
        return cells().flatMap(c -> IntStream.range(1, EPOCHS).mapToObj(stop -> Arguments.of(c, stop)));
    }

    @ParameterizedTest(name = "{0}, stopped after epoch {1}")
    @MethodSource("cellsAndStops")
    void aRunResumedAfterAnEpochEndsBitForBitAsTheUninterruptedOne(Cell cell, int stop, @TempDir Path straight,
                                                                   @TempDir Path parts) throws IOException {
        Outcome uninterrupted = run(cell, straight, EPOCHS, false, 0);
        Outcome first = run(cell, parts, stop, false, 0);
        Outcome resumed = first.after(run(cell, parts, EPOCHS, true, 0));
        assertSameOutcome(uninterrupted, resumed, cell.name);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cells")
    void aRunKilledPartWayThroughAnEpochResumesFromTheEpochBeforeBitForBit(Cell cell, @TempDir Path straight,
                                                                           @TempDir Path parts) throws IOException {
        Outcome uninterrupted = run(cell, straight, EPOCHS, false, 0);
        Outcome first = run(cell, parts, STOP, false, 0);
        assertThrows(Killed.class, () -> run(cell, parts, STOP + 1, true, 3));
        Outcome resumed = first.after(run(cell, parts, EPOCHS, true, 0));
        assertSameOutcome(uninterrupted, resumed, cell.name);
    }
}
