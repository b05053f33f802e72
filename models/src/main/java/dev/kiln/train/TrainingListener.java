package dev.kiln.train;

/** Hooks into {@link Trainer#fit}; every method has an empty default. */
public interface TrainingListener {
    /**
     * Called for every training batch with that batch's loss, once the loss has arrived: {@link Trainer} queues the
     * next step before it reads a step's loss (on CUDA the device runs one while the host waits for the other), so
     * this comes after the next batch's step has been queued; batches are reported in order, the last before
     * {@link #onEpochEnd}. {@code batchesPerEpoch} is 0 when not known beforehand: training on a stream
     * ({@link Trainer#fit(dev.kiln.data.IterableDataLoader, dev.kiln.data.DataLoader, int)}).
     */
    default void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
    }

    /** Called after each epoch, validation included. */
    default void onEpochEnd(EpochMetrics metrics) {
    }

    /** Called once when training stops, early or not. */
    default void onTrainingEnd(int lastEpoch, String reason) {
    }
}
