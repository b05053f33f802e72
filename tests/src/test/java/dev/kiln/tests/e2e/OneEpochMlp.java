package dev.kiln.tests.e2e;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Dataset;
import dev.kiln.data.Mnist;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;

/**
 * The zoo MLP (W1's), Adam lr 1e-3, batch 64, trained one epoch (seed 1) on MNIST images read back from files of the
 * user's kind, and evaluated. The floor: on the first 10,000 training images it reached 0.8865 test accuracy on the
 * first 2,000 test images read from PNG folders, 0.8910 from CSV (the same images; the loader's batch order differs
 * with the files' order); 0.85 leaves room for other seeds, while labels that did not follow their images would stay
 * near 0.1.
 */
final class OneEpochMlp {
    static final double FLOOR = 0.85;

    private OneEpochMlp() {
    }

    /** The test accuracy after one epoch on {@code train}, printed with {@code what} the data are. */
    static double testAccuracy(String what, Dataset train, Dataset test) {
        Engine.seed(1);
        try (Sequential model = Zoo.mlp(Mnist.PIXELS, Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 64, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation result = trainer.evaluate(testLoader);
            System.out.printf("%s, zoo mlp, 1 epoch on %d images: test accuracy %.4f on %d%n", what, train.size(),
                    result.accuracy(), result.samples());
            return result.accuracy();
        }
    }
}
