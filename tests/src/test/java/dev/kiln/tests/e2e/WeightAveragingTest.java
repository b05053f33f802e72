package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.AveragedModel;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link AveragedModel} on real data: the zoo MLP trained by plain SGD at a high learning rate (0.1, batch 64), whose
 * weights jump from step to step, for one epoch on the first 20,000 MNIST training images, with an exponential moving
 * average (decay 0.99) of its weights kept by the {@link Trainer}; both evaluated on the 10,000 test images.
 *
 * <p>Measured (seed 1, 313 steps): the last weights 0.8975, their average 0.9022. The floor on the average, 0.87,
 * is far above what an average never updated gives (the initial weights, about 0.1); and the average must be within
 * a point of the last weights, which one that kept too much of the early weights would not be.
 */
class WeightAveragingTest {
    static final double FLOOR = 0.87;

    @Test
    void anExponentialMovingAverageOfNoisySgdWeightsClassifiesMnistAsWellAsTheLastWeights() throws IOException {
        MnistDataset all = MnistDataset.of(RealMnist.load("WeightAveragingTest", Mnist.Split.TRAIN));
        Subset train = new Subset(all, IntStream.range(0, 20_000).toArray());
        MnistDataset test = MnistDataset.of(RealMnist.load("WeightAveragingTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (Sequential model = Zoo.mlp(Mnist.PIXELS, Mnist.CLASSES);
             Optimizer sgd = new SGD(model.trainableParameters(), 0.1);
             AveragedModel averaged = AveragedModel.ema(model, 0.99);
             DataLoader trainLoader = new DataLoader(train, 64, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, sgd, new CrossEntropyLoss()).averageWeights(averaged);
            trainer.fit(trainLoader, null, 1);
            Evaluation last = trainer.evaluate(testLoader);
            Evaluation average = Trainer.evaluate(averaged, new CrossEntropyLoss(), testLoader, 5);
            System.out.printf("MNIST, zoo mlp, SGD lr 0.1, 1 epoch on %d images, %d averaged steps: last weights %.4f,"
                    + " their moving average %.4f%n", train.size(), averaged.averaged(), last.accuracy(),
                    average.accuracy());
            assertTrue(average.accuracy() >= FLOOR, "the average's test accuracy " + average.accuracy() + " is below "
                    + FLOOR);
            assertTrue(average.accuracy() >= last.accuracy() - 0.01, "the average's test accuracy "
                    + average.accuracy() + " is more than a point below the last weights' " + last.accuracy());
        }
    }
}
