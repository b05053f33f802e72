package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.autoencoder.AutoencoderTrainer;
import dev.kiln.autoencoder.ConvAutoencoder;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Datasets;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * A convolutional autoencoder on real MNIST, end to end: two strided convolutions down to 64 codes and two
 * transposed convolutions back ({@link ConvAutoencoder}), trained for one epoch on 20,000 training images without
 * their labels (Adam lr 1e-3, batch 64), must reconstruct the 10,000 test digits.
 *
 * <p>Measured with exactly this recipe on the project's 2-core machine: seeds 1-3 reached test reconstruction MSE
 * 0.0241, 0.0261 and 0.0242 (the untrained network's is 0.278). A decoder that cannot shape its images sits
 * far above: with the two transposed convolutions' weights frozen (no weight gradient) the MSE was 0.125, and
 * predicting every digit as the mean training image gives 0.067. So the MSE must be below 0.04.
 *
 * <p>Time: 10-15 s on the 2-core machine.
 */
class ConvAutoencoderTest {
    static final double MSE_CEILING = 0.04;

    @Test
    void reconstructsTestDigitsAfterOneEpochOnTwentyThousandImages() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("ConvAutoencoderTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("ConvAutoencoderTest", Mnist.Split.TEST));
        long start = System.nanoTime();
        Engine.seed(1);
        try (ConvAutoencoder ae = new ConvAutoencoder(1, 28, 28, 64);
             Optimizer adam = new Adam(ae.trainableParameters(), 1e-3);
             DataLoader images = new DataLoader(Datasets.take(train, 20_000, 1), 64, true, 1);
             DataLoader testImages = new DataLoader(test, 1000, false, 1)) {
            double untrained = AutoencoderTrainer.evaluate(ae, testImages).error();
            new AutoencoderTrainer(ae, adam).fit(images, null, 1);
            double mse = AutoencoderTrainer.evaluate(ae, testImages).error();
            System.out.printf("MNIST convolutional autoencoder, 1 epoch on 20,000 images without labels: test"
                    + " reconstruction MSE %.4f (untrained %.4f), %.1f s, backend %s%n", mse, untrained,
                    (System.nanoTime() - start) / 1e9, Engine.get().backend().name());
            assertTrue(mse < MSE_CEILING, "test reconstruction MSE " + mse + " is not below " + MSE_CEILING);
        }
    }
}
