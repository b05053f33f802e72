package dev.kiln.gan;

import dev.kiln.engine.Tensor;
import java.util.Map;

/**
 * What a {@link GanLoss} computes for the discriminator on one batch: the scalar {@code loss} it minimises, and the
 * scalar {@code terms} worth reporting beside it, named as {@link GanLoss#termNames()} lists them (WGAN-GP's
 * Wasserstein estimate and gradient penalty; none for the tutorial's loss).
 */
public record DiscriminatorLoss(Tensor loss, Map<String, Tensor> terms) {
    /** A loss without terms. */
    public DiscriminatorLoss(Tensor loss) {
        this(loss, Map.of());
    }
}
