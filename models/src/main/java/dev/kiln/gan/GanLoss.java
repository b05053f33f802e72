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
     * The discriminator's scalar loss on {@code real} and {@code fake} images [batch, channels, height, width]; the
     * caller has detached {@code fake} from the generator.
     */
    Tensor discriminatorLoss(Module discriminator, Tensor real, Tensor fake);

    /** The generator's scalar loss on its images {@code fake} [batch, channels, height, width] (not detached). */
    Tensor generatorLoss(Module discriminator, Tensor fake);

    /** The names {@link #named} knows. */
    static List<String> names() {
        return List.of(BceGanLoss.NAME);
    }

    /** The loss of that name. */
    static GanLoss named(String name) {
        if (name.equals(BceGanLoss.NAME)) {
            return new BceGanLoss();
        }
        throw new IllegalArgumentException("unknown GAN loss '" + name + "'; known: " + names());
    }
}
