package dev.kiln.train;

/**
 * What one epoch of {@link Trainer#fit} measured. Validation figures are NaN when there is no
 * validation data.
 *
 * @param seconds          wall time of the epoch's training loop (not validation)
 * @param samplesPerSecond training samples / seconds
 */
public record EpochMetrics(int epoch, double trainLoss, double trainAccuracy, double validationLoss,
                           double validationAccuracy, double validationTopK, double learningRate,
                           double seconds, double samplesPerSecond) {
}
