package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Datasets;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.QatBasicBlock;
import dev.kiln.nn.QuantizationAwareTraining;
import dev.kiln.nn.QuantizedBasicBlock;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Quantisation-aware training of residual blocks on real data: the zoo's small ResNet ({@link Zoo#resnet(int)}: a
 * stem and three {@link dev.kiln.nn.BasicBlock}s with batch norms) trained one epoch in F32 on the first
 * {@value #TRAIN_IMAGES} training images as {@link StaticQuantizationResNetMnistTest} trains it (Adam lr 1e-3, batch
 * 64, seed 1), then QAT from those weights ({@link QuantizationAwareTraining#prepareQat}: each block a
 * {@link QatBasicBlock}) for {@value #QAT_STEPS} steps of {@value #QAT_BATCH} random training images (Adam lr 1e-4,
 * observers on), the batch norms' statistics frozen for the last {@value #FROZEN_STEPS}, as PyTorch's QAT tutorial
 * does, observers disabled, converted (each block a {@link QuantizedBasicBlock}) and evaluated on the first
 * {@value #TEST_IMAGES} test images.
 *
 * <p>The bounds: the int8 model must stay within one point of the F32 one and within 0.3 points of the trained QAT
 * model it was converted from (the two differ by one output step at most per logit). A block's batch norms folded
 * with the wrong statistics, a gradient that does not reach them, or a sum requantised onto the wrong grid misses
 * these by far.
 */
class QatResNetMnistTest {
    private static final int TRAIN_IMAGES = 12_000;
    private static final int TEST_IMAGES = 2_000;
    private static final int QAT_BATCH = 32;
    private static final int QAT_STEPS = 200;
    private static final int FROZEN_STEPS = 50;

    @Test
    void qatZooResNetConvertedToInt8KeepsItsTestAccuracyWithinOnePoint() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("QatResNetMnistTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("QatResNetMnistTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (Sequential model = Zoo.resnet(Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(new Subset(train, IntStream.range(0, TRAIN_IMAGES).toArray()),
                     64, true, 1);
             DataLoader testLoader = new DataLoader(new Subset(test, IntStream.range(0, TEST_IMAGES).toArray()),
                     500, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation f32 = trainer.evaluate(testLoader);
            try (Module qat = QuantizationAwareTraining.prepareQat(model);
                 Optimizer qatAdam = new Adam(qat.trainableParameters(), 1e-4);
                 DataLoader qatLoader = new DataLoader(Datasets.take(train,
                         (QAT_STEPS - FROZEN_STEPS) * QAT_BATCH, 2), QAT_BATCH, true, 1);
                 DataLoader frozenLoader = new DataLoader(Datasets.take(train, FROZEN_STEPS * QAT_BATCH, 3),
                         QAT_BATCH, true, 1)) {
                assertEquals(3, qat.modules().stream().filter(m -> m instanceof QatBasicBlock).count(),
                        "QAT residual blocks");
                Trainer qatTrainer = new Trainer(qat, qatAdam, new CrossEntropyLoss());
                qatTrainer.fit(qatLoader, null, 1);
                QuantizationAwareTraining.freezeBatchNormStats(qat);
                qatTrainer.fit(frozenLoader, null, 1);
                QuantizationAwareTraining.disableObservers(qat);
                Evaluation fakeQuantised = qatTrainer.evaluate(testLoader);
                try (Module int8 = QuantizationAwareTraining.convert(qat)) {
                    assertEquals(3, int8.modules().stream().filter(m -> m instanceof QuantizedBasicBlock).count(),
                            "quantised residual blocks");
                    Evaluation qatInt8 = new Trainer(int8, qatAdam, new CrossEntropyLoss()).evaluate(testLoader);
                    System.out.printf("MNIST zoo resnet, 1 epoch on %d images: test accuracy F32 %.4f, QAT (%d steps"
                            + " of %d, the last %d with frozen batch norms, fake-quantised) %.4f, QAT int8 %.4f"
                            + " (loss %.4f, %.4f, %.4f) on %d images, backend %s%n", TRAIN_IMAGES, f32.accuracy(),
                            QAT_STEPS, QAT_BATCH, FROZEN_STEPS, fakeQuantised.accuracy(), qatInt8.accuracy(),
                            f32.loss(), fakeQuantised.loss(), qatInt8.loss(), qatInt8.samples(),
                            Engine.get().backend().name());
                    assertEquals(TEST_IMAGES, qatInt8.samples());
                    assertTrue(qatInt8.accuracy() >= f32.accuracy() - 0.01, "QAT int8 accuracy "
                            + qatInt8.accuracy() + " is more than a point below F32's " + f32.accuracy());
                    assertTrue(Math.abs(qatInt8.accuracy() - fakeQuantised.accuracy()) <= 0.003, "QAT int8 accuracy "
                            + qatInt8.accuracy() + " is more than 0.3 points from the QAT model's "
                            + fakeQuantised.accuracy());
                    assertTrue(f32.accuracy() >= 0.9, "F32 accuracy " + f32.accuracy() + " after one epoch");
                }
            }
        }
    }
}
