package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * LeNet trained one epoch on 10,000 real MNIST digits through TrivialAugmentWide still learns: measured test accuracy
 * 0.9325, 0.9362 and 0.9299 for seeds 1 to 3 (0.9348 without augmentation, seed 1), about 7 s on 2 cores. The test
 * asks for 0.90; an operation that wrecked the digits (a wrong sign, scale or fill) would cost far more.
 */
class TrivialAugmentMnistTest {
    @TempDir
    Path dir;

    @Test
    void lenetLearnsMnistThroughTrivialAugmentWide() throws IOException {
        try {
            Mnist.load(null, "mnist", Mnist.Split.TEST);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("real MNIST not present (set KILN_DATA): " + e.getMessage());
        }
        KilnRuns.Result r = KilnRuns.kiln("train", "lenet", "--data", "mnist", "--train-size", "10000", "--epochs",
                "1", "--augment", "trivialaugment", "--seed", "1", "--out", dir.resolve("run").toString());
        assertEquals(0, r.code(), r.toString());
        double accuracy = r.lastLineJson().get("test_accuracy").getAsDouble();
        assertTrue(accuracy > 0.90, "test accuracy " + accuracy + " after one epoch with TrivialAugmentWide");
    }
}
