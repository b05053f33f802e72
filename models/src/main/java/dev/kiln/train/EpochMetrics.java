package dev.kiln.train;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one epoch of {@link Trainer#fit} measured. Validation figures are NaN when there is no
 * validation data.
 *
 * @param learningRate     the first parameter group's rate at the epoch's last optimizer step (a per-step schedule
 *                         moves it within the epoch)
 * @param seconds          wall time of the epoch's training loop (not validation)
 * @param samplesPerSecond training samples / seconds
 * @param lossWaitSeconds  the part of {@code seconds} the host waited for step losses from the device (each read
 *                         one step late): near {@code seconds} when the device's work bounds the epoch, near 0
 *                         when the host's does (and on the CPU, whose steps are done when they return)
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double validationTopK, double learningRate,
                           double seconds, double samplesPerSecond, double lossWaitSeconds) {
    /** The prefix of these figures' keys in a checkpoint's metadata ({@link #toMetadata}). */
    static final String METADATA_PREFIX = "epoch_metrics.";

    /**
     * These figures as checkpoint metadata, each number as {@link Double#toString} writes it (read back exactly), so
     * that a run stopped after its checkpoint but before its metrics.csv row can write that row when resumed.
     */
    Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(METADATA_PREFIX + "train_loss", Double.toString(trainLoss));
        m.put(METADATA_PREFIX + "train_accuracy", Double.toString(trainAccuracy));
        m.put(METADATA_PREFIX + "validation_loss", Double.toString(validationLoss));
        m.put(METADATA_PREFIX + "validation_accuracy", Double.toString(validationAccuracy));
        m.put(METADATA_PREFIX + "validation_top_k", Double.toString(validationTopK));
        m.put(METADATA_PREFIX + "learning_rate", Double.toString(learningRate));
        m.put(METADATA_PREFIX + "seconds", Double.toString(seconds));
        m.put(METADATA_PREFIX + "samples_per_second", Double.toString(samplesPerSecond));
        m.put(METADATA_PREFIX + "loss_wait_seconds", Double.toString(lossWaitSeconds));
        return m;
    }

    /**
     * The figures of the epoch a checkpoint ended, from its metadata (as {@link Trainer#resume} returns it), or null
     * for a checkpoint written mid-epoch or by a version of kiln that did not record them.
     */
    public static EpochMetrics fromMetadata(Map<String, String> metadata) {
        String epoch = metadata.get("epoch");
        if (epoch == null || !metadata.containsKey(METADATA_PREFIX + "train_loss")) {
            return null;
        }
        return new EpochMetrics(Integer.parseInt(epoch), figure(metadata, "train_loss"),
                figure(metadata, "train_accuracy"), figure(metadata, "validation_loss"),
                figure(metadata, "validation_accuracy"), figure(metadata, "validation_top_k"),
                figure(metadata, "learning_rate"), figure(metadata, "seconds"), figure(metadata, "samples_per_second"),
                figure(metadata, "loss_wait_seconds"));
    }

    private static double figure(Map<String, String> metadata, String name) {
        String value = metadata.get(METADATA_PREFIX + name);
        return value == null ? Double.NaN : Double.parseDouble(value);
    }
}
