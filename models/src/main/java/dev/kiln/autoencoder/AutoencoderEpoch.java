package dev.kiln.autoencoder;

/**
 * What one epoch of {@link AutoencoderTrainer#fit} measured; validation figures are NaN without validation data.
 *
 * @param trainLoss           mean training objective ({@link Autoencoder#loss}) over the epoch's batches, per example
 * @param validationLoss      the objective on the validation data in evaluation mode (no noise, no sampling)
 * @param validationError     mean squared reconstruction error per pixel on the validation data, evaluation mode
 * @param seconds             wall time of the training loop (not validation)
 * @param samplesPerSecond    training examples / seconds
 */
public record AutoencoderEpoch(int epoch, double trainLoss, double validationLoss, double validationError,
                               double seconds, double samplesPerSecond) {
}
