package dev.kiln.train;

import dev.kiln.data.BatchLoader;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.distributed.DistributedDataParallel;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.optim.Optimizer;
import java.util.Arrays;
import java.util.Iterator;

/**
 * Leslie Smith's learning-rate range test, as PyTorch Lightning's {@code Tuner.lr_find} runs it: {@link #steps}
 * optimizer steps of one batch each (the loader's epochs 1, 2, ... in turn when one has fewer batches, a stream's
 * ({@link IterableDataLoader}) as a map-style loader's: its next epoch once it ends), the learning rate
 * of every parameter group rising exponentially from {@link #range minLr} at the first step to {@code maxLr} at the
 * last, each step's loss recorded with its {@link SmoothedLoss smoothed} value. The run stops early once the smoothed
 * loss is not finite or above {@value #EARLY_STOP_THRESHOLD} times the lowest of the steps before; that step is
 * recorded too. {@link LearningRateCurve#suggestion()} then gives Lightning's suggested rate.
 *
 * <p>Afterwards the model's parameters and buffers, its training mode, the optimizer's state and learning rates, and
 * the engine's random state are exactly what they were before, also when the run fails: the training that follows
 * starts from the same point.
 * <pre>{@code
 * LearningRateCurve curve = new LearningRateFinder(model, optimizer, new CrossEntropyLoss()).run(train);
 * curve.suggestion().ifPresent(optimizer::setLearningRate);
 * }</pre>
 */
public final class LearningRateFinder {
    /** Lightning's {@code min_lr}. */
    public static final double DEFAULT_MIN_LR = 1e-8;
    /** Lightning's {@code max_lr}. */
    public static final double DEFAULT_MAX_LR = 1;
    /** Lightning's {@code num_training}. */
    public static final int DEFAULT_STEPS = 100;
    /** Lightning's {@code early_stop_threshold}: the run stops when the smoothed loss exceeds this times its best. */
    public static final double EARLY_STOP_THRESHOLD = 4.0;

    private final Trainer trainer;
    private double minLr = DEFAULT_MIN_LR;
    private double maxLr = DEFAULT_MAX_LR;
    private int steps = DEFAULT_STEPS;

    /** Receives every step of a run as its loss arrives (a progress bar, say). */
    @FunctionalInterface
    public interface StepListener {
        /** Step {@code step} (from 1) of at most {@code steps}, at learning rate {@code lr}, is done. */
        void onStep(int step, int steps, double lr, double loss, double smoothedLoss);
    }

    /** A test of {@code model} trained by {@code optimizer} on {@code loss} (a scalar), in full F32 precision. */
    public LearningRateFinder(Module model, Optimizer optimizer, Loss loss) {
        this(new Trainer(model, optimizer, loss));
    }

    /**
     * A test with {@code trainer}'s model, optimizer and loss, and its precision and gradient clipping, so that the
     * steps are the training's; its schedules, averaging and checkpoints play no part. Refused for a trainer that
     * accumulates gradients: give the finder batches as large as the accumulated ones instead. Refused for a
     * {@link DistributedDataParallel} model: each rank would stop at its own step, its losses its own, and leave the
     * others waiting in an all-reduce.
     */
    public LearningRateFinder(Trainer trainer) {
        if (trainer.model() instanceof DistributedDataParallel) {
            throw new IllegalArgumentException("LearningRateFinder: the model is a DistributedDataParallel, whose ranks"
                    + " would each stop the test at their own step (each rank's losses are its own) and leave the"
                    + " others waiting in an all-reduce; run the range test in one process, on the wrapped module");
        }
        if (trainer.accumulatedBatches() != 1) {
            throw new IllegalArgumentException("LearningRateFinder: the trainer sums the gradients of "
                    + trainer.accumulatedBatches() + " batches per step (accumulateGradients), the range test takes one"
                    + " batch per step: give it a loader of batches " + trainer.accumulatedBatches()
                    + " times as large instead");
        }
        this.trainer = trainer;
    }

