package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Datasets;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizationAwareTraining;
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
 * Quantisation-aware training on real data: the zoo LeNet (W2) trained one epoch in F32 as
 * {@link StaticQuantizationMnistTest} trains it (Adam lr 1e-3, batch 64, seed 1), then QAT from those weights over
 * {@value #QAT_EXAMPLES} training examples drawn at random ({@link QuantizationAwareTraining#prepareQat}, Adam lr 1e-4,
 * observers on; a whole epoch took a CI minute, a QAT step costing three F32 ones), observers disabled, converted,
 * and evaluated on the 10,000 test images beside the F32 model and its post-training static quantisation (calibrated
 * on 10 training batches).
 *
 * <p>The bounds: the int8 model must stay within 0.5 points of the F32 one and above
 * {@link LenetConvergenceTest#FLOOR}, and within 0.2 points of the trained QAT model it was converted from (the two
 * differ by one output step at most per logit). A fake quantisation on the wrong grid, a gradient that does not pass
 * through it or a conversion with the wrong qparams misses these by far.
 */
class QuantizationAwareTrainingMnistTest {
    private static final int QAT_EXAMPLES = 12_000;

    @Test
    void qatLenetConvertedToInt8KeepsItsTestAccuracy() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("QuantizationAwareTrainingMnistTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("QuantizationAwareTrainingMnistTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (Sequential model = Zoo.lenet(Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 64, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation f32 = trainer.evaluate(testLoader);
            Evaluation ptq = staticInt8(model, trainLoader, testLoader, adam);
            try (Module qat = QuantizationAwareTraining.prepareQat(model);
                 Optimizer qatAdam = new Adam(qat.trainableParameters(), 1e-4);
                 DataLoader qatLoader = new DataLoader(Datasets.take(train, QAT_EXAMPLES, 2), 64, true, 1)) {
                Trainer qatTrainer = new Trainer(qat, qatAdam, new CrossEntropyLoss());
                qatTrainer.fit(qatLoader, null, 1);
                QuantizationAwareTraining.disableObservers(qat);
                Evaluation fakeQuantised = qatTrainer.evaluate(testLoader);
                try (Module int8 = QuantizationAwareTraining.convert(qat)) {
                    long int8Layers = int8.modules().stream()
                            .filter(m -> m instanceof QuantizedLayer).count();
                    assertEquals(4, int8Layers, "quantised Conv2d and Linear layers");
                    Evaluation qatInt8 = new Trainer(int8, qatAdam, new CrossEntropyLoss()).evaluate(testLoader);
                    System.out.printf("MNIST zoo lenet: test accuracy F32 (1 epoch) %.4f, post-training static int8"
                            + " %.4f, QAT (%d more examples, fake-quantised) %.4f, QAT int8 %.4f, backend %s%n",
                            f32.accuracy(), ptq.accuracy(), QAT_EXAMPLES, fakeQuantised.accuracy(), qatInt8.accuracy(),
                            Engine.get().backend().name());
                    assertEquals(10_000, qatInt8.samples());
                    assertTrue(qatInt8.accuracy() >= f32.accuracy() - 0.005, "QAT int8 accuracy "
                            + qatInt8.accuracy() + " is more than 0.5 points below F32's " + f32.accuracy());
                    assertTrue(qatInt8.accuracy() >= LenetConvergenceTest.FLOOR,
                            "QAT int8 accuracy " + qatInt8.accuracy() + " is below " + LenetConvergenceTest.FLOOR);
                    assertTrue(Math.abs(qatInt8.accuracy() - fakeQuantised.accuracy()) <= 0.002, "QAT int8 accuracy "
                            + qatInt8.accuracy() + " is more than 0.2 points from the QAT model's "
                            + fakeQuantised.accuracy());
                }
            }
        }
    }

    /**
     * The test evaluation of {@code model}'s post-training static quantisation (a Trainer takes an optimizer, which
     * evaluating leaves alone).
     */
    private static Evaluation staticInt8(Module model, DataLoader trainLoader, DataLoader testLoader,
                                         Optimizer anyOptimizer) {
        try (Module prepared = StaticQuantization.prepare(model)) {
            StaticQuantizationMnistTest.calibrate(prepared, trainLoader);
            try (Module quantised = StaticQuantization.convert(prepared)) {
                return new Trainer(quantised, anyOptimizer, new CrossEntropyLoss()).evaluate(testLoader);
            }
        }
    }
}
