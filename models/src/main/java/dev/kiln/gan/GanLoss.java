package dev.kiln.gan;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Module;
import java.util.List;

/**
 * What a GAN's two networks minimise, each step: the discriminator its loss on a batch of real images and one of
 * generated images (detached from the generator), then the generator its loss on the generated batch. Both take the
 * discriminator itself rather than its scores, so that a loss may evaluate it elsewhere too (WGAN-GP's gradient
 * penalty on images between the real and the generated ones).
 */
public interface GanLoss {
    /** The name {@code kiln gan --loss} takes and checkpoints record. */
    String name();

    /**
     * The discriminator's scalar loss on {@code real} and {@code fake} images [batch, channels, height, width], with
     * the terms {@link #termNames} lists; the caller has detached {@code fake} from the generator.
     */
    DiscriminatorLoss discriminatorLoss(Module discriminator, Tensor real, Tensor fake);

    /** The generator's scalar loss on its images {@code fake} [batch, channels, height, width] (not detached). */
    Tensor generatorLoss(Module discriminator, Tensor fake);

    /**
     * The names of the scalar terms {@link DiscriminatorLoss#terms()} holds, in the order to report them (metrics.csv
     * columns); none by default.
     */
    default List<String> termNames() {
        return List.of();
    }

    /** The names {@link #named} knows. */
    static List<String> names() {
        return List.of(BceGanLoss.NAME, WganGpLoss.NAME);
    }

    /** The loss of that name, with its paper's settings. */
    static GanLoss named(String name) {
        if (name.equals(BceGanLoss.NAME)) {
            return new BceGanLoss();
        }
        if (name.equals(WganGpLoss.NAME)) {
            return new WganGpLoss();
        }
        throw new IllegalArgumentException("unknown GAN loss '" + name + "'; known: " + names());
    }
}
