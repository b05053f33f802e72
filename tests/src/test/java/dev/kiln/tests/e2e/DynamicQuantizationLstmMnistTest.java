package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.data.MnistDataset;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.DynamicQuantizedLSTM;
import dev.kiln.nn.DynamicQuantizedLinear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Quantization;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.SequenceClassifier;
import dev.kiln.zoo.Zoo;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/**
 * Dynamic int8 quantisation of a recurrent model on real data: the zoo LSTM row reader (W3: each image's 28 rows as 28
 * steps, LSTM of 128, a dense layer to 10) trained one epoch as {@link LstmConvergenceTest} trains it (Adam lr 1e-3,
 * batch 128, seed 1), then its LSTM and Linear quantised ({@link Quantization#quantizeDynamic}) and the copy evaluated
 * on the 10,000 test images.
 *
 * <p>The bounds: the int8 model must stay within 0.5 points of the F32 one, as the int8 MLP must
 * ({@link DynamicQuantizationMnistTest}), and reach {@link LstmConvergenceTest#FLOOR}, the F32 recipe's own floor. A
 * recurrence that lost a zero point or a scale, or mixed up gate rows, is off by whole units at every step and lands
 * near chance; one that dropped W_hh altogether reached 0.73 in F32.
 */
class DynamicQuantizationLstmMnistTest {

    @Test
    void quantisedZooLstmKeepsItsTestAccuracyWithinHalfAPoint() throws IOException {
        MnistDataset train = MnistDataset.of(RealMnist.load("DynamicQuantizationLstmMnistTest", Mnist.Split.TRAIN));
        MnistDataset test = MnistDataset.of(RealMnist.load("DynamicQuantizationLstmMnistTest", Mnist.Split.TEST));
        Engine.seed(1);
        try (SequenceClassifier model = Zoo.rowReader("lstm", Mnist.CLASSES, 0);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 128, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation f32 = trainer.evaluate(testLoader);
            try (Module quantised = Quantization.quantizeDynamic(model)) {
                assertInstanceOf(DynamicQuantizedLSTM.class, quantised.namedModules().get("rnn"));
                assertInstanceOf(DynamicQuantizedLinear.class, quantised.namedModules().get("fc"));
                Evaluation int8 = new Trainer(quantised, adam, new CrossEntropyLoss()).evaluate(testLoader);
                System.out.printf("MNIST zoo lstm, 1 epoch: test accuracy F32 %.4f, dynamic int8 %.4f (loss %.4f,"
                        + " %.4f), backend %s%n", f32.accuracy(), int8.accuracy(), f32.loss(), int8.loss(),
                        Engine.get().backend().name());
                assertEquals(10_000, int8.samples());
                assertTrue(Math.abs(int8.accuracy() - f32.accuracy()) <= 0.005,
                        "int8 accuracy " + int8.accuracy() + " is more than 0.5 points from F32's " + f32.accuracy());
                assertTrue(int8.accuracy() >= LstmConvergenceTest.FLOOR,
                        "int8 accuracy " + int8.accuracy() + " is below " + LstmConvergenceTest.FLOOR);
            }
        }
    }
}
