package dev.kiln.learning;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.HostBatch;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.optim.Optimizers;
import dev.kiln.train.DeviceSum;
import dev.kiln.train.Trainer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Trains the same MLP with backpropagation, feedback alignment, direct feedback alignment or synthetic
 * gradients on one data set, epoch by epoch, recording wall time, training loss, test accuracy and, for
 * the gradient rules, the angle of each layer's update to the true gradient.
 */
public final class MethodComparison {
    /** The training methods compared by default, in the order they are usually reported. */
    public static final List<String> METHODS = List.of("backprop", "fa", "dfa", "dni");

    /**
     * Every name {@link #create} accepts: {@link #METHODS} and the baseline "readout", in which only the
     * output layer learns (the hidden layers keep their random initial weights), which is what a training
     * method whose error never reaches the hidden layers amounts to.
     */
    public static final List<String> ALL = List.of("backprop", "fa", "dfa", "dni", "readout");

    /**
     * @param sizes  layer widths from input to classes, e.g. {784, 256, 256, 10}
     * @param seed   seeds the weights, the feedback matrices and the shuffling
     */
    public record Config(int[] sizes, int batch, double learningRate, int epochs, long seed) {
    }

    /**
     * One epoch of one method. {@code angles} [depth] in degrees from the true gradient, measured after the
     * epoch on a fixed training batch; empty for methods that do not compute one update per parameter.
     */
    public record EpochResult(String method, int epoch, double seconds, double trainLoss, double testAccuracy,
                              double[] angles) {
    }

    private MethodComparison() {
    }

    /** A fresh model and method; Adam with the given learning rate for every optimizer the method needs. */
    public static TrainingMethod create(String method, int[] sizes, double learningRate) {
        return switch (method) {
            case "backprop" -> new Backpropagation("backprop", new LayeredMlp(sizes, Linear::new),
                    p -> Optimizers.create("adam", p, learningRate));
            case "fa" -> new Backpropagation("fa", new LayeredMlp(sizes, FeedbackAlignmentLinear::new),
                    p -> Optimizers.create("adam", p, learningRate));
            case "dfa" -> new DirectFeedbackAlignment(new LayeredMlp(sizes, Linear::new),
                    p -> Optimizers.create("adam", p, learningRate));
            case "dni" -> new SyntheticGradients(new LayeredMlp(sizes, Linear::new),
                    p -> Optimizers.create("adam", p, learningRate));
            case "readout" -> new Backpropagation("readout", withFrozenHiddenLayers(new LayeredMlp(sizes, Linear::new)),
                    p -> Optimizers.create("adam", p, learningRate));
            default -> throw new IllegalArgumentException("unknown training method '" + method + "'; known: " + ALL);
        };
    }

    private static LayeredMlp withFrozenHiddenLayers(LayeredMlp mlp) {
        for (int i = 0; i + 1 < mlp.depth(); i++) {
            mlp.layer(i).freeze();
        }
        return mlp;
    }

    /**
     * Trains one method for {@code config.epochs()} epochs and reports each epoch to {@code onEpoch}.
     *
     * @param angleBatch training images on which angles are measured (e.g. the first 1,000); may be null
     */
    public static List<EpochResult> run(String method, Dataset train, Dataset test, Config config, Dataset angleBatch,
                                        Consumer<EpochResult> onEpoch) {
        Engine.seed(config.seed());
        List<EpochResult> results = new ArrayList<>();
        try (TrainingMethod m = create(method, config.sizes(), config.learningRate());
             DataLoader trainLoader = new DataLoader(train, config.batch(), true, config.seed());
             DataLoader testLoader = new DataLoader(test, 1000, false, 0);
             DataLoader angleLoader = angleBatch == null ? null : new DataLoader(angleBatch, angleBatch.size(), false, 0)) {
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                long start = System.nanoTime();
                int samples = 0;
                double lossSum;
                try (DeviceSum losses = new DeviceSum()) {
                    for (HostBatch batch : trainLoader.epoch(epoch)) {
                        try (Scope s = Scope.open()) {
                            Tensor features = batch.features();
                            Tensor labels = batch.labels();
                            batch.recycle();
                            losses.add(m.step(features, labels), batch.size());
                            samples += batch.size();
                        }
                    }
                    lossSum = losses.read();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double accuracy = Trainer.evaluate(m.model(), new CrossEntropyLoss(), testLoader, 1).accuracy();
                double[] angles = m instanceof GradientRule rule && angleLoader != null ? angles(rule, angleLoader) : new double[0];
                EpochResult r = new EpochResult(method, epoch, seconds, lossSum / samples, accuracy, angles);
                results.add(r);
                onEpoch.accept(r);
            }
        }
        return results;
    }

    private static double[] angles(GradientRule rule, DataLoader angleLoader) {
        for (HostBatch batch : angleLoader.epoch(0)) {
            try (Scope s = Scope.open()) {
                return GradientAngles.measure(rule, batch.features(), batch.labels());
            }
        }
        throw new IllegalStateException("the angle batch is empty");
    }
}
