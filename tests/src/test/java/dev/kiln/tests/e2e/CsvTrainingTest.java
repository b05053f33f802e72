package dev.kiln.tests.e2e;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.Mnist;
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
 * <p>The features must be MNIST's own floats, to the bit, and the labels the digits; then it trains to
 * {@link OneEpochMlp}'s floor.
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

        double accuracy = OneEpochMlp.testAccuracy("MNIST as Kaggle CSV", train, test);
        assertTrue(accuracy >= OneEpochMlp.FLOOR, "test accuracy " + accuracy + " is below " + OneEpochMlp.FLOOR);
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
