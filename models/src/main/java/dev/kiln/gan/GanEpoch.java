package dev.kiln.gan;

/**
 * What one epoch of {@link GanTrainer#fit} measured.
 *
 * @param discriminatorLoss mean of the discriminator's step losses, per example
 * @param generatorLoss     mean of the generator's step losses, per example
 * @param seconds           wall time of the epoch's steps
 * @param samplesPerSecond  real training images / seconds
 */
public record GanEpoch(int epoch, double discriminatorLoss, double generatorLoss, double seconds,
                       double samplesPerSecond) {
}
