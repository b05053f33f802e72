package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.data.Subset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.nn.QuantizedBasicBlock;
import dev.kiln.nn.Sequential;
import dev.kiln.nn.StaticQuantization;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Static int8 quantisation of a residual net on real data: the zoo's small ResNet ({@link Zoo#resnet(int)}: a stem
 * and three {@link dev.kiln.nn.BasicBlock}s with batch norms) trained one epoch on the first
 * {@value #TRAIN_IMAGES} training images (Adam lr 1e-3, batch 64, seed 1), prepared, calibrated on 10 training
 * batches ({@link StaticQuantizationMnistTest#calibrate}), converted (norms folded, each block a
 * {@link QuantizedBasicBlock}) and evaluated on the first {@value #TEST_IMAGES} test images.
 *
 * <p>The bound: post-training static quantisation of a small batch-normed ResNet with min-max observers moves MNIST
 * test accuracy by a few tenths of a point at most, so the int8 model must stay within one point of the F32 one; a
 * block requantised onto the wrong grid, or a norm folded wrongly, misses it by far.
 */
class StaticQuantizationResNetMnistTest {
    private static final int TRAIN_IMAGES = 12000;
    private static final int TEST_IMAGES = 2000;

    @Test
    void quantisedZooResNetKeepsItsTestAccuracyWithinOnePoint() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("StaticQuantizationResNetMnistTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("StaticQuantizationResNetMnistTest", Mnist.Split.TEST));
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
            try (Module prepared = StaticQuantization.prepare(model)) {
                StaticQuantizationMnistTest.calibrate(prepared, trainLoader);
                try (Module quantised = StaticQuantization.convert(prepared)) {
                    long blocks = quantised.modules().stream().filter(m -> m instanceof QuantizedBasicBlock).count();
                    assertEquals(3, blocks, "quantised residual blocks");
                    Evaluation int8 = new Trainer(quantised, adam, new CrossEntropyLoss()).evaluate(testLoader);
                    System.out.printf("MNIST zoo resnet, 1 epoch on %d images: test accuracy F32 %.4f, static int8"
                            + " %.4f (loss %.4f, %.4f) on %d images, backend %s%n", TRAIN_IMAGES, f32.accuracy(),
                            int8.accuracy(), f32.loss(), int8.loss(), int8.samples(), Engine.get().backend().name());
                    assertEquals(TEST_IMAGES, int8.samples());
                    assertTrue(Math.abs(int8.accuracy() - f32.accuracy()) <= 0.01, "int8 accuracy "
                            + int8.accuracy() + " is more than a point from F32's " + f32.accuracy());
                    assertTrue(f32.accuracy() >= 0.9, "F32 accuracy " + f32.accuracy() + " after one epoch");
                }
            }
        }
    }
}
