package dev.kiln.gan;

import dev.kiln.engine.Autograd;
import dev.kiln.engine.GradOptions;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.BatchNorm;
import dev.kiln.nn.Module;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * WGAN-GP (Gulrajani et al. 2017, "Improved Training of Wasserstein GANs"). The discriminator is a critic whose
 * scores [batch, 1] estimate the Wasserstein-1 distance between the real and the generated images,
 * {@code W = mean D(real) - mean D(fake)}, as far as it is 1-Lipschitz; a gradient penalty holds it there. The
 * critic's loss is {@code mean D(fake) - mean D(real) + lambda mean_i (||grad_x D(x_i)||_2 - 1)^2} at the images
 * {@code x_i = eps_i real_i + (1 - eps_i) fake_i} between each real image and its generated partner,
 * {@code eps_i ~ U[0, 1]} per image, and the generator's is {@code -mean D(fake)}. Reports W and the penalty as the
 * terms {@value #WASSERSTEIN} and {@value #PENALTY}.
 *
 * <p>The paper's training differs from the DCGAN tutorial's, and the trainer must follow it: {@value #CRITIC_STEPS}
 * critic updates per generator update ({@link GanTrainer#criticSteps}), Adam with learning rate
 * {@value #LEARNING_RATE} and betas ({@value #BETA1}, {@value #BETA2}) for both networks, and a critic without batch
 * norm ({@link Dcgan.DiscriminatorNorm}), since the penalty needs each image's score to depend on that image alone.
 */
public final class WganGpLoss implements GanLoss {
    /** {@code kiln gan --loss wgan-gp}. */
    public static final String NAME = "wgan-gp";
    /** The paper's penalty weight lambda. */
    public static final double GP_WEIGHT = 10;
    /** The paper's critic updates per generator update, n_critic. */
    public static final int CRITIC_STEPS = 5;
    /** The paper's Adam learning rate, alpha. */
    public static final double LEARNING_RATE = 1e-4;
    /** The paper's Adam beta1: no momentum. */
    public static final double BETA1 = 0;
    /** The paper's Adam beta2. */
    public static final double BETA2 = 0.9;
    /** The term of the Wasserstein estimate {@code mean D(real) - mean D(fake)}. */
    public static final String WASSERSTEIN = "wasserstein_estimate";
    /** The term of the gradient penalty, lambda times the mean squared distance of the gradients' norms from 1. */
    public static final String PENALTY = "gradient_penalty";

    private final double gpWeight;

    /** The paper's penalty weight {@value #GP_WEIGHT}. */
    public WganGpLoss() {
        this(GP_WEIGHT);
    }

    /** @param gpWeight lambda, the gradient penalty's weight: finite and above 0 */
    public WganGpLoss(double gpWeight) {
        if (!(gpWeight > 0 && gpWeight < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("WganGpLoss: the gradient penalty's weight must be finite and > 0, got "
                    + gpWeight);
        }
        this.gpWeight = gpWeight;
    }

    public double gpWeight() {
        return gpWeight;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> termNames() {
        return List.of(WASSERSTEIN, PENALTY);
    }

    /** The critic's loss with {@code eps} drawn from the engine's seeded stream, U[0, 1) per image. */
    @Override
    public DiscriminatorLoss discriminatorLoss(Module critic, Tensor real, Tensor fake) {
        return discriminatorLoss(critic, real, fake, Tensor.rand(real.dtype(), real.dim(0)));
    }

    /**
     * The critic's loss on {@code real} and {@code fake} images [batch, channels, height, width] with the given
     * mixing weights {@code eps} [batch] of the penalty's images (real where 1, fake where 0).
     *
     * @throws IllegalArgumentException when the images' shapes differ, eps is not [batch], or the critic has batch
     *                                  norm in training mode
     */
    public DiscriminatorLoss discriminatorLoss(Module critic, Tensor real, Tensor fake, Tensor eps) {
        check(critic, real, fake, eps);
        Tensor realScore = critic.call(real).mean();
        Tensor fakeScore = critic.call(fake).mean();
        Tensor penalty = penalty(critic, real, fake, eps);
        Map<String, Tensor> terms = new LinkedHashMap<>();
        terms.put(WASSERSTEIN, realScore.sub(fakeScore));
        terms.put(PENALTY, penalty);
        return new DiscriminatorLoss(fakeScore.sub(realScore).add(penalty), terms);
    }

    @Override
    public Tensor generatorLoss(Module critic, Tensor fake) {
        return critic.call(fake).mean().neg();
    }

    /**
     * {@code lambda mean_i (||grad_x D(x_i)||_2 - 1)^2} at {@code x_i = eps_i real_i + (1 - eps_i) fake_i}, a scalar
     * whose graph reaches the critic's parameters through the gradients (a double backward pass when it is
     * differentiated). {@code real} and {@code fake} [batch, ...] are constants here; {@code eps} is [batch].
     *
     * @throws IllegalArgumentException as {@link #discriminatorLoss(Module, Tensor, Tensor, Tensor)}
     */
    public Tensor gradientPenalty(Module critic, Tensor real, Tensor fake, Tensor eps) {
        check(critic, real, fake, eps);
        return penalty(critic, real, fake, eps);
    }

    private Tensor penalty(Module critic, Tensor real, Tensor fake, Tensor eps) {
        int batch = real.dim(0);
        int[] perImage = new int[real.rank()];
        Arrays.fill(perImage, 1);
        perImage[0] = batch;
        Tensor between;
        try (Autograd.Guard g = Autograd.noGrad()) {
            Tensor e = eps.reshape(perImage);
            between = e.mul(real).add(e.neg().add(1).mul(fake));
        }
        between.requiresGrad(true);
        Tensor gradient;
        // The penalty is made of a gradient, so it records even where its caller does not (an evaluation's no-grad).
        try (Autograd.Guard g = Autograd.enableGrad()) {
            Tensor scores = critic.call(between);
            gradient = Autograd.grad(List.of(scores), List.of(between), List.of(scores.fullLike(1)),
                    GradOptions.DEFAULT.withCreateGraph()).get(0);
        }
        return gradient.reshape(batch, -1).norm(2, new int[] {1}, false).sub(1).square().mean().mul(gpWeight);
    }

    private static void check(Module critic, Tensor real, Tensor fake, Tensor eps) {
        if (!real.shape().equals(fake.shape()) || real.rank() < 2) {
            throw new IllegalArgumentException("WganGpLoss: real images " + real.shape() + " and fake images "
                    + fake.shape() + " must have one shape [batch, ...]");
        }
        if (eps.rank() != 1 || eps.dim(0) != real.dim(0)) {
            throw new IllegalArgumentException("WganGpLoss: eps " + eps.shape() + " must be [" + real.dim(0)
                    + "], one mixing weight per image");
        }
        for (Map.Entry<String, Module> m : critic.namedModules().entrySet()) {
            if (m.getValue() instanceof BatchNorm && m.getValue().isTraining()) {
                throw new IllegalArgumentException("WganGpLoss: the critic's batch norm '" + m.getKey() + "' scores"
                        + " each image by its batch in training mode, which the gradient penalty cannot allow; use"
                        + " layer norm or none (Dcgan.DiscriminatorNorm.LAYER or NONE)");
            }
        }
    }

    @Override
    public String toString() {
        return "WganGpLoss(gpWeight=" + gpWeight + ")";
    }
}
