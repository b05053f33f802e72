package dev.kiln.autoencoder;

import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.DeviceSum;
import dev.kiln.train.StepLosses;
import dev.kiln.train.TrainingListener;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains an {@link Autoencoder} without labels (the labels of the batches are ignored): epochs of shuffled
 * mini-batches, one {@link Scope} per step, minimising {@link Autoencoder#loss}; after each epoch the objective and
 * the reconstruction error on validation data in evaluation mode.
 */
public final class AutoencoderTrainer {
    private final Autoencoder model;
    private final Optimizer optimizer;
    private final List<TrainingListener> batchListeners = new ArrayList<>();
    private final List<Consumer<AutoencoderEpoch>> epochListeners = new ArrayList<>();
    private int nextEpoch = 1;

    public AutoencoderTrainer(Autoencoder model, Optimizer optimizer) {
        this.model = model;
        this.optimizer = optimizer;
    }

    /**
     * Receives {@link TrainingListener#onBatchEnd} for every step once its loss has arrived, which is after the next
     * step was queued ({@link StepLosses}); for a progress bar.
     */
    public AutoencoderTrainer batchListener(TrainingListener l) {
        batchListeners.add(l);
        return this;
    }

    /** Receives each epoch's figures. */
    public AutoencoderTrainer epochListener(Consumer<AutoencoderEpoch> l) {
        epochListeners.add(l);
        return this;
    }

    /**
     * Trains {@code epochs} more epochs.
     *
     * @param validation null to skip validation
     * @return one entry per epoch trained by this call
     * @throws IllegalArgumentException for a loader {@link DataLoader#withBatchAugmentation}, whose soft targets an
     *                                  autoencoder would ignore, learning to reconstruct the mixed examples
     */
    public List<AutoencoderEpoch> fit(DataLoader train, DataLoader validation, int epochs) {
        for (DataLoader loader : validation == null ? List.of(train) : List.of(train, validation)) {
            if (loader.batchAugmentation() != null) {
                throw new IllegalArgumentException("AutoencoderTrainer.fit: a loader mixes its batches ("
                        + loader.batchAugmentation() + ") for a classifier's soft targets, which an autoencoder"
                        + " ignores: it would learn to reconstruct the mixed examples; give it loaders without"
                        + " withBatchAugmentation");
            }
        }
        List<AutoencoderEpoch> history = new ArrayList<>();
        for (int i = 0; i < epochs; i++) {
            AutoencoderEpoch e = trainEpoch(train, validation, nextEpoch++);
            history.add(e);
            epochListeners.forEach(l -> l.accept(e));
        }
        return history;
    }

    private AutoencoderEpoch trainEpoch(DataLoader train, DataLoader validation, int epoch) {
        model.train();
        StepLosses losses = new StepLosses(epoch, train.batchesPerEpoch(), batchListeners);
        long start = System.nanoTime();
        for (HostBatch batch : train.epoch(epoch)) {
            try (Scope step = Scope.open()) {
                Tensor features = batch.features();
                batch.recycle();
                optimizer.zeroGrad();
                Tensor loss = model.loss(features);
                loss.backward();
                optimizer.step();
                losses.queued(loss.itemAsync(), batch.size());
            }
        }
        losses.finish();
        double seconds = (System.nanoTime() - start) / 1e9;
        long samples = losses.samples();
        Evaluation v = validation == null ? new Evaluation(Double.NaN, Double.NaN) : evaluate(model, validation);
        return new AutoencoderEpoch(epoch, losses.weightedSum() / samples, v.loss(), v.error(), seconds,
                samples / seconds);
    }

    /**
     * An autoencoder's figures on a data set, per example.
     *
     * @param loss  the objective ({@link Autoencoder#loss}) in evaluation mode
     * @param error mean squared reconstruction error per pixel
     */
    public record Evaluation(double loss, double error) {
    }

    /**
     * The objective and the reconstruction error of {@code model} on {@code data}, in evaluation mode and
     * without recording gradients (the previous mode is restored).
     */
    public static Evaluation evaluate(Autoencoder model, DataLoader data) {
        boolean wasTraining = model.isTraining();
        model.eval();
        long samples = 0;
        try (Autograd.Guard g = Autograd.noGrad(); DeviceSum lossSum = new DeviceSum();
             DeviceSum errorSum = new DeviceSum()) {
            for (HostBatch batch : data.epoch(0)) {
                try (Scope s = Scope.open()) {
                    Tensor x = batch.features();
                    batch.recycle();
                    lossSum.add(model.loss(x), batch.size());
                    errorSum.add(Autoencoder.reconstructionError(model.forward(x), x), batch.size());
                    samples += batch.size();
                }
            }
            return new Evaluation(lossSum.read() / samples, errorSum.read() / samples);
        } finally {
            model.train(wasTraining);
        }
    }
}
