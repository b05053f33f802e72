package dev.kiln.train;

/** Hooks into {@link Trainer#fit}; every method has an empty default. */
public interface TrainingListener {
    /** Called after every training batch with that batch's loss. */
    default void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
    }

    /** Called after each epoch, validation included. */
    default void onEpochEnd(EpochMetrics metrics) {
    }

    /** Called once when training stops, early or not. */
    default void onTrainingEnd(int lastEpoch, String reason) {
    }
}
