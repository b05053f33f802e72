package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Autograd;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Scope;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizedLayer;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.StaticQuantization;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Static int8 quantisation on real data: the zoo LeNet (W2) trained one epoch as {@link LenetConvergenceTest} trains
 * it (Adam lr 1e-3, batch 64, seed 1), prepared ({@link StaticQuantization#prepare}), calibrated on the first 10
 * training batches, converted, and evaluated on the 10,000 test images.
 *
 * <p>The bounds: PyTorch's post-training static quantisation of MNIST convnets with min-max observers typically moves
 * test accuracy by a tenth of a point, so the int8 model must stay within 0.5 points of the F32 one and above
 * {@link LenetConvergenceTest#FLOOR}; a kernel that lost a zero point or a scale, or a grid taken from the wrong
 * observer, misses both by far.
 */
class StaticQuantizationMnistTest {
    private static final int CALIBRATION_BATCHES = 10;

    @Test
    void quantisedZooLenetKeepsItsTestAccuracyWithinHalfAPoint() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("StaticQuantizationMnistTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("StaticQuantizationMnistTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (Sequential model = Zoo.lenet(Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 64, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation f32 = trainer.evaluate(testLoader);
            try (Module prepared = StaticQuantization.prepare(model)) {
                calibrate(prepared, trainLoader);
                try (Module quantised = StaticQuantization.convert(prepared)) {
                    long int8Layers = quantised.modules().stream()
                            .filter(m -> m instanceof QuantizedLayer).count();
                    assertEquals(4, int8Layers, "quantised Conv2d and Linear layers");
                    Evaluation int8 = new Trainer(quantised, adam, new CrossEntropyLoss()).evaluate(testLoader);
                    System.out.printf("MNIST zoo lenet, 1 epoch: test accuracy F32 %.4f, static int8 %.4f (loss %.4f,"
                            + " %.4f), backend %s%n", f32.accuracy(), int8.accuracy(), f32.loss(), int8.loss(),
                            Engine.get().backend().name());
                    assertEquals(10_000, int8.samples());
                    assertTrue(Math.abs(int8.accuracy() - f32.accuracy()) <= 0.005, "int8 accuracy "
                            + int8.accuracy() + " is more than 0.5 points from F32's " + f32.accuracy());
                    assertTrue(int8.accuracy() >= LenetConvergenceTest.FLOOR,
                            "int8 accuracy " + int8.accuracy() + " is below " + LenetConvergenceTest.FLOOR);
                }
            }
        }
    }

    /**
     * The prepared model run over the first {@value #CALIBRATION_BATCHES} training batches of a new epoch, without
     * gradients ({@link QuantizationAwareTrainingMnistTest}'s post-training comparison calibrates so too).
     */
    static void calibrate(Module prepared, DataLoader loader) {
        try (DataLoader.BatchIterator batches = loader.epoch(1).iterator(); var g = Autograd.noGrad()) {
            for (int i = 0; i < CALIBRATION_BATCHES && batches.hasNext(); i++) {
                HostBatch batch = batches.next();
                try (Scope s = Scope.open()) {
                    prepared.forward(batch.features());
                }
            }
        }
    }
}
