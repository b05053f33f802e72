package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.Mnist;
import dev.kiln.zoo.TwoLayerTraining;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** The foundation works end to end: raw tensor ops, autograd and plain SGD learn MNIST in one epoch. */
class MnistTwoLayerTest {

    @Test
    void twoLayerNetworkReaches95PercentAfterOneEpochOfSgd() throws IOException {
        Mnist train = RealMnist.load("MnistTwoLayerTest", Mnist.Split.TRAIN);
        Mnist test = RealMnist.load("MnistTwoLayerTest", Mnist.Split.TEST);
        TwoLayerTraining.Result r = TwoLayerTraining.run(train, test,
                new TwoLayerTraining.Config(256, 16, 0.2, 1, 1), Integer.MAX_VALUE, p -> { });
        System.out.printf("MNIST two-layer, 1 epoch SGD: test accuracy %.4f, epoch %.1f s (%.0f samples/s), loss %.4f%n",
                r.testAccuracy(), r.lastEpochSeconds(), r.samplesPerSecond(), r.lastEpochLoss());
        assertTrue(r.testAccuracy() >= 0.95, "test accuracy " + r.testAccuracy() + " is below 0.95");
    }
}
