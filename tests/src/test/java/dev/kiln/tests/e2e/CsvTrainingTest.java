package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.DataLoader;
import dev.kiln.data.Mnist;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Evaluation;
import dev.kiln.train.Trainer;
import dev.kiln.zoo.Zoo;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real data from a CSV file, as a user brings it from Kaggle: MNIST written as Kaggle's {@code train.csv}
 * ("label,pixel0,...,pixel783", grey levels 0..255), read back by {@link CsvDataset} as [1, 28, 28] images scaled by
 * 1/255, and trained on.
 *
 * <p>The features must be MNIST's own floats, to the bit, and the labels the digits. The floor is
 * {@link ImageFolderTrainingTest}'s: the same model, optimiser, seed and examples.
 */
class CsvTrainingTest {
    @TempDir
    Path tmp;

    /** The first {@code count} images of {@code mnist} as a Kaggle-style CSV file. */
    private static Path writeCsv(Mnist mnist, int count, Path file) throws IOException {
        try (BufferedWriter out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            out.write("label");
            for (int p = 0; p < Mnist.PIXELS; p++) {
                out.write(",pixel" + p);
            }
            out.write('\n');
            for (int i = 0; i < count; i++) {
                out.write(Long.toString(mnist.labels()[i]));
                for (int p = 0; p < Mnist.PIXELS; p++) {
                    out.write(',');
                    out.write(Integer.toString(mnist.pixels()[i * Mnist.PIXELS + p] & 0xFF));
                }
                out.write('\n');
            }
        }
        return file;
    }

    @Test
    void mnistWrittenAsKaggleCsvReadsBackBitForBitAndTrains() throws IOException {
        Mnist trainImages = RealMnist.load("CsvTrainingTest", Mnist.Split.TRAIN);
        Mnist testImages = RealMnist.load("CsvTrainingTest", Mnist.Split.TEST);
        CsvOptions options = CsvOptions.defaults().featureShape(1, 28, 28).scale(1 / 255.0);
        CsvDataset train = CsvDataset.load(writeCsv(trainImages, 10_000, tmp.resolve("train.csv")), options);
        CsvDataset test = CsvDataset.load(writeCsv(testImages, 2_000, tmp.resolve("test.csv")), options);
        assertEquals(10_000, train.size());
        assertEquals(2_000, test.size());
        assertEquals(Mnist.CLASSES, train.classes());
        assertArrayEquals(new int[] {1, 28, 28}, train.featureShape());
        assertSameImages(trainImages, train);
        assertSameImages(testImages, test);

        Engine.seed(1);
        try (Sequential model = Zoo.mlp(Mnist.PIXELS, Mnist.CLASSES);
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3);
             DataLoader trainLoader = new DataLoader(train, 64, true, 1);
             DataLoader testLoader = new DataLoader(test, 1000, false, 1)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(trainLoader, null, 1);
            Evaluation result = trainer.evaluate(testLoader);
            System.out.printf("MNIST as Kaggle CSV, zoo mlp, 1 epoch on %d images: test accuracy %.4f on %d%n",
                    train.size(), result.accuracy(), result.samples());
            assertTrue(result.accuracy() >= ImageFolderTrainingTest.FLOOR,
                    "test accuracy " + result.accuracy() + " is below " + ImageFolderTrainingTest.FLOOR);
        }
    }

    /** Example i of the CSV data set is MNIST image i, its floats equal to {@link Mnist#copyImage}'s, with its label. */
    private static void assertSameImages(Mnist mnist, CsvDataset csv) {
        float[] expected = new float[Mnist.PIXELS];
        float[] actual = new float[Mnist.PIXELS];
        for (int i = 0; i < csv.size(); i++) {
            mnist.copyImage(i, expected, 0);
            csv.copyFeatures(i, actual, 0);
            assertArrayEquals(expected, actual, "pixels of row " + i + " of " + csv.file());
            assertEquals(mnist.labels()[i], csv.label(i), "label of row " + i + " of " + csv.file());
        }
    }
}
