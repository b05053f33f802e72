package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Loss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.LBFGS;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * L-BFGS through {@link Trainer} on real data: L2-regularised logistic regression (Flatten, Linear 784 -> 10, mean
 * cross-entropy plus 1e-3 / 2 times the squared weights, a strictly convex objective with one minimum) on the first
 * 10,000 MNIST training images as one batch, so that an epoch is one L-BFGS step of up to 20 iterations with strong
 * Wolfe line searches.
 *
 * <p>Measured on the CPU (seed 1): the objective falls 2.403 -> 0.316 -> 0.288 -> 0.2876 over the steps and stays
 * there (the minimum), test accuracy 0.9118 on the 10,000 test images, 66 closure evaluations in about 2 s. Accuracy
 * alone cannot tell a broken optimizer: steepest descent with the same line search (the two-loop recursion skipped)
 * reaches 0.910 but an objective of only 0.3086 after three steps, and L-BFGS with a history of one pair 0.2894. The
 * floors: objective below 0.2885 (only a working L-BFGS gets there in three steps), test accuracy at least 0.905.
 */
class LbfgsConvergenceTest {
    private static final int EXAMPLES = 10_000;
    private static final double L2 = 1e-3;

    @Test
    void fullBatchLbfgsMinimisesRegularisedLogisticRegressionOnMnistInThreeSteps() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("LbfgsConvergenceTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("LbfgsConvergenceTest", Mnist.Split.TEST));
        Engine.seed(1);
        Linear linear = new Linear(Mnist.PIXELS, Mnist.CLASSES);
        CrossEntropyLoss crossEntropy = new CrossEntropyLoss();
        Loss objective = (scores, labels) -> crossEntropy.compute(scores, labels)
                .add(linear.weight().square().sum().mul(L2 / 2));
        try (Sequential model = new Sequential(new Flatten(), linear);
             LBFGS lbfgs = new LBFGS(model.trainableParameters(), 1).lineSearch(LBFGS.STRONG_WOLFE);
             DataLoader trainLoader = new DataLoader(new Subset(train, IntStream.range(0, EXAMPLES).toArray()),
                     EXAMPLES, false, 1);
             DataLoader testLoader = new DataLoader(test, 2000, false, 1)) {
            Trainer trainer = new Trainer(model, lbfgs, objective);
            long start = System.nanoTime();
            trainer.fit(trainLoader, null, 3);
            double seconds = (System.nanoTime() - start) / 1e9;
            double trained = trainer.evaluate(trainLoader).loss();
            Evaluation result = trainer.evaluate(testLoader);
            long evaluations = lbfgs.stateDict().get("state.0.func_evals").toLongArray()[0];
            System.out.printf("MNIST logistic regression, 3 full-batch L-BFGS steps (strong Wolfe) on %d images:"
                    + " objective %.4f, test accuracy %.4f, %d evaluations, %.1f s, backend %s%n", EXAMPLES, trained,
                    result.accuracy(), evaluations, seconds, Engine.get().backend().name());
            assertEquals(10_000, result.samples());
            assertTrue(trained < 0.2885, "regularised training objective " + trained + " is not below 0.2885");
            assertTrue(result.accuracy() >= 0.905, "test accuracy " + result.accuracy() + " is below 0.905");
        }
    }
}
