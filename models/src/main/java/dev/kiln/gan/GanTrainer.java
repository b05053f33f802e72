package dev.kiln.gan;

import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.StepLosses;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Trains a {@link Dcgan} on images without their labels, one {@link Scope} per step, each network with its own
 * optimizer. Real pixels in [0, 1] are mapped to the generator's range (-1, 1) first ({@link Dcgan#fromPixels}).
 * With one discriminator update per generator update (the default), each step is PyTorch's DCGAN tutorial's
 * ({@link #step}): a batch of noise, images generated from it once, the discriminator's update on the real batch and
 * those images (detached), then the generator's through the updated discriminator. With {@link #criticSteps} n above
 * 1, Algorithm 1 of Gulrajani et al. (2017): every batch a discriminator update ({@link #discriminatorStep}) on the
 * real batch and the images of fresh noise, and after every n of them the generator's ({@link #generatorStep}) on
 * the images of fresh noise again, the critic's updates counted on across epochs.
 */
public final class GanTrainer {
    /** The tutorial's Adam learning rate for both networks. */
    public static final double LEARNING_RATE = 2e-4;
    /** The tutorial's Adam beta1 (PyTorch's default 0.9 makes the two networks oscillate more). */
    public static final double BETA1 = 0.5;
    /** Adam's beta2, PyTorch's default, which the tutorial keeps. */
    public static final double BETA2 = 0.999;

    private final Dcgan model;
    private final GanLoss loss;
    private final Optimizer generatorOptimizer;
    private final Optimizer discriminatorOptimizer;
    private final List<StepListener> stepListeners = new ArrayList<>();
    private final List<Consumer<GanEpoch>> epochListeners = new ArrayList<>();
    private int criticSteps = 1;
    private int criticStepsSinceGenerator;
    private double lastGeneratorLoss = Double.NaN;
    private int nextEpoch = 1;

    /** Receives each step's values once they have arrived, in order (one step late, as {@link StepLosses} reads). */
    @FunctionalInterface
    public interface StepListener {
        /**
         * @param generatorLoss the generator's loss of this step, or in a step without its update the latest one
         *                      before it (NaN before the first)
         * @param terms         the discriminator loss's terms, named as {@link GanLoss#termNames} lists them
         */
        void onStep(int epoch, int step, int stepsPerEpoch, double discriminatorLoss, double generatorLoss,
                    Map<String, Double> terms);
    }

    /**
     * One step's scalars: the discriminator's loss before its update with its terms ({@link DiscriminatorLoss}), and
     * the generator's loss before its own, or null in a step without it.
     */
    public record Step(Tensor discriminatorLoss, Map<String, Tensor> terms, Tensor generatorLoss) {
    }

    /**
     * @param generatorOptimizer     updates {@code model.generator()}'s parameters only
     * @param discriminatorOptimizer updates {@code model.discriminator()}'s parameters only
     */
    public GanTrainer(Dcgan model, GanLoss loss, Optimizer generatorOptimizer, Optimizer discriminatorOptimizer) {
        this.model = model;
        this.loss = loss;
        this.generatorOptimizer = generatorOptimizer;
        this.discriminatorOptimizer = discriminatorOptimizer;
    }

    /** Adam with the tutorial's learning rate {@code lr} and betas ({@value #BETA1}, {@value #BETA2}). */
    public static Adam adam(List<Tensor> parameters, double lr) {
        return new Adam(parameters, lr).betas(BETA1, BETA2);
    }

    /**
     * Sets the discriminator (critic) updates per generator update: 1, the tutorial's, unless set; WGAN-GP's
     * {@value WganGpLoss#CRITIC_STEPS}.
     *
     * @throws IllegalArgumentException when {@code n} is below 1
     */
    public GanTrainer criticSteps(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("GanTrainer: critic steps per generator step must be at least 1, got "
                    + n);
        }
        criticSteps = n;
        return this;
    }

    public int criticSteps() {
        return criticSteps;
    }

    /** The last epoch trained, counted over the whole run (also those before {@link GanCheckpoint#resume}); 0 before. */
    public int epoch() {
        return nextEpoch - 1;
    }

    /** Critic updates since the generator's last one: the count the next epoch goes on with. */
    public int criticStepsSinceGenerator() {
        return criticStepsSinceGenerator;
    }

    /** The generator's latest loss, which the next epoch reports until its own first (NaN before the first). */
    public double lastGeneratorLoss() {
        return lastGeneratorLoss;
    }

    Dcgan model() {
        return model;
    }

    Optimizer generatorOptimizer() {
        return generatorOptimizer;
    }

    Optimizer discriminatorOptimizer() {
        return discriminatorOptimizer;
    }

    /**
     * Goes on as after {@code epoch}, {@code criticStepsSinceGenerator} critic updates since the generator's last,
     * whose loss was {@code lastGeneratorLoss}: what {@link GanCheckpoint} restores beside the weights.
     *
     * @throws IllegalArgumentException when the epoch is negative or the critic updates are not in [0, criticSteps)
     */
    void resumeAt(int epoch, int criticStepsSinceGenerator, double lastGeneratorLoss) {
        checkProgress(epoch, criticStepsSinceGenerator);
        this.nextEpoch = epoch + 1;
        this.criticStepsSinceGenerator = criticStepsSinceGenerator;
        this.lastGeneratorLoss = lastGeneratorLoss;
    }

    /** Throws the exception of {@link #resumeAt} for these values, if any. */
    void checkProgress(int epoch, int criticStepsSinceGenerator) {
        if (epoch < 0) {
            throw new IllegalArgumentException("GanTrainer: the epoch to resume after must be at least 0, got " + epoch);
        }
        if (criticStepsSinceGenerator < 0 || criticStepsSinceGenerator >= criticSteps) {
            throw new IllegalArgumentException("GanTrainer: critic steps since the generator's last step must be in [0, "
                    + criticSteps + ") with " + criticSteps + " critic step(s) per generator step, got "
                    + criticStepsSinceGenerator);
        }
    }

    public GanTrainer stepListener(StepListener l) {
        stepListeners.add(l);
        return this;
    }

    public GanTrainer epochListener(Consumer<GanEpoch> l) {
        epochListeners.add(l);
        return this;
    }

    /**
     * The tutorial's training step on {@code real} images [batch, channels, height, width] (or flattened) in (-1, 1)
     * with {@code noise} [n, latent]: the discriminator's update on the real images and the generator's images of the
     * noise, then the generator's on those same images. The losses stay on the device.
     */
    public Step step(Tensor real, Tensor noise) {
        Tensor fake = model.generate(noise);
        DiscriminatorLoss discriminatorLoss = updateDiscriminator(real, fake.detach());
        return new Step(discriminatorLoss.loss(), discriminatorLoss.terms(), updateGenerator(fake));
    }

    /**
     * One discriminator update, Algorithm 1's inner step: on {@code real} images (as {@link #step} takes them) and
     * the generator's images of {@code noise}, generated without recording their graph.
     */
    public DiscriminatorLoss discriminatorStep(Tensor real, Tensor noise) {
        Tensor fake;
        try (Autograd.Guard g = Autograd.noGrad()) {
            fake = model.generate(noise);
        }
        return updateDiscriminator(real, fake);
    }

    /** One generator update on its images of {@code noise}, after {@link #criticSteps} discriminator updates. */
    public Tensor generatorStep(Tensor noise) {
        return updateGenerator(model.generate(noise));
    }

    private DiscriminatorLoss updateDiscriminator(Tensor real, Tensor fake) {
        discriminatorOptimizer.zeroGrad();
        DiscriminatorLoss discriminatorLoss = loss.discriminatorLoss(model.discriminator(), model.asImages(real), fake);
        discriminatorLoss.loss().backward();
        discriminatorOptimizer.step();
        return discriminatorLoss;
    }

    private Tensor updateGenerator(Tensor fake) {
        // The generator's backward pass also fills the discriminator's gradients, which its next step clears.
        generatorOptimizer.zeroGrad();
        Tensor generatorLoss = loss.generatorLoss(model.discriminator(), fake);
        generatorLoss.backward();
        generatorOptimizer.step();
        return generatorLoss;
    }

    /**
     * Trains {@code epochs} more epochs over {@code train}'s images (their labels are ignored), a batch of fresh
     * noise per batch of images.
     *
     * @return one entry per epoch trained by this call
     * @throws IllegalArgumentException for a loader {@link DataLoader#withBatchAugmentation}, whose soft targets a
     *                                  GAN would ignore, learning to generate the mixed images
     */
    public List<GanEpoch> fit(DataLoader train, int epochs) {
        if (train.batchAugmentation() != null) {
            throw new IllegalArgumentException("GanTrainer.fit: the loader mixes its batches ("
                    + train.batchAugmentation() + ") for a classifier's soft targets, which a GAN ignores: it would"
                    + " learn to generate the mixed images; train on a loader without withBatchAugmentation");
        }
        List<GanEpoch> history = new ArrayList<>();
        for (int i = 0; i < epochs; i++) {
            GanEpoch e = trainEpoch(train, nextEpoch++);
            history.add(e);
            epochListeners.forEach(l -> l.accept(e));
        }
        return history;
    }

    private GanEpoch trainEpoch(DataLoader train, int epoch) {
        model.train();
        GanEpochLosses losses = new GanEpochLosses(epoch, train.batchesPerEpoch(), loss.termNames(), stepListeners,
                lastGeneratorLoss);
        long start = System.nanoTime();
        for (HostBatch batch : train.epoch(epoch)) {
            try (Scope s = Scope.open()) {
                Tensor real = Dcgan.fromPixels(batch.features());
                batch.recycle();
                losses.queued(trainingStep(real, batch.size()), batch.size());
            }
        }
        losses.finish();
        lastGeneratorLoss = losses.lastGenerator();
        return losses.summary((System.nanoTime() - start) / 1e9);
    }

    /** The tutorial's step with one critic step per generator step, else a critic step and every n-th a generator's. */
    private Step trainingStep(Tensor real, int size) {
        if (criticSteps == 1) {
            return step(real, model.noise(size));
        }
        DiscriminatorLoss discriminatorLoss = discriminatorStep(real, model.noise(size));
        Tensor generatorLoss = null;
        if (++criticStepsSinceGenerator == criticSteps) {
            criticStepsSinceGenerator = 0;
            generatorLoss = generatorStep(model.noise(size));
        }
        return new Step(discriminatorLoss.loss(), discriminatorLoss.terms(), generatorLoss);
    }
}
