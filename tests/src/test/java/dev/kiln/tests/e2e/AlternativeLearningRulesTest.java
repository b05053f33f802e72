package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.Dataset;
import dev.kiln.data.Datasets;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.learning.MethodComparison;
import dev.kiln.learning.MethodComparison.EpochResult;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Feedback alignment and direct feedback alignment learn real MNIST, and they learn by alignment: the
 * hidden layers' updates turn towards the true gradient. One epoch on 10,000 images of a 784-256-256-10 MLP,
 * Adam lr 1e-3, batch 128.
 *
 * <p>The reference is the same network whose hidden layers never learn (their updates are zero: what a
 * broken feedback path gives), measured by the first test: 0.595 on this budget, while FA reaches 0.860 and
 * DFA 0.850 (seed 1). Angles: a random direction in these dimensions is 90 degrees from the true gradient
 * to within a degree; FA's hidden layers reach 50 and 60 degrees after this epoch, DFA's 57 and 74.
 */
class AlternativeLearningRulesTest {
    private static Dataset train;
    private static Dataset test;
    private static Subset angleBatch;

    @BeforeAll
    static void load() throws IOException {
        Dataset all = MnistDataset.of(RealMnist.load("AlternativeLearningRulesTest", Mnist.Split.TRAIN));
        train = Datasets.take(all, 10_000, 1);
        test = MnistDataset.of(RealMnist.load("AlternativeLearningRulesTest", Mnist.Split.TEST));
        angleBatch = new Subset(train, IntStream.range(0, 1000).toArray());
    }

    private static EpochResult oneEpoch(String method) {
        MethodComparison.Config config = new MethodComparison.Config(new int[] {784, 256, 256, 10}, 128, 1e-3, 1, 1);
        List<EpochResult> r = MethodComparison.run(method, train, test, config, angleBatch, e -> { });
        EpochResult last = r.get(r.size() - 1);
        System.out.printf("%s, 1 epoch on 10,000 MNIST images: test accuracy %.4f, angles %s%n", method,
                last.testAccuracy(), Arrays.toString(last.angles()));
        return last;
    }

    @Test
    void onlyTheOutputLayerLearningIsTheBaselineToBeat() {
        EpochResult readout = oneEpoch("readout");
        assertTrue(readout.testAccuracy() < 0.75, "readout test accuracy " + readout.testAccuracy());
    }

    @Test
    void feedbackAlignmentBeatsFrozenHiddenLayersAndAlignsWithTheTrueGradient() {
        EpochResult fa = oneEpoch("fa");
        assertTrue(fa.testAccuracy() > 0.80, "fa test accuracy " + fa.testAccuracy());
        assertTrue(fa.angles()[0] < 85 && fa.angles()[1] < 85, "fa angles " + Arrays.toString(fa.angles()));
    }

    @Test
    void directFeedbackAlignmentBeatsFrozenHiddenLayersAndAlignsWithTheTrueGradient() {
        EpochResult dfa = oneEpoch("dfa");
        assertTrue(dfa.testAccuracy() > 0.80, "dfa test accuracy " + dfa.testAccuracy());
        assertTrue(dfa.angles()[0] < 85 && dfa.angles()[1] < 85, "dfa angles " + Arrays.toString(dfa.angles()));
    }
}
