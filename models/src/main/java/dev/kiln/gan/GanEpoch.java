package dev.kiln.gan;

import java.util.Map;

/**
 * What one epoch of {@link GanTrainer#fit} measured.
 *
 * @param discriminatorLoss mean of the discriminator's step losses, per example
 * @param generatorLoss     mean of the generator's step losses, per example, over the steps that updated it (every
 *                          {@link GanTrainer#criticSteps}-th); NaN in an epoch without one
 * @param terms             means of the discriminator loss's terms ({@link GanLoss#termNames}), per example, in order
 * @param seconds           wall time of the epoch's steps
 * @param samplesPerSecond  real training images / seconds
 */
public record GanEpoch(int epoch, double discriminatorLoss, double generatorLoss, Map<String, Double> terms,
                       double seconds, double samplesPerSecond) {
}