    /** The learning rates of the first and the last step (defaults 1e-8 and 1, Lightning's); 0 < minLr < maxLr. */
    public LearningRateFinder range(double minLr, double maxLr) {
        if (!(minLr > 0 && minLr < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("LearningRateFinder: minLr must be a finite number > 0, got " + minLr);
        }
        if (!(maxLr > 0 && maxLr < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("LearningRateFinder: maxLr must be a finite number > 0, got " + maxLr);
        }
        if (minLr >= maxLr) {
            throw new IllegalArgumentException("LearningRateFinder: minLr must be below maxLr, got minLr " + minLr
                    + " and maxLr " + maxLr);
        }
        this.minLr = minLr;
        this.maxLr = maxLr;
        return this;
    }

    /** The optimizer steps of a run that does not stop early (default 100, Lightning's), at least 2. */
    public LearningRateFinder steps(int steps) {
        if (steps < 2) {
            throw new IllegalArgumentException("LearningRateFinder: steps must be at least 2 (the first at minLr, the"
                    + " last at maxLr), got " + steps);
        }
        this.steps = steps;
        return this;
    }

    /** The optimizer steps of a run that does not stop early. */
    public int steps() {
        return steps;
    }

    /**
     * The rate of step {@code step} (from 0) of {@code steps}: {@code minLr * (maxLr / minLr)^(step / (steps - 1))},
     * exactly minLr at the first step and maxLr at the last, evenly spaced in log between. (Lightning's exponents
     * are 0, 2/steps, 3/steps, ..., 1, the rung at 1/steps skipped: its pull request #21931.)
     */
    static double learningRate(double minLr, double maxLr, int step, int steps) {
        double t = step / (double) (steps - 1);
        return Math.pow(minLr, 1 - t) * Math.pow(maxLr, t);
    }

    /** Runs the test on {@code train}'s batches: a {@link DataLoader} or a stream ({@link IterableDataLoader}). */
    public LearningRateCurve run(BatchLoader train) {
        return run(train, (step, of, lr, loss, smoothed) -> { });
    }

    /**
     * Runs the test on {@code train}'s batches, telling {@code listener} of every step.
     *
     * @throws IllegalArgumentException when an epoch of {@code train} has no batch: an empty data set or stream
     */
    public LearningRateCurve run(BatchLoader train, StepListener listener) {
        if (train instanceof DataLoader d && d.batchesPerEpoch() == 0) {
            throw new IllegalArgumentException("LearningRateFinder: the loader has no batches: its data set is empty");
        }
        Module model = trainer.model();
        Optimizer optimizer = trainer.optimizer();
        double[] rates = new double[steps];
        double[] losses = new double[steps];
        double[] smoothed = new double[steps];
        SmoothedLoss smoothing = new SmoothedLoss();
        double best = Double.POSITIVE_INFINITY;
        int done = 0;
        boolean diverged = false;
        try (TrainingSnapshot before = new TrainingSnapshot(model, optimizer); Batches batches = new Batches(train)) {
            try {
                model.train();
                while (done < steps && !diverged) {
                    int i = done++;
                    rates[i] = learningRate(minLr, maxLr, i, steps);
                    optimizer.setLearningRate(rates[i]);
                    losses[i] = trainer.step(batches.next()).get();
                    smoothed[i] = smoothing.add(losses[i]);
                    diverged = !Double.isFinite(smoothed[i]) || smoothed[i] > EARLY_STOP_THRESHOLD * best;
                    best = Math.min(best, smoothed[i]);
                    listener.onStep(done, steps, rates[i], losses[i], smoothed[i]);
                }
            } finally {
                before.restore();
            }
        }
        return new LearningRateCurve(Arrays.copyOf(rates, done), Arrays.copyOf(losses, done),
                Arrays.copyOf(smoothed, done), diverged && done < steps);
    }

    /**
     * One batch after another, epoch after epoch (1, 2, ... as a training run's), for as long as asked; a stream's
     * length shows only as it ends, so an epoch without a batch is refused when it is reached.
     */
    private static final class Batches implements AutoCloseable {
        private final BatchLoader loader;
        private int epoch;
        private Iterator<HostBatch> current;

        Batches(BatchLoader loader) {
            this.loader = loader;
        }

        HostBatch next() {
            if (current == null || !current.hasNext()) {
                epoch++;
                current = loader.epoch(epoch).iterator();
                if (!current.hasNext()) {
                    throw new IllegalArgumentException("LearningRateFinder: epoch " + epoch + " of the loader has no"
                            + " batches: its data set or stream is empty");
                }
            }
            return current.next();
        }

        /** Stops the loader's iteration, which the run leaves part-way. */
        @Override
        public void close() {
            loader.close();
        }
    }
}
