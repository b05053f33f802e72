package dev.kiln.gan;

import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.StepLosses;
import dev.kiln.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains a {@link Dcgan} on images without their labels, as PyTorch's DCGAN tutorial does: each step draws a batch
 * of noise, generates images from it once, updates the discriminator on the real batch and those images (detached),
 * then the generator through the updated discriminator, each network with its own optimizer; one {@link Scope} per
 * step. Real pixels in [0, 1] are mapped to the generator's range (-1, 1) first ({@link Dcgan#fromPixels}).
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
    private int nextEpoch = 1;

    /** Receives each step's two losses once they have arrived, in order ({@link StepLosses}: one step late). */
    @FunctionalInterface
    public interface StepListener {
        void onStep(int epoch, int step, int stepsPerEpoch, double discriminatorLoss, double generatorLoss);
    }

    /** One step's scalar losses, the discriminator's before its update and the generator's before its own. */
    public record Step(Tensor discriminatorLoss, Tensor generatorLoss) {
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

    public GanTrainer stepListener(StepListener l) {
        stepListeners.add(l);
        return this;
    }

    public GanTrainer epochListener(Consumer<GanEpoch> l) {
        epochListeners.add(l);
        return this;
    }

    /**
     * One training step on {@code real} images [batch, channels, height, width] (or flattened) in (-1, 1) with
     * {@code noise} [n, latent]: the discriminator's update, then the generator's. The losses stay on the device.
     */
    public Step step(Tensor real, Tensor noise) {
        Tensor fake = model.generate(noise);
        discriminatorOptimizer.zeroGrad();
        Tensor discriminatorLoss = loss.discriminatorLoss(model.discriminator(), model.asImages(real), fake.detach());
        discriminatorLoss.backward();
        discriminatorOptimizer.step();
        // The generator's backward pass also fills the discriminator's gradients, which its next step clears.
        generatorOptimizer.zeroGrad();
        Tensor generatorLoss = loss.generatorLoss(model.discriminator(), fake);
        generatorLoss.backward();
        generatorOptimizer.step();
        return new Step(discriminatorLoss, generatorLoss);
    }

    /**
     * Trains {@code epochs} more epochs over {@code train}'s images (their labels are ignored), a batch of fresh
     * noise per batch of images.
     *
     * @return one entry per epoch trained by this call
     */
    public List<GanEpoch> fit(DataLoader train, int epochs) {
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
        int steps = train.batchesPerEpoch();
        // Two queues read in step: the discriminator's loss of step n arrives just before the generator's, whose
        // listener then reports both.
        double[] lastDiscriminatorLoss = new double[1];
        StepLosses discriminatorLosses = new StepLosses(epoch, steps, List.of(new TrainingListener() {
            @Override
            public void onBatchEnd(int e, int batch, int batches, double value) {
                lastDiscriminatorLoss[0] = value;
            }
        }));
        StepLosses generatorLosses = new StepLosses(epoch, steps, List.of(new TrainingListener() {
            @Override
            public void onBatchEnd(int e, int batch, int batches, double value) {
                stepListeners.forEach(l -> l.onStep(e, batch, batches, lastDiscriminatorLoss[0], value));
            }
        }));
        long start = System.nanoTime();
        for (HostBatch batch : train.epoch(epoch)) {
            try (Scope s = Scope.open()) {
                Tensor real = Dcgan.fromPixels(batch.features());
                batch.recycle();
                Step step = step(real, model.noise(batch.size()));
                discriminatorLosses.queued(step.discriminatorLoss().itemAsync(), batch.size());
                generatorLosses.queued(step.generatorLoss().itemAsync(), batch.size());
            }
        }
        discriminatorLosses.finish();
        generatorLosses.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        long samples = generatorLosses.samples();
        return new GanEpoch(epoch, discriminatorLosses.weightedSum() / samples, generatorLosses.weightedSum() / samples,
                seconds, samples / seconds);
    }
}
