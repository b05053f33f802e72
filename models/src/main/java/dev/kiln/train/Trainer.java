package dev.kiln.train;

import dev.kiln.data.BatchLoader;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.distributed.DistributedDataParallel;
import dev.kiln.engine.Autocast;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Backend;
import dev.kiln.engine.DType;
import dev.kiln.engine.Engine;
import dev.kiln.engine.PendingItem;
import dev.kiln.engine.Precision;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.io.SafeTensors;
import dev.kiln.nn.Embedding;
import dev.kiln.nn.EmbeddingBag;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Module;
import dev.kiln.optim.AveragedModel;
import dev.kiln.optim.GradScaler;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.schedule.LearningRateSchedule;
import dev.kiln.optim.schedule.ReduceLROnPlateau;
import dev.kiln.profiler.Profiler;
import dev.kiln.profiler.ProfilerRange;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a classifier: epochs of shuffled mini-batches (one {@link Scope} per step), validation after
 * each epoch, optional early stopping that restores the best weights, a checkpoint after every epoch,
 * and exact resume from a checkpoint. The model maps a batch of features to scores
 * [batch, classes]; the loss compares them with I64 labels [batch].
 *
 * <p>An optimizer that re-evaluates the loss during its step ({@link Optimizer#needsClosure()}, as
 * {@link dev.kiln.optim.LBFGS}) steps once per batch on that batch: its closure clears the gradients, runs the forward
 * and backward pass, and clips the gradients when {@link #clipGradNorm} asks; the step's first evaluation gives the
 * loss and accuracy reported. Such an optimizer cannot {@link #accumulateGradients} nor replay {@link #cudaGraphs}.
 *
 * <p>A {@link DistributedDataParallel} model is trained through the wrapper (its checks and buffer broadcasts) and
 * evaluated, checkpointed, resumed and restored to its best epoch as the module it wraps, as a PyTorch script
 * validates and saves {@code ddp.module}: a rank can validate alone, and the checkpoints load into the bare model.
 * With {@link #accumulateGradients} each group's batches but the last run under its {@code noSync()}, so the
 * gradients are averaged once a step. It cannot replay {@link #cudaGraphs}.
 */
public final class Trainer {
    private static final Logger LOG = LoggerFactory.getLogger(Trainer.class);
    /** File name of the checkpoint written after every epoch. */
    public static final String CHECKPOINT = "checkpoint.safetensors";
    /** File name of the best epoch's weights, written beside the checkpoint when early stopping is on. */
    public static final String BEST = "best.safetensors";
    private static final String MODEL_PREFIX = "model.";
    private static final String OPTIMIZER_PREFIX = "optimizer.";
    private static final String AVERAGED_PREFIX = "averaged.";
    private static final String SCHEDULE_PREFIX = "schedule_state.";
    /** Checkpoint metadata keys of the {@link GradScaler}'s state, PyTorch's keys after it. */
    private static final String GRAD_SCALER_PREFIX = "grad_scaler.";
    /** Checkpoint metadata key of the run's {@link #precision}, as {@code --precision} spells it ("f16"). */
    private static final String PRECISION_KEY = "precision";
    /** Checkpoint metadata key of the optimizer steps taken, which a per-step schedule resumes from. */
    private static final String OPTIMIZER_STEPS_KEY = "optimizer_steps";

    private final Module model;
    /** What is evaluated and checkpointed: the model, or the module a DistributedDataParallel model wraps. */
    private final Module weights;
    private final Optimizer optimizer;
    private final Loss loss;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private final Map<String, String> checkpointMetadata = new LinkedHashMap<>();
    private LearningRateSchedule schedule;
    /** Stepped after every optimizer step rather than every epoch; null: none. */
    private LearningRateSchedule stepSchedule;
    /** Optimizer steps of the run so far, counted over every epoch (also those before a resume). */
    private int optimizerSteps;
    /** Whether {@link #resume} read a checkpoint that does not record {@link #optimizerSteps} (an earlier Kiln's). */
    private boolean stepsUnknown;
    /** Optimizer steps between the checkpoints written within an epoch; 0: none. */
    private int checkpointSteps;
    /** Where within an epoch the checkpoint {@link #resume} read was written; null: at an epoch's end. */
    private EpochPosition resumedPosition;
    private Path checkpointDir;
    private int topK = 5;
    private Precision precision = Precision.FP32;
    private boolean cudaGraphs;
    private GraphedStep graphed;
    private int patience;
    private double minDelta;
    /** Null: gradients go to the optimizer as they are. */
    private GradientClipping clipping;
    /** Batches whose gradients each optimizer step sums. */
    private int accumulation = 1;
    /** Updated after every optimizer step; null: none. */
    private AveragedModel averaged;
    private int nextEpoch = 1;
    private double bestLoss = Double.POSITIVE_INFINITY;
    private int bestEpoch;
    private int epochsWithoutImprovement;
    /** Whether {@link #resume} set the early-stopping state that the next {@link #fit} continues. */
    private boolean resumed;
    private Path resumedBest;
    private boolean restoredBest;
    /** Maps an epoch's monitored loss to the one every process of a distributed run acts on; else the identity. */
    private DoubleUnaryOperator monitoredLossAgreement = DoubleUnaryOperator.identity();
    /** Scales the loss of every eager step and unscales the gradients before clipping; null: none. */
    private GradScaler gradScaler;

    /**
     * {@code loss} must give a scalar (a reduction of MEAN or SUM): a step that gets more than one value fails. The
     * losses it reports are averaged over batches weighted by their size, which makes them per-example means for a
     * MEAN loss; with SUM they are batch sums, which scale with the batch size.
     */
    public Trainer(Module model, Optimizer optimizer, Loss loss) {
        this.model = model;
        this.weights = model instanceof DistributedDataParallel ddp ? ddp.module() : model;
        this.optimizer = optimizer;
        this.loss = loss;
    }

    /** Whether the last {@link #fit} restored the best epoch's weights (early stopping, with {@link #earlyStopping}). */
    public boolean restoredBestWeights() {
        return restoredBest;
    }

    /**
     * The epoch whose weights the last {@link #fit} restored (counted over the whole run, as after {@link #resume}),
     * or 0 when it kept the last epoch's ({@link #restoredBestWeights} false).
     */
    public int bestEpoch() {
        return restoredBest ? bestEpoch : 0;
    }

    /** Adjusts the learning rate after every epoch. */
    public Trainer schedule(LearningRateSchedule s) {
        this.schedule = s;
        return this;
    }

    /**
     * Adjusts the learning rate after every optimizer step, as a PyTorch loop that calls {@code scheduler.step()}
     * after each {@code optimizer.step()}: {@code s.step(n, NaN)} after the run's n-th step, counted over every
     * epoch, so that a resumed run continues the curve. For schedules sized in steps, as {@code OneCycleLR} or a
     * warm-up; {@link #stepsPerEpoch} tells how many an epoch takes. Not ReduceLROnPlateau, which watches a loss an
     * epoch gives, nor any schedule that keeps state (as a warm-up into one): a step gives no loss, and checkpoints
     * keep only {@link #schedule}'s state. Beside {@link #schedule}, which may also be set.
     */
    public Trainer schedulePerStep(LearningRateSchedule s) {
        if (s instanceof ReduceLROnPlateau) {
            throw new IllegalArgumentException("Trainer.schedulePerStep: ReduceLROnPlateau watches an epoch's loss;"
                    + " give it to schedule(), which steps it after every epoch");
        }
        if (!s.stateDict().isEmpty()) {
            throw new IllegalArgumentException("Trainer.schedulePerStep: " + s.getClass().getSimpleName() + " keeps "
                    + s.stateDict().keySet() + " from the losses it watches; give it to schedule(), which steps it"
                    + " after every epoch with the epoch's loss and keeps its state in the checkpoint");
        }
        this.stepSchedule = s;
        return this;
    }

    /**
     * The optimizer steps an epoch over {@code train} takes: a step per batch ({@link DataLoader#batchesPerEpoch}, which
     * follows its sampler and drop-last), or per group of {@link #accumulateGradients} batches (an epoch's last group
     * may be shorter); with {@link #cudaGraphs} on a backend that records graphs, full batches only.
     */
    public int stepsPerEpoch(DataLoader train) {
        return (batchesPerEpoch(train) + accumulation - 1) / accumulation;
    }

    /**
     * Updates {@code averaged} (made from this trainer's model) after every optimizer step, as a PyTorch loop calls
     * {@code swa_model.update_parameters(model)}, and keeps its state in the checkpoints, so that a resumed run
     * continues the average. Evaluate it with {@link #evaluate(Module, Loss, BatchLoader, int)}.
     */
    public Trainer averageWeights(AveragedModel averaged) {
        this.averaged = averaged;
        return this;
    }

    public Trainer listener(TrainingListener l) {
        listeners.add(l);
        return this;
    }

    /**
     * The precision of matrix products and convolutions in training and evaluation ({@link Autocast}; default
     * FP32). With {@link Precision#BF16} they take bfloat16 operands while weights, gradients and optimizer state
     * stay F32: mixed precision with an F32 master copy of the weights. {@link Precision#F16} (half operands) wants a
     * {@link #gradScaler} as well, whose loss scale keeps small gradients above half's underflow.
     */
    public Trainer precision(Precision p) {
        if (p == null) {
            throw new IllegalArgumentException("precision must not be null; FP32 is the default");
        }
        this.precision = p;
        return this;
    }

    /**
     * Opt-in: where the backend records step graphs (CUDA), the first two training steps of a {@link #fit} run
     * eagerly, the third records its forward and backward pass as a CUDA graph, and it and every later step replay
     * that graph, launched in one call instead of kernel by kernel; the optimizer still runs eagerly. A graph
     * replays one batch shape, so the last batch of an epoch is skipped when it is partial; it replays its kernels'
     * arguments, so a model that draws random numbers in training (dropout) is refused, and one whose forward
     * pass depends on values read on the host (a recurrent layer's sequence lengths) must keep them fixed. On
     * other backends training is eager, and a line in the log says so; so is it, with such a line, on a loader
     * {@link DataLoader#withBatchAugmentation} (MixUp, CutMix), whose soft targets the recorded step does not take.
     */
    public Trainer cudaGraphs(boolean on) {
        if (on && model instanceof DistributedDataParallel) {
            throw new IllegalArgumentException("Trainer.cudaGraphs: a DistributedDataParallel model averages its"
                    + " gradients on the host during the backward pass, which a replayed CUDA graph cannot do; leave"
                    + " cudaGraphs off");
        }
        if (on && optimizer.needsClosure()) {
            throw new IllegalArgumentException("Trainer.cudaGraphs: " + optimizerName() + " re-evaluates the loss"
                    + " during its step, which a replayed forward and backward pass cannot do; leave cudaGraphs off");
        }
        if (on) {
            refuseSparseTables();
        }
        this.cudaGraphs = on;
        return this;
    }

    /** The k of the top-k accuracy reported for validation (default 5). */
    public Trainer topK(int k) {
        if (k < 1) {
            throw new IllegalArgumentException("topK must be at least 1, got " + k);
        }
        this.topK = k;
        return this;
    }

    /**
     * Stops after {@code patience} epochs without a lower validation loss (training loss when there is no
     * validation data; lower by more than {@link #earlyStoppingMinDelta}) and then restores the weights of the best
     * epoch. 0 turns it off.
     */
    public Trainer earlyStopping(int patience) {
        if (patience < 0) {
            throw new IllegalArgumentException("patience must be >= 0, got " + patience);
        }
        this.patience = patience;
        return this;
    }

    /**
     * For {@link #earlyStopping}: an epoch counts as an improvement only when its loss is more than {@code minDelta}
     * below the best so far, as Keras' and Lightning's EarlyStopping(min_delta) count it (default 0: any fall).
     * Smaller falls do not move the best, so they add up.
     */
    public Trainer earlyStoppingMinDelta(double minDelta) {
        if (!(minDelta >= 0 && minDelta < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("Trainer.earlyStoppingMinDelta: minDelta must be a finite number >= 0, got "
                    + minDelta);
        }
        this.minDelta = minDelta;
        return this;
    }

    /**
     * Clips the gradients' joint L2 norm to {@code maxNorm} before every optimizer step (PyTorch's
     * {@code clip_grad_norm_(model.parameters(), maxNorm)} between {@code backward()} and {@code step()}). Off by
     * default.
     */
    public Trainer clipGradNorm(double maxNorm) {
        return clipGradNorm(maxNorm, 2);
    }

    /** {@link #clipGradNorm(double)} with the p-norm {@code normType} (&gt; 0, or infinity for the max norm). */
    public Trainer clipGradNorm(double maxNorm, double normType) {
        this.clipping = new GradientClipping(maxNorm, normType);
        return this;
    }

    /**
     * Sums the gradients of {@code batches} batches before each optimizer step, each batch's loss divided by
     * {@code batches} for its backward pass (PyTorch Lightning's {@code accumulate_grad_batches}): a step of the
     * mean loss over {@code batches} times the batch size, in a batch's memory. An epoch's last group, when fewer
     * batches are left, steps as well, its losses divided the same way. The losses reported stay per batch. 1 (the
     * default): a step per batch. Not with {@link #cudaGraphs}, whose replayed step clears the gradients.
     */
    public Trainer accumulateGradients(int batches) {
        if (batches < 1) {
            throw new IllegalArgumentException("Trainer.accumulateGradients: batches must be at least 1, got " + batches);
        }
        if (batches > 1 && optimizer.needsClosure()) {
            throw new IllegalArgumentException("Trainer.accumulateGradients: " + optimizerName() + " re-evaluates the"
                    + " loss of one batch during its step, so it cannot sum the gradients of " + batches + " batches");
        }
        this.accumulation = batches;
        return this;
    }

    /**
     * Writes {@link #CHECKPOINT} into {@code dir} after every epoch, with these metadata entries, and the backend's
     * tuning choices beside it ({@link #saveCheckpoint}).
     */
    public Trainer checkpoints(Path dir, Map<String, String> metadata) {
        this.checkpointDir = dir;
        this.checkpointMetadata.putAll(metadata);
        return this;
    }

    /**
     * Also writes the {@link #checkpoints} checkpoint after every {@code steps} optimizer steps within an epoch (not
     * after an epoch's last, which the epoch's own checkpoint follows), recording the batch reached and the loader's
     * settings ({@link EpochPosition}), so that {@link #resume} can continue part-way through the epoch, as a PyTorch
     * loop that saves torchdata's {@code StatefulDataLoader.state_dict()} with the model every so many steps. Over a
     * {@link DataLoader} or a stream ({@link IterableDataLoader}); a stream must be
     * {@link dev.kiln.data.IterableDataset#replayable()}, which the resumed fit checks.
     *
     * @param steps optimizer steps between checkpoints, at least 1
     */
    public Trainer checkpointEverySteps(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("Trainer.checkpointEverySteps: steps must be at least 1, got " + steps);
        }
        this.checkpointSteps = steps;
        return this;
    }

    /**
     * Trains until epoch {@code lastEpoch} (inclusive), starting after the last completed epoch (1 for a
     * new run, later after {@link #resume}). After {@link #resume} from a checkpoint written within an epoch
     * ({@link #checkpointEverySteps}) it continues from the batch recorded ({@link DataLoader#epoch(int, int)}): the run
     * goes on as the uninterrupted one would.
     *
     * @param validation a {@link DataLoader} or a stream ({@link IterableDataLoader}), not mixing its batches; null to
     *                   skip validation
     * @return one entry per epoch trained by this call
     * @throws IllegalStateException    with {@link #checkpointEverySteps} but no {@link #checkpoints} directory
     * @throws IllegalArgumentException when resuming within an epoch with other loader settings than the run's
     */
    public List<EpochMetrics> fit(DataLoader train, BatchLoader validation, int lastEpoch) {
        if (cudaGraphs && accumulation > 1) {
            throw new IllegalStateException("Trainer: cudaGraphs replays a step that clears the gradients, so it cannot"
                    + " accumulate them over " + accumulation + " batches (accumulateGradients); turn one of them off");
        }
        EpochPosition from = resumedPosition(train);
        int firstEpoch = nextEpoch;
        int steps = stepsPerEpoch(train);
        // A checkpoint within an epoch is written at a group's end: its batches took batch / accumulation steps.
        int stepsWithin = from == null ? 0 : from.batch() / accumulation;
        refuseAnotherEpochLength(steps, stepsWithin);
        return fitEpochs((nextEpoch - 1) * steps + stepsWithin, () -> graphedStep(train), epoch -> trainEpoch(
                train, epoch, graphed == null ? train.batchesPerEpoch() : GraphedStep.batchesPerEpoch(train),
                validation, epoch == firstEpoch ? from : null), validation, lastEpoch);
    }

    /**
     * Refuses, with a per-step schedule, to resume on a loader whose epochs take {@code steps} optimizer steps where
     * the run's took another number (the checkpoint's {@link #OPTIMIZER_STEPS_KEY}, {@code stepsWithin} of them
     * within the epoch resumed): the schedule would go on from another step than the one the run stopped at.
     */
    private void refuseAnotherEpochLength(int steps, int stepsWithin) {
        int epochs = nextEpoch - 1;
        int expected = epochs * steps + stepsWithin;
        if (stepSchedule != null && resumed && !stepsUnknown && optimizerSteps != expected) {
            throw new IllegalStateException("Trainer.fit: the run resumed took " + optimizerSteps + " optimizer steps"
                    + " in " + epochs + " epochs" + (stepsWithin > 0 ? " and " + stepsWithin + " steps" : "")
                    + " and this loader's epochs take " + steps + ", so the per-step schedule "
                    + stepSchedule.getClass().getSimpleName() + " would go on from step " + expected + ", not"
                    + " from step " + optimizerSteps + " where the run stopped; train on a loader of the run's batch"
                    + " size, sampler and drop-last");
        }
    }

    /**
     * Trains on a stream ({@link IterableDataLoader}) until epoch {@code lastEpoch} (inclusive), as
     * {@link #fit(DataLoader, BatchLoader, int)}: each epoch ends when the stream does. Its length is not known
     * beforehand, so listeners get 0 as {@link TrainingListener#onBatchEnd}'s batchesPerEpoch (a progress bar shows
     * counts without a total). With {@link #accumulateGradients}, a batch whose group is not yet full waits for the
     * stream's next batch, or its end, before it steps: the epoch's last group, however short, then steps, its
     * losses divided as the others', as over a {@link DataLoader}. After {@link #resume} from a checkpoint written
     * within an epoch ({@link #checkpointEverySteps}) it continues from the batch recorded, which the loader reaches by
     * passing over the ones before ({@link IterableDataLoader#epoch(int, int)}): the run goes on as the uninterrupted one
     * would. A {@link #schedulePerStep} goes on from the steps the checkpoint records. {@link #cudaGraphs} trains
     * eagerly.
     *
     * @param validation a {@link DataLoader} or a stream ({@link IterableDataLoader}), not mixing its batches; null to
     *                   skip validation
     * @return one entry per epoch trained by this call
     * @throws IllegalStateException    when resuming within an epoch of a stream that is not
     *                                  {@link dev.kiln.data.IterableDataset#replayable()}, or with a per-step schedule
     *                                  from a checkpoint that does not record its steps; with
     *                                  {@link #checkpointEverySteps} but no {@link #checkpoints} directory
     * @throws IllegalArgumentException when resuming within an epoch with other loader settings than the run's
     */
    public List<EpochMetrics> fit(IterableDataLoader train, BatchLoader validation, int lastEpoch) {
        EpochPosition from = resumedPosition(train);
        if (stepSchedule != null && stepsUnknown) {
            throw new IllegalStateException("Trainer: resuming at epoch " + nextEpoch + " with the per-step schedule "
                    + stepSchedule.getClass().getSimpleName() + " (schedulePerStep) over a stream (IterableDataLoader),"
                    + " but the checkpoint records no " + OPTIMIZER_STEPS_KEY + " (an earlier Kiln wrote it) and a"
                    + " stream's epochs have no known length to count them by; resume from a checkpoint of this"
                    + " version, or schedule per epoch");
        }
        if (cudaGraphs) {
            LOG.info("CUDA graphs requested, but a stream's batches are not known beforehand: training eagerly");
        }
        int firstEpoch = nextEpoch;
        int stepsBefore = firstEpoch == 1 && from == null ? 0 : optimizerSteps;
        return fitEpochs(stepsBefore, () -> null, epoch -> trainEpoch(train, epoch, 0, validation,
                epoch == firstEpoch ? from : null), validation, lastEpoch);
    }

    /**
     * Where within its first epoch a fit on {@code train} starts: the position of the checkpoint {@link #resume} read,
     * checked against {@code train}, or null for the epoch's start. Refuses {@link #checkpointEverySteps} without a
     * {@link #checkpoints} directory to write into, and a position {@code train} cannot resume from.
     */
    private EpochPosition resumedPosition(BatchLoader train) {
        if (checkpointSteps > 0 && checkpointDir == null) {
            throw new IllegalStateException("Trainer.fit: checkpointEverySteps(" + checkpointSteps + ") writes the"
                    + " checkpoint within an epoch into the checkpoints directory, and none is set; call"
                    + " checkpoints(dir, metadata) too");
        }
        // Cleared when the epochs start (fitEpochs), so that a fit refused here or after leaves it for the next.
        EpochPosition from = resumedPosition;
        if (from != null) {
            from.check(train, nextEpoch);
            // Refused here, before anything is trained, rather than when the epoch's iteration starts.
            train.epoch(nextEpoch, from.batch());
        }
        return from;
    }

    /**
     * The epochs of a fit, after {@code stepsBefore} optimizer steps of earlier epochs: {@code graphs} gives the
     * graph-replaying step (or null), {@code epochs} trains one epoch and validates on {@code validation}.
     */
    private List<EpochMetrics> fitEpochs(int stepsBefore, Supplier<GraphedStep> graphs, IntFunction<EpochMetrics> epochs,
                                         BatchLoader validation, int lastEpoch) {
        if (validation != null) {
            // Before the first epoch, not after it.
            refuseMixed(validation, "Trainer.fit: the validation");
        }
        List<EpochMetrics> history = new ArrayList<>();
        if (!resumed) {
            // Each fit watches its own epochs, as Keras' EarlyStopping does from on_train_begin.
            bestLoss = Double.POSITIVE_INFINITY;
            bestEpoch = 0;
            epochsWithoutImprovement = 0;
            resumedBest = null;
        }
        resumed = false;
        resumedPosition = null;
        restoredBest = false;
        BestWeights best = patience > 0 ? new BestWeights() : null;
        if (best != null && resumedBest != null) {
            best.load(resumedBest);
            if (checkpointDir != null && !resumedBest.getFileName().toString().equals(BEST)) {
                // The checkpoint's own epoch is the best: a kill after the checkpoint may have kept it from BEST.
                saveModel(checkpointDir.resolve(BEST), bestEpoch);
            }
        }
        String reason = "completed " + lastEpoch + " epochs";
        optimizerSteps = stepsBefore;
        graphed = graphs.get();
        try {
            // A resumed run that had stopped early stays stopped, as the uninterrupted run did.
            for (int epoch = nextEpoch; epoch <= lastEpoch && !stoppedEarly(); epoch++) {
                EpochMetrics m = epochs.apply(epoch);
                history.add(m);
                // A NaN loss (a diverged epoch) is never an improvement.
                double monitored = monitoredLossAgreement.applyAsDouble(
                        validation != null ? m.validationLoss() : m.trainLoss());
                if (monitored < bestLoss - minDelta) {
                    bestLoss = monitored;
                    bestEpoch = epoch;
                    epochsWithoutImprovement = 0;
                    if (best != null) {
                        best.capture(weights);
                    }
                } else {
                    epochsWithoutImprovement++;
                }
                if (schedule != null) {
                    schedule.step(epoch, monitored);
                }
                nextEpoch = epoch + 1;
                if (checkpointDir != null) {
                    // The epoch's figures too: stopped before the listeners write them, a resumed run can.
                    saveCheckpoint(checkpointDir.resolve(CHECKPOINT), epoch, m.toMetadata());
                    // After the checkpoint: killed between the two, a resume takes this best epoch from the checkpoint.
                    if (best != null && bestEpoch == epoch) {
                        saveModel(checkpointDir.resolve(BEST), epoch);
                    }
                }
                listeners.forEach(l -> l.onEpochEnd(m));
            }
            if (stoppedEarly()) {
                reason = "early stopping: no improvement" + (minDelta > 0 ? " of more than " + minDelta : "")
                        + " for " + patience + " epochs";
            }
            if (best != null && best.hasWeights()) {
                best.restore(weights);
                restoredBest = true;
            }
        } finally {
            if (best != null) {
                best.close();
            }
            if (graphed != null) {
                graphed.close();
                graphed = null;
            }
        }
        int last = nextEpoch - 1;
        String why = reason;
        listeners.forEach(l -> l.onTrainingEnd(last, why));
        return history;
    }

    /** Whether early stopping has seen {@link #earlyStopping}'s patience run out. */
    private boolean stoppedEarly() {
        return patience > 0 && epochsWithoutImprovement >= patience;
    }

    /**
     * The graph-replaying step when {@link #cudaGraphs} asks for one, the backend records graphs and {@code train}
     * has a full batch to replay, else null.
     */
    private GraphedStep graphedStep(DataLoader train) {
        if (!cudaGraphs) {
            return null;
        }
        refuseSparseTables();
        Backend backend = Engine.get().backend();
        if (!backend.canCaptureSteps()) {
            LOG.info("CUDA graphs requested, but the {} backend does not record step graphs: training eagerly",
                    backend.name());
            return null;
        }
        if (scalesLoss()) {
            LOG.info("CUDA graphs requested, but a GradScaler skips the steps whose gradients overflow, which a"
                    + " replayed step cannot: training eagerly");
            return null;
        }
        if (train.batchAugmentation() != null) {
            LOG.info("CUDA graphs requested, but the training batches are mixed ({}) into soft targets, which the"
                    + " recorded step's integer labels cannot hold: training eagerly", train.batchAugmentation());
            return null;
        }
        if (GraphedStep.batchesPerEpoch(train) == 0) {
            LOG.info("CUDA graphs requested, but the {} training examples of an epoch make no full batch of {} to"
                    + " replay: training eagerly", train.examplesPerEpoch(), train.batchSize());
            return null;
        }
        return new GraphedStep(model, optimizer, clipping, loss, precision, train.batchSize());
    }

    /**
     * Refuses a table with sparse gradients for {@link #cudaGraphs}: its lookup reads the indices on the host and
     * hands the rows' gradient over outside the recorded kernels, neither of which a replayed graph can redo. Checked
     * again at {@link #fit}, as a table may be made sparse after the request.
     */
    private void refuseSparseTables() {
        for (Module m : model.modules()) {
            if (m instanceof Embedding e && e.isSparse() || m instanceof EmbeddingBag b && b.isSparse()) {
                throw new IllegalArgumentException("Trainer.cudaGraphs: " + m + " has sparse gradients, whose"
                        + " lookup reads its indices on the host at every step, which a replayed CUDA graph cannot"
                        + " do; make it dense (sparse(false)) or leave cudaGraphs off");
            }
        }
    }

    /**
     * Trains epoch {@code epoch} of {@code train}, {@code batches} batches (0 when not known: a stream, whose end a
     * group of {@link #accumulateGradients} learns by asking for the next batch), from {@code from} on (null: from its
     * start), and validates on {@code validation} (unless null). A failed step stops the loader's workers on its way
     * out.
     */
    private EpochMetrics trainEpoch(BatchLoader train, int epoch, int batches, BatchLoader validation,
                                    EpochPosition from) {
        model.train();
        StepLosses losses = new StepLosses(epoch, batches, listeners);
        int firstBatch = from == null ? 0 : from.batch();
        long correctBefore = from == null ? 0 : from.correct();
        if (from != null) {
            losses.resumeAt(from.batch(), from.lossSum(), from.samples());
        }
        // Hits are added up on the device and read once at the end: reading them at every step would make the
        // host wait for the device twice more per step than reading the loss does.
        Tensor hits = Scope.outside(() -> Tensor.zeros(DType.I64));
        long correct;
        double lastRate = optimizer.learningRate();
        long start = System.nanoTime();
        try {
            int index = firstBatch;
            Iterator<HostBatch> epochBatches = train.epoch(epoch, firstBatch).iterator();
            while (epochBatches.hasNext()) {
                HostBatch batch = epochBatches.next();
                if (graphed != null && !graphed.fits(batch)) {
                    continue;
                }
                boolean opensGroup = index % accumulation == 0;
                boolean closesGroup = (index + 1) % accumulation == 0
                        || (batches > 0 ? index + 1 == batches : !epochBatches.hasNext());
                PendingItem loss = graphed != null && graphed.takes() ? graphed.step(batch, hits)
                        : step(batch, hits, opensGroup, closesGroup);
                losses.queued(loss, batch.size());
                if (closesGroup) {
                    lastRate = optimizer.learningRate();
                    optimizerSteps++;
                    if (averaged != null) {
                        averaged.updateParameters(weights);
                    }
                    if (stepSchedule != null) {
                        stepSchedule.step(optimizerSteps, Double.NaN);
                    }
                    // A graphed epoch ends at its last full batch, before the partial one it passes over.
                    if (checkpointsWithin() && (batches > 0 ? index + 1 < batches : epochBatches.hasNext())) {
                        saveWithinEpoch(train, epoch, index + 1, losses, correctBefore + hits.toLongArray()[0]);
                    }
                }
                index++;
            }
            losses.finish();
            correct = correctBefore + hits.toLongArray()[0];
        } finally {
            hits.close();
            train.close();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        long samples = losses.samples();
        // A resumed epoch's examples before the checkpoint were trained, and timed, by the run that wrote it.
        long timed = samples - (from == null ? 0 : from.samples());
        Evaluation v = validation == null ? null : evaluate(validation);
        return new EpochMetrics(epoch, losses.weightedSum() / samples, correct / (double) samples,
                v == null ? Double.NaN : v.loss(), v == null ? Double.NaN : v.accuracy(), v == null ? Double.NaN : v.topK(),
                lastRate, seconds, timed / seconds, losses.waitSeconds());
    }

    /** Whether the step just taken is one after which {@link #checkpointEverySteps} writes a checkpoint. */
    private boolean checkpointsWithin() {
        return checkpointDir != null && checkpointSteps > 0 && optimizerSteps % checkpointSteps == 0;
    }

    /**
     * Writes the checkpoint after {@code batch} batches of epoch {@code epoch} of {@code train}: the last completed
     * epoch is the one before, and the position within this one ({@link EpochPosition}) holds the epoch's sums so far,
     * the last step's loss read for them.
     */
    private void saveWithinEpoch(BatchLoader train, int epoch, int batch, StepLosses losses, long correct) {
        losses.finish();
        EpochPosition at = EpochPosition.of(train, batch, losses.weightedSum(), losses.samples(), correct);
        saveCheckpoint(checkpointDir.resolve(CHECKPOINT), epoch - 1, at.metadata());
    }

    /** The model this trainer trains. */
    Module model() {
        return model;
    }

    /** The optimizer that steps {@link #model()}. */
    Optimizer optimizer() {
        return optimizer;
    }

    /** The batches whose gradients each optimizer step sums ({@link #accumulateGradients}). */
    int accumulatedBatches() {
        return accumulation;
    }

    /**
     * Queues one eager optimizer step on {@code batch} alone, with this trainer's precision and clipping, in training
     * mode as the caller set it: returns its loss on its way. For a trainer that does not accumulate gradients.
     */
    PendingItem step(HostBatch batch) {
        if (accumulation != 1) {
            throw new IllegalStateException("Trainer.step: a step of one batch, but this trainer sums the gradients of "
                    + accumulation + " batches (accumulateGradients)");
        }
        return step(batch, null, true, true);
    }

    /**
     * Queues one eager training step on {@code batch}: returns its loss on its way, adds its hits to {@code hits}
     * (unless null). A batch that opens a group of {@link #accumulateGradients} clears the gradients first; one that
     * closes it runs the optimizer.
     */
    private PendingItem step(HostBatch batch, Tensor hits, boolean opensGroup, boolean closesGroup) {
        if (optimizer.needsClosure()) {
            return closureStep(batch, hits);
        }
        try (Scope step = Scope.open(); DistributedDataParallel.NoSync local = localGradients(closesGroup)) {
            Tensor labels = batch.labels();
            Tensor targets = lossTargets(batch, labels);
            Tensor features = batch.features();
            batch.recycle();
            Scored scored = forwardWithLoss(features, targets);
            Tensor scores = scored.scores();
            Tensor l = scored.loss();
            if (opensGroup) {
                optimizer.zeroGrad();
            }
            Tensor backpropagated = accumulation == 1 ? l : l.div(accumulation);
            try (ProfilerRange backward = Profiler.range("backward")) {
                (gradScaler == null ? backpropagated : gradScaler.scale(backpropagated)).backward();
            }
            if (closesGroup) {
                try (ProfilerRange update = Profiler.range("optimizer.step")) {
                    optimizerStep();
                }
            }
            if (hits != null) {
                Accuracy.accumulate(scores, labels, hits);
            }
            return l.itemAsync();
        }
    }

    /**
     * For a batch of a {@link DistributedDataParallel} model that does not close its group of
     * {@link #accumulateGradients}: its {@code noSync()}, so that the gradients accumulate locally and are averaged
     * once, by the group's last backward pass (PyTorch Lightning's accumulation does the same), instead of once a
     * batch. Null otherwise.
     */
    private DistributedDataParallel.NoSync localGradients(boolean closesGroup) {
        return !closesGroup && model instanceof DistributedDataParallel ddp ? ddp.noSync() : null;
    }

    /**
     * Clips the gradients when asked and steps the optimizer; with a {@link #gradScaler}, as PyTorch's AMP recipe:
     * unscale, clip, a step unless a gradient overflowed, then the scale's update.
     */
    private void optimizerStep() {
        if (gradScaler != null) {
            gradScaler.unscale(optimizer);
        }
        if (clipping != null) {
            clipping.clip(optimizer);
        }
        if (gradScaler == null) {
            optimizer.step();
        } else {
            gradScaler.step(optimizer);
            gradScaler.update();
        }
    }

    /**
     * One step of an optimizer that re-evaluates the loss on {@code batch} ({@link Optimizer#needsClosure()}): returns
     * the loss of its first evaluation, at the weights before the step, and adds that evaluation's hits to {@code hits}
     * (unless null), as the eager step reports the forward pass before its update.
     */
    private PendingItem closureStep(HostBatch batch, Tensor hits) {
        try (Scope step = Scope.open()) {
            Tensor labels = batch.labels();
            Tensor targets = lossTargets(batch, labels);
            Tensor features = batch.features();
            batch.recycle();
            boolean[] first = {true};
            double l = optimizer.step(() -> {
                optimizer.zeroGrad();
                Scored scored = forwardWithLoss(features, targets);
                scored.loss().backward();
                if (clipping != null) {
                    clipping.clip(optimizer);
                }
                if (first[0] && hits != null) {
                    Accuracy.accumulate(scored.scores(), labels, hits);
                }
                first[0] = false;
                return scored.loss();
            });
            return () -> l;
        }
    }

    /**
     * What the loss compares the scores with: a mixed batch's soft targets [batch, classes]
     * ({@link DataLoader#withBatchAugmentation}), else its labels. Accuracy reads the labels, which in a mixed batch
     * are each row's dominant class, as torchvision's reference training reads its mixed targets.
     */
    private static Tensor lossTargets(HostBatch batch, Tensor labels) {
        return batch.targetData() == null ? labels : batch.targets();
    }

    /** The model's scores for a batch and their loss, in the trainer's precision: what a step backpropagates. */
    private Scored forwardWithLoss(Tensor features, Tensor targets) {
        try (ProfilerRange forward = Profiler.range("forward"); Autocast.Guard mixed = Autocast.enable(precision)) {
            Tensor scores = model.forward(features);
            return new Scored(scores, targets.dtype().isFloating() ? softTargetLoss(scores, targets)
                    : scalarLoss(loss, scores, targets));
        }
    }

    /**
     * The loss against a mixed batch's soft targets [batch, classes]: a loss that refuses them (one that takes class
     * indices, as NLLLoss) is named with its reason and what to train with instead, as the batch's F32 targets come
     * from the loader, not from the caller.
     */
    private Tensor softTargetLoss(Tensor scores, Tensor targets) {
        Tensor l;
        try {
            l = loss.compute(scores, targets);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("Trainer: the loss " + loss.getClass().getSimpleName() + " refused the"
                    + " soft targets " + targets.shape() + " of a mixed batch (DataLoader.withBatchAugmentation): "
                    + e.getMessage() + "; train on mixed batches with a loss of class probabilities, such as"
                    + " CrossEntropyLoss, or build the loader without the batch augmentation", e);
        }
        return requireScalar(loss, l, scores, targets);
    }

    private record Scored(Tensor scores, Tensor loss) {
    }

    private String optimizerName() {
        return optimizer.getClass().getSimpleName();
    }

    /**
     * {@code loss} of {@code scores} against {@code labels}, refused unless it is one value: a step backpropagates
     * it and an epoch adds it up per batch.
     */
    static Tensor scalarLoss(Loss loss, Tensor scores, Tensor labels) {
        return requireScalar(loss, loss.compute(scores, labels), scores, labels);
    }

    private static Tensor requireScalar(Loss loss, Tensor l, Tensor scores, Tensor labels) {
        if (l.size() != 1) {
            throw new IllegalArgumentException("Trainer: the loss " + loss.getClass().getSimpleName() + " gave "
                    + l.shape() + " for scores " + scores.shape() + " and labels " + labels.shape()
                    + ", expected a scalar; a loss with reduction NONE gives per-element losses for the caller to"
                    + " reduce: train with MEAN or SUM");
        }
        return l;
    }

    /** Loss, accuracy and top-k accuracy of this trainer's model, in evaluation mode. */
    public Evaluation evaluate(BatchLoader data) {
        try (Autocast.Guard mixed = Autocast.enable(precision)) {
            return evaluate(weights, loss, data, topK);
        }
    }

    /**
     * Loss, accuracy and top-k accuracy in evaluation mode, without recording gradients, over epoch 0 of {@code data}:
     * a {@link DataLoader}'s examples, or a stream's ({@link IterableDataLoader}) until it ends. The sums stay on the
     * device until the end: an evaluation waits for it once, not at every batch.
     */
    public static Evaluation evaluate(Module model, Loss loss, BatchLoader data, int topK) {
        return evaluate(model, loss, data, topK, null);
    }

    /**
     * As {@link #evaluate(Module, Loss, BatchLoader, int)}, and adds every batch's predictions to {@code confusion}
     * (when not null) in the same pass; that reads each batch's labels and predictions back from the device.
     *
     * @throws IllegalArgumentException for a loader {@link DataLoader#withBatchAugmentation}: its mixed images would
     *                                  be scored against their dominant classes alone
     */
    public static Evaluation evaluate(Module model, Loss loss, BatchLoader data, int topK, ConfusionMatrix confusion) {
        refuseMixed(data, "Trainer.evaluate: the");
        boolean wasTraining = model.isTraining();
        model.eval();
        int samples = 0;
        try (Autograd.Guard g = Autograd.noGrad(); Scope sums = Scope.open(); DeviceSum lossSum = new DeviceSum()) {
            Tensor correct = Tensor.zeros(DType.I64);
            Tensor inTopK = Tensor.zeros(DType.F64);
            for (HostBatch batch : data.epoch(0)) {
                try (Scope s = Scope.open()) {
                    Tensor labels = batch.labels();
                    Tensor features = batch.features();
                    batch.recycle();
                    Tensor scores = model.forward(features);
                    lossSum.add(scalarLoss(loss, scores, labels), batch.size());
                    Accuracy.accumulate(scores, labels, correct);
                    Accuracy.accumulateTopK(scores, labels, topK, inTopK);
                    if (confusion != null) {
                        confusion.add(scores, labels);
                    }
                    samples += batch.size();
                }
            }
            return new Evaluation(lossSum.read() / samples, correct.toLongArray()[0] / (double) samples,
                    inTopK.item() / samples, topK, samples);
        } finally {
            data.close();
            if (wasTraining) {
                model.train();
            }
        }
    }

    /**
     * Refuses an evaluation loader {@link DataLoader#withBatchAugmentation}, {@code who} naming the caller. A stream's
     * loader never mixes its batches.
     */
    private static void refuseMixed(BatchLoader data, String who) {
        if (data instanceof DataLoader d && d.batchAugmentation() != null) {
            throw new IllegalArgumentException(who + " loader mixes its batches (" + d.batchAugmentation()
                    + "), whose mixed images would be scored against their dominant classes alone; evaluate on a"
                    + " loader without withBatchAugmentation (torchvision's recipe mixes only the training batches)");
        }
    }

    /**
     * Writes model, optimizer, epoch and random state to {@code file} (atomically), and the backend's tuning choices
     * beside it ({@link TuningChoices}), which {@link #resume} loads.
     */
    public void saveCheckpoint(Path file, int epoch) {
        saveCheckpoint(file, epoch, Map.of());
    }

    /** {@link #saveCheckpoint(Path, int)} with {@code extra} metadata entries (a position within an epoch). */
    private void saveCheckpoint(Path file, int epoch, Map<String, String> extra) {
        Map<String, Tensor> tensors = stateTensors(weights, optimizer);
        if (averaged != null) {
            averaged.stateDict().forEach((k, v) -> tensors.put(AVERAGED_PREFIX + k, v));
        }
        write(file, tensors, epoch, extra);
        try {
            TuningChoices.writeBeside(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the tuning choices beside checkpoint " + file, e);
        }
    }

    /**
     * Writes {@code model}'s weights to {@code file} (atomically) in the layout {@link #loadModel} reads, with
     * {@code metadata}; for models trained outside a Trainer, such as autoencoders.
     */
    public static void writeModel(Path file, Module model, Map<String, String> metadata) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafeTensors.write(file, stateTensors(model, null), metadata);
    }

    /** Writes only the model's weights (loadable with {@link #loadModel}), e.g. the best epoch's. */
    private void saveModel(Path file, int epoch) {
        write(file, stateTensors(weights, null), epoch, Map.of());
    }

    private void write(Path file, Map<String, Tensor> tensors, int epoch, Map<String, String> extra) {
        Map<String, String> metadata = new LinkedHashMap<>(checkpointMetadata);
        metadata.put("epoch", Integer.toString(epoch));
        metadata.put(OPTIMIZER_STEPS_KEY, Integer.toString(optimizerSteps));
        metadata.putAll(extra);
        metadata.put("best_loss", Double.toString(bestLoss));
        metadata.put("epochs_without_improvement", Integer.toString(epochsWithoutImprovement));
        if (schedule != null) {
            schedule.stateDict().forEach((k, v) -> metadata.put(SCHEDULE_PREFIX + k, Double.toString(v)));
        }
        if (gradScaler != null) {
            gradScaler.stateDict().forEach((k, v) -> metadata.put(GRAD_SCALER_PREFIX + k, Double.toString(v)));
        }
        metadata.put(PRECISION_KEY, precisionName(precision));
        metadata.putAll(resumeSettings());
        try {
            writeWithRandomState(file, tensors, metadata);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write checkpoint " + file, e);
        }
    }

    /**
     * Writes {@code model}'s and {@code optimizer}'s state, {@code metadata} and the engine's random state to
     * {@code file} (atomically): what a training loop that runs without a Trainer (g2p) needs to continue
     * exactly with {@link #readTrainingState}.
     */
    public static void writeTrainingState(Path file, Module model, Optimizer optimizer, Map<String, String> metadata)
            throws IOException {
        writeWithRandomState(file, stateTensors(model, optimizer), metadata);
    }

    private static void writeWithRandomState(Path file, Map<String, Tensor> tensors, Map<String, String> metadata)
            throws IOException {
        Map<String, String> all = new LinkedHashMap<>(metadata);
        all.put("random_seed", Long.toString(Engine.get().seed()));
        all.put("random_counter", Long.toString(Engine.get().counter()));
        Files.createDirectories(file.toAbsolutePath().getParent());
        SafeTensors.write(file, tensors, all);
    }

    /** A checkpoint's tensors: the model's under {@code model.}, the optimizer's (if not null) under {@code optimizer.}. */
    private static Map<String, Tensor> stateTensors(Module model, Optimizer optimizer) {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put(MODEL_PREFIX + k, v));
        if (optimizer != null) {
            optimizer.stateDict().forEach((k, v) -> tensors.put(OPTIMIZER_PREFIX + k, v));
        }
        return tensors;
    }

    /**
     * Loads a checkpoint written by {@link #saveCheckpoint} into this trainer's model and optimizer and
     * restores the epoch counter, the schedule's state and the random state, so that {@link #fit} continues
     * exactly where the interrupted run stopped; the backend takes the tuning choices beside it
     * ({@link TuningChoices}), so that also in another process each operation runs on the kernel the run chose.
     * Warns when the loss scale does not carry over: a checkpoint's {@link GradScaler} state that this run, scaling no
     * loss, drops, or a checkpoint without that state for this run's GradScaler.
     *
     * @return the metadata stored in the checkpoint
     * @throws IllegalArgumentException before loading anything, naming each difference, when the checkpoint's trainer
     *                                  was set up otherwise ({@link ResumeSettings}: the optimizer's class or
     *                                  settings, a schedule, accumulation, clipping), when one of the two averages its
     *                                  weights and the other does not, or naming the missing, unexpected or misshapen
     *                                  tensors when its model or optimizer state does not fit
     */
    public Map<String, String> resume(Path file) throws IOException {
        Map<String, String> recorded = metadata(file);
        int epoch = Integer.parseInt(required(recorded, "epoch", file));
        EpochPosition position = EpochPosition.read(recorded, file);
        String steps = recorded.get(OPTIMIZER_STEPS_KEY);
        int stepsTaken = steps == null ? 0 : (int) number(OPTIMIZER_STEPS_KEY, steps);
        ResumeSettings.requireSame(recorded, resumeSettings(), file);
        // First, so that a refused choices file leaves the trainer as it was (choices alone change no state of it).
        TuningChoices.useBeside(file);
        if (averaged != null) {
            readAveragedWeights(file, false);
        } else if (SafeTensors.readHeader(file).tensors().keySet().stream().anyMatch(k -> k.startsWith(
                AVERAGED_PREFIX))) {
            throw new IllegalArgumentException(file + " holds averaged weights: it was written by a run with"
                    + " averageWeights, which this one has not, so its average would end here");
        }
        Map<String, Double> scheduleBefore = schedule == null ? Map.of() : schedule.stateDict();
        if (schedule != null) {
            loadScheduleState(recorded, file);
        }
        Map<String, Double> scalerBefore = gradScaler == null ? Map.of() : gradScaler.stateDict();
        Map<String, String> meta;
        try {
            if (gradScaler != null) {
                loadGradScalerState(recorded, file);
            }
            meta = readTrainingState(file, weights, optimizer);
        } catch (IOException | RuntimeException e) {
            // A refused checkpoint leaves the trainer as it was, the schedule and the loss scale too.
            if (schedule != null) {
                schedule.loadStateDict(scheduleBefore);
            }
            if (gradScaler != null) {
                gradScaler.loadStateDict(scalerBefore);
            }
            throw e;
        }
        if (averaged != null) {
            readAveragedWeights(file, true);
        }
        warnOfUnmatchedLossScale(recorded, file);
        nextEpoch = epoch + 1;
        bestLoss = Double.parseDouble(meta.getOrDefault("best_loss", "Infinity"));
        epochsWithoutImprovement = Integer.parseInt(meta.getOrDefault("epochs_without_improvement", "0"));
        bestEpoch = epoch - epochsWithoutImprovement;
        Path best = file.resolveSibling(BEST);
        // A checkpoint written at the end of the best epoch holds its weights, whatever BEST holds (one written within
        // the next epoch holds later weights).
        resumedBest = bestEpoch == epoch && position == null ? file
                : Files.isRegularFile(best) && holdsTheBestEpochOf(best, meta) ? best : null;
        resumed = true;
        resumedPosition = position;
        stepsUnknown = steps == null;
        optimizerSteps = stepsTaken;
        return meta;
    }

    /**
     * Whether {@code best} holds the best epoch of the run whose checkpoint has {@code checkpoint} as metadata: its
     * epoch and loss are the checkpoint's best. A best.safetensors left in the directory by an earlier run is not.
     */
    private static boolean holdsTheBestEpochOf(Path best, Map<String, String> checkpoint) throws IOException {
        boolean ours = isBestEpochOf(metadata(best), checkpoint);
        if (!ours) {
            Map<String, String> own = metadata(best);
            LOG.warn("{} is not this run's best epoch (epoch {}, loss {}; the checkpoint's best: epoch {}, loss {});"
                    + " early stopping starts without it", best, own.get("epoch"), own.get("best_loss"),
                    bestEpochOf(checkpoint), checkpoint.get("best_loss"));
        }
        return ours;
    }

    private static boolean isBestEpochOf(Map<String, String> best, Map<String, String> checkpoint) {
        return Integer.toString(bestEpochOf(checkpoint)).equals(best.get("epoch"))
                && Objects.equals(checkpoint.get("best_loss"), best.get("best_loss"));
    }

    private static int bestEpochOf(Map<String, String> checkpoint) {
        return Integer.parseInt(checkpoint.get("epoch"))
                - Integer.parseInt(checkpoint.getOrDefault("epochs_without_improvement", "0"));
    }

    /**
     * The {@link #BEST} file beside {@code checkpoint} when it holds an earlier epoch of the same run, the best one
     * that early stopping restored (the training summary's figures are its); empty otherwise.
     */
    public static Optional<Path> betterEpochBeside(Path checkpoint) throws IOException {
        Path best = checkpoint.resolveSibling(BEST);
        if (checkpoint.getFileName().toString().equals(BEST) || !Files.isRegularFile(best)) {
            return Optional.empty();
        }
        Map<String, String> meta = metadata(checkpoint);
        if (meta.get("epoch") == null || meta.get("best_loss") == null) {
            return Optional.empty();
        }
        boolean earlier = isBestEpochOf(metadata(best), meta) && bestEpochOf(meta) != Integer.parseInt(meta.get("epoch"));
        return earlier ? Optional.of(best) : Optional.empty();
    }

    /**
     * Checks that {@code file} holds a state of {@link #averaged} under {@link #AVERAGED_PREFIX}, and loads it when
     * {@code load}: checked before anything is loaded, so that a refused checkpoint leaves the trainer as it was.
     */
    private void readAveragedWeights(Path file, boolean load) throws IOException {
        try (SafeTensors.Loaded loaded = SafeTensors.read(file)) {
            Map<String, Tensor> state = loaded.withPrefix(AVERAGED_PREFIX);
            if (state.isEmpty()) {
                throw new IllegalArgumentException(file + " holds no averaged weights: it was written by a run without"
                        + " averageWeights, which this one has");
            }
            averaged.checkStateDict(state, true);
            if (load) {
                averaged.loadStateDict(state, true);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(e.getMessage().startsWith(file.toString()) ? e.getMessage()
                    : file + ": " + e.getMessage(), e);
        }
    }

    /** Gives the schedule the state that {@code metadata} of {@code file} records under {@link #SCHEDULE_PREFIX}. */
    private void loadScheduleState(Map<String, String> metadata, Path file) {
        Map<String, Double> state = new LinkedHashMap<>();
        try {
            metadata.forEach((k, v) -> {
                if (k.startsWith(SCHEDULE_PREFIX)) {
                    state.put(k.substring(SCHEDULE_PREFIX.length()), number(k, v));
                }
            });
            schedule.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metadata " + key + " is '" + value + "', not a number");
        }
    }

    /**
     * Loads a file written by {@link #writeTrainingState} or {@link #saveCheckpoint} into {@code model} and
     * {@code optimizer} and restores the engine's random state. Everything is checked first: a file that
     * does not fit leaves the model, the optimizer and the random state as they were. Parameters that an earlier
     * version of a layer saved otherwise are brought up to date ({@link Module#upgradedStateDict}), and the optimizer's
     * state of them with them, where the optimizer holds all the model's parameters in its order.
     *
     * @return the file's metadata
     * @throws IllegalArgumentException naming the file when it holds no optimizer state (a model's weights
     *                                  only, such as {@link #BEST}) or state that does not fit the model or
     *                                  the optimizer
     */
    public static Map<String, String> readTrainingState(Path file, Module model, Optimizer optimizer) throws IOException {
        try (SafeTensors.Loaded loaded = SafeTensors.read(file)) {
            Map<String, String> meta = loaded.metadata();
            long seed = Long.parseLong(required(meta, "random_seed", file));
            long counter = Long.parseLong(required(meta, "random_counter", file));
            Map<String, Tensor> optimizerState = loaded.withPrefix(OPTIMIZER_PREFIX);
            if (optimizerState.isEmpty()) {
                throw new IllegalArgumentException(file + " holds a model's weights only, without the optimizer's state"
                        + " (as " + BEST + ", the best epoch's weights, does): resume from the " + CHECKPOINT
                        + " written after every epoch");
            }
            Map<String, Tensor> modelState = loaded.withPrefix(MODEL_PREFIX);
            try (Scope s = Scope.open()) {
                Map<String, Tensor> current = OptimizerStateUpgrade.upgraded(model, modelState, optimizer,
                        optimizerState);
                model.checkStateDict(modelState, true);
                optimizer.checkStateDict(current);
                model.loadStateDict(modelState, true);
                optimizer.loadStateDict(current);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
            }
            Engine.restoreRandomState(seed, counter);
            return meta;
        }
    }

    /**
     * Loads only the model weights of a checkpoint (for evaluation and prediction).
     *
     * @return the checkpoint's metadata (model name, data set, epoch, ...)
     */
    public static Map<String, String> loadModel(Path file, Module model) throws IOException {
        SafeTensors.Loaded loaded = SafeTensors.read(file);
        try {
            model.loadStateDict(loaded.withPrefix(MODEL_PREFIX), true);
        } finally {
            loaded.tensors().values().forEach(Tensor::close);
        }
        return loaded.metadata();
    }

    /**
     * The model's weights and buffers in {@code file} (a checkpoint, or a file of {@link #writeModel}) by their
     * state-dict names, PyTorch's, without the optimizer's state; the caller closes them.
     */
    public static Map<String, Tensor> readModelState(Path file) throws IOException {
        SafeTensors.Loaded loaded = SafeTensors.read(file);
        Map<String, Tensor> model = loaded.withPrefix(MODEL_PREFIX);
        loaded.tensors().forEach((name, t) -> {
            if (!name.startsWith(MODEL_PREFIX)) {
                t.close();
            }
        });
        return model;
    }

    /** The metadata of a checkpoint, read without loading its tensors into a model. */
    public static Map<String, String> metadata(Path file) throws IOException {
        return SafeTensors.readHeader(file).metadata();
    }

    private static String required(Map<String, String> meta, String key, Path file) throws IOException {
        String v = meta.get(key);
        if (v == null) {
            throw new IOException(file + ": not a Kiln training checkpoint (metadata has no '" + key + "')");
        }
        return v;
    }

    /** The weights of the best epoch so far, copied off the model (unscoped) so that training can go on. */
    private static final class BestWeights implements AutoCloseable {
        private final Map<String, Tensor> copies = new HashMap<>();

        void capture(Module model) {
            close();
            copies.putAll(TrainingSnapshot.copies(model.stateDict()));
        }

        /** Takes the best weights saved by an earlier, interrupted run. */
        void load(Path file) {
            close();
            try (SafeTensors.Loaded loaded = SafeTensors.read(file)) {
                copies.putAll(TrainingSnapshot.copies(loaded.withPrefix(MODEL_PREFIX)));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the best weights " + file, e);
            }
        }

        boolean hasWeights() {
            return !copies.isEmpty();
        }

        void restore(Module model) {
            model.loadStateDict(copies, true);
        }

        @Override
        public void close() {
            copies.values().forEach(Tensor::close);
            copies.clear();
        }
    }

    /**
     * The batches an epoch over {@code train} trains on, as {@link TrainingListener#onBatchEnd} counts them:
     * {@link DataLoader#batchesPerEpoch}, or with {@link #cudaGraphs} on a backend that records graphs (and no
     * {@link #gradScaler} or batch augmentation, which train eagerly), full batches only.
     */
    public int batchesPerEpoch(DataLoader train) {
        boolean graphs = cudaGraphs && !scalesLoss() && Engine.get().backend().canCaptureSteps()
                && train.batchAugmentation() == null && GraphedStep.batchesPerEpoch(train) > 0;
        return graphs ? GraphedStep.batchesPerEpoch(train) : train.batchesPerEpoch();
    }

    /**
     * For a run of several processes, each training its share with a Trainer of its own: {@code agreement} maps
     * this process's monitored loss of an epoch (the validation loss, or the training loss without validation data)
     * to the one every process acts on, such as rank 0's sent to all, so that early stopping, the best epoch and the
     * schedule's step (ReduceLROnPlateau) decide alike everywhere and the processes stop together, as a Lightning
     * strategy reduces its EarlyStopping decision. Default: each process's own loss.
     */
    public Trainer monitoredLossAgreement(DoubleUnaryOperator agreement) {
        this.monitoredLossAgreement = Objects.requireNonNull(agreement, "agreement");
        return this;
    }

    /**
     * Trains with loss scaling, as a PyTorch AMP loop with {@code torch.cuda.amp.GradScaler}: each eager step
     * backpropagates {@code scaler.scale(loss)}, then unscales the gradients, clips them ({@link #clipGradNorm}), steps
     * unless a gradient is inf or NaN, and updates the scale. For {@link Precision#F16}, whose small gradients
     * underflow in half; its state goes into checkpoints (metadata {@code grad_scaler.<PyTorch's key>}) and
     * {@link #resume} restores it. Not with an optimizer that steps with a closure (LBFGS), which PyTorch's scaler
     * refuses too; with {@link #cudaGraphs} training stays eager. Null: none (the default).
     */
    public Trainer gradScaler(GradScaler scaler) {
        if (scaler != null && scaler.isEnabled() && optimizer.needsClosure()) {
            throw new IllegalArgumentException("Trainer.gradScaler: " + optimizerName() + " steps with a closure, which"
                    + " a GradScaler does not support (as PyTorch's does not)");
        }
        this.gradScaler = scaler;
        return this;
    }

    /** Gives the GradScaler the state that {@code metadata} of {@code file} records, if it records one. */
    private void loadGradScalerState(Map<String, String> metadata, Path file) {
        Map<String, Double> state = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(GRAD_SCALER_PREFIX)) {
                state.put(k.substring(GRAD_SCALER_PREFIX.length()), number(k, v));
            }
        });
        if (state.isEmpty()) {
            return;
        }
        try {
            gradScaler.loadStateDict(state);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /**
     * Warns when the checkpoint's loss scale and this run's do not continue each other: a checkpoint with GradScaler
     * state (an F16 run's) resumed by a run that scales no loss (another precision) drops its scale, and a run that
     * scales the loss resumed from a checkpoint without that state keeps its GradScaler's own scale. Resuming works
     * either way; only the scale is not the interrupted run's.
     */
    private void warnOfUnmatchedLossScale(Map<String, String> recorded, Path file) {
        String scale = recorded.get(GRAD_SCALER_PREFIX + "scale");
        String written = recorded.get(PRECISION_KEY);
        String writer = written == null ? "by a run that recorded no precision" : "at precision " + written;
        if (scale != null && !scalesLoss()) {
            LOG.warn("{} was written {} with a GradScaler; this run at precision {} scales no loss, so the"
                    + " checkpoint's loss scale {} is dropped", file, writer, precisionName(precision), scale);
        } else if (scale == null && scalesLoss()) {
            LOG.warn("{} was written {} without GradScaler state; this run at precision {} starts its GradScaler"
                    + " from its own loss scale {}", file, writer, precisionName(precision), gradScaler.getScale());
        }
    }

    /** {@code p} as {@code --precision} spells it: "fp32", "bf16" or "f16". */
    private static String precisionName(Precision p) {
        return p.name().toLowerCase(Locale.ROOT);
    }

    /** The settings a checkpoint records for {@link #resume} to compare ({@link ResumeSettings}). */
    private Map<String, String> resumeSettings() {
        return ResumeSettings.of(optimizer, schedule, stepSchedule, accumulation, clipping);
    }

    /** Whether an enabled {@link #gradScaler} scales the loss, which keeps training eager. */
    private boolean scalesLoss() {
        return gradScaler != null && gradScaler.isEnabled();
    }
}
