package dev.kiln.zoo;

import dev.kiln.data.Mnist;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/** Trains a {@link TwoLayerNet} on MNIST-shaped data with shuffled mini-batches and reports test accuracy. */
public final class TwoLayerTraining {
    private TwoLayerTraining() {
    }

    /** Hyper-parameters. */
    public record Config(int hidden, int batch, double learningRate, int epochs, long seed) {
        public Config {
            if (hidden < 1 || batch < 1 || epochs < 1 || !(learningRate > 0)) {
                throw new IllegalArgumentException("two-layer training: hidden, batch and epochs must be positive and the"
                        + " learning rate above 0, got " + this);
            }
        }
    }

    /** Reported after every {@code reportEvery} batches and at the end of each epoch. */
    public record Progress(int epoch, int batchesDone, int batchesPerEpoch, double meanLoss) {
    }

    /** Final figures. */
    public record Result(double testAccuracy, double lastEpochLoss, double lastEpochSeconds, double samplesPerSecond) {
    }

    public static Result run(Mnist train, Mnist test, Config config, int reportEvery, Consumer<Progress> listener) {
        Engine.seed(config.seed());
        SplittableRandom shuffler = new SplittableRandom(config.seed());
        int[] order = new int[train.count()];
        for (int i = 0; i < order.length; i++) {
            order[i] = i;
        }
        int batchesPerEpoch = (train.count() + config.batch() - 1) / config.batch();
        try (TwoLayerNet net = new TwoLayerNet(Mnist.PIXELS, config.hidden(), Mnist.CLASSES)) {
            double loss = 0;
            double seconds = 0;
            for (int epoch = 1; epoch <= config.epochs(); epoch++) {
                shuffle(order, shuffler);
                long start = System.nanoTime();
                double lossSum = 0;
                for (int b = 0; b < batchesPerEpoch; b++) {
                    int from = b * config.batch();
                    int n = Math.min(config.batch(), train.count() - from);
                    try (Scope s = Scope.open()) {
                        lossSum += net.trainStep(images(train, order, from, n), labels(train, order, from, n), config.learningRate());
                    }
                    if ((b + 1) % reportEvery == 0 || b + 1 == batchesPerEpoch) {
                        listener.accept(new Progress(epoch, b + 1, batchesPerEpoch, lossSum / (b + 1)));
                    }
                }
                seconds = (System.nanoTime() - start) / 1e9;
                loss = lossSum / batchesPerEpoch;
            }
            double accuracy = accuracy(net, test);
            return new Result(accuracy, loss, seconds, train.count() / seconds);
        }
    }

    private static double accuracy(TwoLayerNet net, Mnist test) {
        int[] identity = new int[test.count()];
        for (int i = 0; i < identity.length; i++) {
            identity[i] = i;
        }
        int hits = 0;
        for (int from = 0; from < test.count(); from += 1000) {
            int n = Math.min(1000, test.count() - from);
            try (Scope s = Scope.open()) {
                hits += net.correct(images(test, identity, from, n), labels(test, identity, from, n));
            }
        }
        return hits / (double) test.count();
    }

    private static void shuffle(int[] order, SplittableRandom random) {
        for (int i = order.length - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
    }

    private static Tensor images(Mnist data, int[] order, int from, int n) {
        float[] batch = new float[n * Mnist.PIXELS];
        for (int i = 0; i < n; i++) {
            data.copyImage(order[from + i], batch, i * Mnist.PIXELS);
        }
        return Tensor.fromArray(batch, n, Mnist.PIXELS);
    }

    private static Tensor labels(Mnist data, int[] order, int from, int n) {
        long[] batch = new long[n];
        for (int i = 0; i < n; i++) {
            batch[i] = data.labels()[order[from + i]];
        }
        return Tensor.fromArray(batch, n);
    }
}
