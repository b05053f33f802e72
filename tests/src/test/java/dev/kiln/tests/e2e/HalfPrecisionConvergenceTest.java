package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Precision;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.GradScaler;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Half-precision training as PyTorch's AMP runs it: the zoo MLP (W1, 784-512-ReLU-512-ReLU-10) trained one epoch by
 * {@link Trainer} with Adam lr 1e-3, batch 128, seed 1, once in F32 and once with {@link Precision#F16} operands for
 * every dense layer and PyTorch's default {@link GradScaler}, must reach the F32 run's test accuracy within
 * {@link #MARGIN}.
 *
 * <p>The margin: the two runs see the same batches from the same initial weights, so they differ only by rounding
 * (no step overflowed at PyTorch's default scale of 65536 here, nor did it grow: 469 steps, growth interval 2000);
 * measured, F32 0.9624 and F16 0.9638 (LeNet's one epoch in {@code LenetConvergenceTest}: 0.9850 and 0.9848). Half
 * keeps 11 significant bits, so a correct F16 run tracks F32 to a few hundredths of a point, while seed-to-seed spread
 * of this recipe is 0.9588-0.9624 ({@code MlpConvergenceTest}). A step taken on overflowed gradients puts NaN into
 * every weight it touches (accuracy near 0.1), and a half backward pass that loses gradients trains like a network
 * with frozen layers, points below: both far outside 0.005.
 */
class HalfPrecisionConvergenceTest {
    static final double MARGIN = 0.005;

    @Test
    void f16WithAGradScalerTrainsTheMlpToF32sAccuracy() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("HalfPrecisionConvergenceTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("HalfPrecisionConvergenceTest", Mnist.Split.TEST));
        double full = accuracy(train, test, Precision.FP32);
        double half = accuracy(train, test, Precision.F16);
        assertTrue(half >= full - MARGIN, "F16 test accuracy " + half + " is more than " + MARGIN + " below F32's "
                + full);
        assertTrue(full >= 0.955, "F32 test accuracy " + full + " is below MlpConvergenceTest's floor 0.955");
    }

    private static double accuracy(MnistDataset train, MnistDataset test, Precision precision) {
        Engine.seed(1);
        try (Sequential model = Zoo.mlp(Mnist.PIXELS, Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 128, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            GradScaler scaler = precision == Precision.F16 ? new GradScaler() : null;
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss()).precision(precision).gradScaler(scaler);
            EpochMetrics epoch = trainer.fit(trainLoader, null, 1).get(0);
            Evaluation result = trainer.evaluate(testLoader);
            System.out.printf("MNIST zoo mlp, %s%s, 1 epoch Adam lr 1e-3 batch 128: test accuracy %.4f, test loss %.4f,"
                    + " train loss %.4f, epoch %.1f s (%.0f samples/s), backend %s%n", precision,
                    scaler == null ? "" : " + GradScaler (scale " + scaler.getScale() + " at the end)",
                    result.accuracy(), result.loss(), epoch.trainLoss(), epoch.seconds(), epoch.samplesPerSecond(),
                    Engine.get().backend().name());
            return result.accuracy();
        }
    }
}
