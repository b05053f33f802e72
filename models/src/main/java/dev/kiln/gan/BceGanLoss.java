package dev.kiln.gan;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.BCEWithLogitsLoss;
import dev.kiln.nn.Module;

/**
 * The loss of PyTorch's DCGAN tutorial (Goodfellow et al. 2014 with the generator's non-saturating loss): binary
 * cross-entropy of the discriminator's logits [batch, 1] against label 1 for real images and 0 for generated ones,
 * the two batches' means added ({@code errD = errD_real + errD_fake}); the generator's loss is the same
 * cross-entropy of its images against label 1, {@code -mean(log D(G(z)))}, which keeps its gradient when the
 * discriminator rejects them with confidence.
 */
public final class BceGanLoss implements GanLoss {
    /** {@code kiln gan --loss bce}. */
    public static final String NAME = "bce";

    private final BCEWithLogitsLoss bce = new BCEWithLogitsLoss();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public DiscriminatorLoss discriminatorLoss(Module discriminator, Tensor real, Tensor fake) {
        return new DiscriminatorLoss(judged(discriminator, real, 1).add(judged(discriminator, fake, 0)));
    }

    @Override
    public Tensor generatorLoss(Module discriminator, Tensor fake) {
        return judged(discriminator, fake, 1);
    }

    /** Mean cross-entropy of the discriminator's logits of {@code images} against {@code label}. */
    private Tensor judged(Module discriminator, Tensor images, double label) {
        Tensor logits = discriminator.call(images);
        return bce.compute(logits, Tensor.full(label, logits.dtype(), logits.shape().dims()));
    }
}
