package dev.kiln.train;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs a {@link Trainer#fit} run to TensorBoard through a {@link SummaryWriter}, as a PyTorch loop calls
 * {@code add_scalar} and {@code add_histogram}. Every event is at the run's step: the number of training batches so
 * far, counted over the whole run from 1 (epoch e's batch b is {@code (e - 1) * batchesPerEpoch + b}), so that one
 * purge step ({@link #firstStepAfter}) hides what a crashed run logged past the checkpoint it is resumed from. Tags:
 * <ul>
 *   <li>{@code loss/train_step}: each training batch's loss (every {@code everySteps}-th), at the batch's step;</li>
 *   <li>{@code epoch} (the epoch's number), {@code loss/train}, {@code accuracy/train}, {@code loss/EVAL},
 *       {@code accuracy/EVAL}, {@code top5/EVAL} (the {@link EpochMetrics} figures, EVAL the name given, left out
 *       without one), {@code lr} and {@code samples_per_s}: per epoch, at the step of the epoch's last batch;</li>
 *   <li>with {@link #histograms}, {@code weights/NAME} and {@code gradients/NAME} for each parameter (its gradient
 *       as the epoch's last step left it), per epoch; a tensor holding NaN or an infinity is skipped, with a
 *       warning;</li>
 *   <li>{@code stopped/text_summary}: why training stopped, at the last epoch's step.</li>
 * </ul>
 * The writer is flushed after each epoch and at the end; the caller closes it. On a stream, whose epochs' lengths
 * are not known (batchesPerEpoch 0), the step counts the batches this listener has been told of, so a resumed run
 * counts from 1 again.
 */
public final class TensorBoardListener implements TrainingListener {
    private static final Logger LOG = LoggerFactory.getLogger(TensorBoardListener.class);

    private final SummaryWriter writer;
    private final String evalName;
    private final int everySteps;
    private Module model;
    /** The batches of an epoch, as the last batch reported them. */
    private int batchesPerEpoch;
    /** The step of the last batch reported. */
    private long lastStep;
    /** On a stream: the batches of the epochs before the current one. */
    private long streamBatches;

    /**
     * @param evalName   the name of the per-epoch evaluation data ("val", "test"), or null when there is none
     * @param everySteps log every n-th batch's loss, at least 1
     */
    public TensorBoardListener(SummaryWriter writer, String evalName, int everySteps) {
        if (everySteps < 1) {
            throw new IllegalArgumentException("TensorBoardListener: everySteps must be at least 1, got " + everySteps);
        }
        this.writer = writer;
        this.evalName = evalName;
        this.everySteps = everySteps;
    }

    /** Also logs histograms of {@code model}'s weights and gradients after each epoch. */
    public TensorBoardListener histograms(Module model) {
        this.model = model;
        return this;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
        this.batchesPerEpoch = batchesPerEpoch;
        long step = batchesPerEpoch > 0 ? (long) (epoch - 1) * batchesPerEpoch + batch : streamBatches + batch;
        lastStep = step;
        if (step % everySteps == 0) {
            writer.addScalar("loss/train_step", loss, step);
        }
    }

    @Override
    public void onEpochEnd(EpochMetrics m) {
        long step = batchesPerEpoch > 0 ? (long) m.epoch() * batchesPerEpoch : lastStep;
        streamBatches = lastStep;
        writer.addScalar("epoch", m.epoch(), step);
        writer.addScalar("loss/train", m.trainLoss(), step);
        writer.addScalar("accuracy/train", m.trainAccuracy(), step);
        if (evalName != null) {
            writer.addScalar("loss/" + evalName, m.validationLoss(), step);
            writer.addScalar("accuracy/" + evalName, m.validationAccuracy(), step);
            writer.addScalar("top5/" + evalName, m.validationTopK(), step);
        }
        writer.addScalar("lr", m.learningRate(), step);
        writer.addScalar("samples_per_s", m.samplesPerSecond(), step);
        if (model != null) {
            for (Map.Entry<String, Tensor> p : model.namedParameters().entrySet()) {
                histogram("weights/" + p.getKey(), p.getValue(), step);
                if (p.getValue().grad() != null) {
                    histogram("gradients/" + p.getKey(), p.getValue().grad(), step);
                }
            }
        }
        writer.flush();
    }

    @Override
    public void onTrainingEnd(int lastEpoch, String reason) {
        writer.addText("stopped", "after epoch " + lastEpoch + ": " + reason, batchesPerEpoch > 0 ? (long) lastEpoch * batchesPerEpoch : lastStep);
        writer.flush();
    }

    /** A diverged tensor has no histogram (its buckets need finite values): a warning says so instead. */
    private void histogram(String tag, Tensor t, long step) {
        double[] values = t.toDoubleArray();
        for (double v : values) {
            if (!Double.isFinite(v)) {
                LOG.warn("TensorBoard: no histogram of {} at step {}: it holds {}", tag, step, v);
                return;
            }
        }
        writer.addHistogram(tag, values, step);
    }

    /**
     * The purge step of a run resumed after {@code epochs} epochs of {@code batchesPerEpoch} batches (see
     * {@link SummaryWriter#SummaryWriter(java.nio.file.Path, long)}): the first step the resumed run logs again.
     */
    public static long firstStepAfter(int epochs, int batchesPerEpoch) {
        return (long) epochs * batchesPerEpoch + 1;
    }
}
