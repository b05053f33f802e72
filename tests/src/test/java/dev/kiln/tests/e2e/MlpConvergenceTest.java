package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The layer library, optimizer and trainer together: the zoo MLP (784-512-ReLU-512-ReLU-10, workload W1)
 * trained by {@link Trainer} with Adam lr 1e-3, batch 128, learns MNIST in a single epoch (one epoch only, to
 * keep CI time down).
 *
 * <p>The floor: a NumPy re-implementation of exactly this recipe with PyTorch's semantics (Linear's
 * uniform +-1/sqrt(in) init, Adam with bias correction, mean cross-entropy, shuffled batches of 128, last
 * partial batch kept) reached test accuracy 0.9588, 0.9624, 0.9621, 0.9594, 0.9598 after one epoch for
 * seeds 1-5 (train loss 0.262-0.273), so a correct engine lands near 0.96 and 0.965 would be a coin toss
 * (the benchmark's 0.9759 is after 5 epochs). 0.955 leaves room for seed and backend differences; a
 * trainer that mis-shuffles, skips batches, or steps with wrong gradients or moments stays far below it.
 */
class MlpConvergenceTest {

    @Test
    void zooMlpWithAdamReaches95Point5PercentAfterOneEpoch() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("MlpConvergenceTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("MlpConvergenceTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (Sequential model = Zoo.mlp(Mnist.PIXELS, Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 128, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            List<EpochMetrics> history = trainer.fit(trainLoader, null, 1);
            assertEquals(1, history.size());
            EpochMetrics epoch = history.get(0);
            Evaluation result = trainer.evaluate(testLoader);
            System.out.printf("MNIST zoo mlp, 1 epoch Adam lr 1e-3 batch 128: test accuracy %.4f, test loss %.4f, "
                    + "train loss %.4f, epoch %.1f s (%.0f samples/s), backend %s%n", result.accuracy(), result.loss(),
                    epoch.trainLoss(), epoch.seconds(), epoch.samplesPerSecond(), Engine.get().backend().name());
            assertEquals(10_000, result.samples());
            assertTrue(result.accuracy() >= 0.955, "test accuracy " + result.accuracy() + " is below 0.955");
            assertTrue(epoch.trainLoss() < 0.30, "mean train loss of the epoch " + epoch.trainLoss() + " is not below 0.30");
        }
    }
}
