package dev.kiln.train;

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
}
