package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Datasets;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.BatchNorm2d;
import dev.kiln.nn.Conv2d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Flatten;
import dev.kiln.nn.Linear;
import dev.kiln.nn.MaxPool2d;
import dev.kiln.nn.Module;
import dev.kiln.nn.QatConvBn2d;
import dev.kiln.nn.QuantizationAwareTraining;
import dev.kiln.nn.QuantizedLayer;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.StaticQuantization;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Quantisation-aware training with batch norm folded into the convolutions ({@link QatConvBn2d}) on real data: a small
 * conv-bn-relu net trained in F32 over {@value #F32_EXAMPLES} training examples (Adam lr 1e-3, batch 64, seed 1),
 * then QAT from those weights ({@link QuantizationAwareTraining#prepareQat}, Adam lr 1e-4, observers on) over
 * {@value #QAT_EXAMPLES} examples, the batch norms' statistics frozen for {@value #FROZEN_EXAMPLES} more, as PyTorch's
 * QAT tutorial does, observers disabled, converted, and evaluated on the 10,000 test images beside the F32 model and
 * its post-training static quantisation (batch norms folded, calibrated on 10 training batches).
 *
 * <p>The bounds: the int8 model must stay within 0.5 points of the F32 one (0.9727 after its half epoch) and above
 * {@value #FLOOR}, and within 0.2 points of the trained QAT model it was converted from (the two
 * differ by one output step at most per logit). A batch norm folded with the wrong statistics in training or in
 * {@code convert}, or a gradient that does not reach gamma and beta, misses these by far.
 */
class QatConvBatchNormMnistTest {
    private static final int F32_EXAMPLES = 30_000;
    private static final int QAT_EXAMPLES = 6_400;
    private static final int FROZEN_EXAMPLES = 3_200;
    private static final double FLOOR = 0.97;

    /** Conv(1, 8) + BN + ReLU, pool, Conv(8, 16) + BN + ReLU, pool, Linear(784, 10): [batch, 1, 28, 28] to 10. */
    private static Sequential convBatchNormNet() {
        return new Sequential(Conv2d.builder(1, 8, 3).padding(1).bias(false).build(), new BatchNorm2d(8), new ReLU(),
                new MaxPool2d(2), Conv2d.builder(8, 16, 3).padding(1).bias(false).build(), new BatchNorm2d(16),
                new ReLU(), new MaxPool2d(2), new Flatten(), new Linear(16 * 7 * 7, Mnist.CLASSES));
    }

    @Test
    void qatConvBatchNormNetConvertedToInt8KeepsItsTestAccuracy() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("QatConvBatchNormMnistTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("QatConvBatchNormMnistTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (Sequential model = convBatchNormNet();
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(Datasets.take(train, F32_EXAMPLES, 1), 64, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation f32 = trainer.evaluate(testLoader);
            Evaluation ptq = staticInt8(model, trainLoader, testLoader, adam);
            try (Module qat = QuantizationAwareTraining.prepareQat(model);
                 Optimizer qatAdam = new Adam(qat.trainableParameters(), 1e-4);
                 DataLoader qatLoader = new DataLoader(Datasets.take(train, QAT_EXAMPLES, 2), 64, true, 1);
                 DataLoader frozenLoader = new DataLoader(Datasets.take(train, FROZEN_EXAMPLES, 3), 64, true, 1)) {
                Trainer qatTrainer = new Trainer(qat, qatAdam, new CrossEntropyLoss());
                qatTrainer.fit(qatLoader, null, 1);
                QuantizationAwareTraining.freezeBatchNormStats(qat);
                qatTrainer.fit(frozenLoader, null, 1);
                QuantizationAwareTraining.disableObservers(qat);
                Evaluation fakeQuantised = qatTrainer.evaluate(testLoader);
                try (Module int8 = QuantizationAwareTraining.convert(qat)) {
                    long int8Layers = int8.modules().stream()
                            .filter(m -> m instanceof QuantizedLayer).count();
                    assertEquals(3, int8Layers, "quantised Conv2d and Linear layers");
                    Evaluation qatInt8 = new Trainer(int8, qatAdam, new CrossEntropyLoss()).evaluate(testLoader);
                    System.out.printf("MNIST conv-bn-relu net: test accuracy F32 (%d examples) %.4f, post-training"
                            + " static int8 %.4f, QAT conv-bn (%d + %d frozen more examples, fake-quantised) %.4f,"
                            + " QAT int8 %.4f, backend %s%n", F32_EXAMPLES, f32.accuracy(), ptq.accuracy(),
                            QAT_EXAMPLES, FROZEN_EXAMPLES, fakeQuantised.accuracy(), qatInt8.accuracy(),
                            Engine.get().backend().name());
                    assertEquals(10_000, qatInt8.samples());
                    assertTrue(qatInt8.accuracy() >= f32.accuracy() - 0.005, "QAT int8 accuracy "
                            + qatInt8.accuracy() + " is more than 0.5 points below F32's " + f32.accuracy());
                    assertTrue(qatInt8.accuracy() >= FLOOR, "QAT int8 accuracy " + qatInt8.accuracy() + " is below "
                            + FLOOR);
                    assertTrue(Math.abs(qatInt8.accuracy() - fakeQuantised.accuracy()) <= 0.002, "QAT int8 accuracy "
                            + qatInt8.accuracy() + " is more than 0.2 points from the QAT model's "
                            + fakeQuantised.accuracy());
                }
            }
        }
    }

    /** The test evaluation of {@code model}'s post-training static quantisation, batch norms folded. */
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
