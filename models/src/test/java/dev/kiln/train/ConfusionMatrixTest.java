package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfusionMatrixTest {
    @TempDir
    Path tmp;

    @Test
    void countsTruthByPredictionFromHandBuiltLabels() {
        ConfusionMatrix m = new ConfusionMatrix(3);
        m.add(new long[] {0, 0, 1, 1, 1, 2, 2}, new long[] {0, 1, 1, 1, 2, 2, 0});
        assertArrayEquals(new long[][] {{1, 1, 0}, {0, 2, 1}, {1, 0, 1}}, m.counts());
        assertEquals(7, m.total());
        assertEquals(4 / 7.0, m.accuracy(), 1e-12);
        assertEquals(1, m.count(2, 0));
    }

    /**
     * Four classes by hand: truth 0 -> {0, 0, 1}, 1 -> {1, 2}, 2 -> {2, 2, 0, 1}, 3 -> {2}; nothing predicted as 3.
     */
    private static ConfusionMatrix fourClasses() {
        return new ConfusionMatrix(4).add(new long[] {0, 0, 0, 1, 1, 2, 2, 2, 2, 3},
                new long[] {0, 0, 1, 1, 2, 2, 2, 0, 1, 2});
    }

    @Test
    void precisionRecallAndF1OfEachClassAreTheirDefinitionsOnTheCounts() {
        ConfusionMatrix m = fourClasses();
        assertArrayEquals(new double[] {2 / 3.0, 1 / 3.0, 2 / 4.0, 0},
                new double[] {m.precision(0), m.precision(1), m.precision(2), m.precision(3)}, 1e-15);
        assertArrayEquals(new double[] {2 / 3.0, 1 / 2.0, 2 / 4.0, 0},
                new double[] {m.recall(0), m.recall(1), m.recall(2), m.recall(3)}, 1e-15);
        double[] harmonicMeans = {2 / 3.0, 2 * (1 / 3.0) * (1 / 2.0) / (1 / 3.0 + 1 / 2.0), 0.5, 0};
        assertArrayEquals(harmonicMeans, new double[] {m.f1(0), m.f1(1), m.f1(2), m.f1(3)}, 1e-15);
        assertEquals((2 / 3.0 + 0.4 + 0.5 + 0) / 4, m.macroF1(), 1e-15);
        assertArrayEquals(new long[] {3, 2, 4, 1}, new long[] {m.support(0), m.support(1), m.support(2), m.support(3)});
    }

    @Test
    void aClassNeverPredictedHasPrecisionZeroAsScikitLearnsDefault() {
        ConfusionMatrix m = fourClasses();
        assertEquals(0, m.predictedAs(3));
        assertEquals(0.0, m.precision(3));
    }

    @Test
    void macroMeansLeaveOutAClassThatNeverOccursAsScikitLearnsDo() {
        ConfusionMatrix m = new ConfusionMatrix(3).add(new long[] {0, 0, 1, 1}, new long[] {0, 1, 1, 1});
        assertEquals(0, m.support(2) + m.predictedAs(2));
        assertEquals((m.f1(0) + m.f1(1)) / 2, m.macroF1(), 1e-15);
        assertTrue(m.report(null).contains("   macro avg    0.8333    0.7500    0.7333         4"), m.report(null));
        assertTrue(Double.isNaN(new ConfusionMatrix(2).macroF1()), "no class occurs in an empty matrix");
    }

    @Test
    void reportListsEachClassThenTheMacroMeansAndTheAccuracy() {
        assertEquals(String.join("\n",
                "             precision    recall        f1   support",
                "        zero    0.6667    0.6667    0.6667         3",
                "         one    0.3333    0.5000    0.4000         2",
                "         two    0.5000    0.5000    0.5000         4",
                "       three    0.0000    0.0000    0.0000         1",
                "   macro avg    0.3750    0.4167    0.3917        10",
                "    accuracy                        0.5000        10", ""),
                fourClasses().report(List.of("zero", "one", "two", "three")).replace(System.lineSeparator(), "\n"));
    }

    @Test
    void reportRefusesClassNamesOfAnotherCount() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> fourClasses().report(List.of("a", "b")));
        assertEquals("ConfusionMatrix.report: 2 class names for 4 classes", e.getMessage());
    }

    @Test
    void countsTheArgmaxOfScoreTensors() {
        try (Scope s = Scope.open()) {
            ConfusionMatrix m = new ConfusionMatrix(3);
            Tensor scores = Tensor.fromArray(new float[] {
                2, 1, 0,    // predicted 0, true 0
                0, 3, 1,    // predicted 1, true 2
                0.1f, 0, 5, // predicted 2, true 2
                9, 1, 1,    // predicted 0, true 1
            }, 4, 3);
            Tensor labels = Tensor.fromArray(new long[] {0, 2, 2, 1}, 4);
            m.add(scores, labels);
            m.add(scores, labels);
            assertArrayEquals(new long[][] {{2, 0, 0}, {2, 0, 0}, {0, 2, 2}}, m.counts());
            assertEquals(0.5, m.accuracy(), 1e-12);
        }
    }

    @Test
    void rejectsClassesOutOfRangeAndMismatchedLengths() {
        ConfusionMatrix m = new ConfusionMatrix(2);
        assertThrows(IllegalArgumentException.class, () -> m.add(new long[] {0, 2}, new long[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> m.add(new long[] {0}, new long[] {0, 1}));
        assertThrows(IllegalArgumentException.class, () -> new ConfusionMatrix(0));
        assertTrue(Double.isNaN(m.accuracy()));
    }

    @Test
    void writesAReadablePng() throws IOException {
        ConfusionMatrix m = new ConfusionMatrix(10);
        long[] t = new long[1000];
        long[] p = new long[1000];
        for (int i = 0; i < t.length; i++) {
            t[i] = i % 10;
            p[i] = i % 37 == 0 ? (i + 1) % 10 : i % 10;
        }
        m.add(t, p);
        Path png = tmp.resolve("sub/confusion_matrix.png");
        m.writePng(png, "test");
        BufferedImage img = ImageIO.read(png.toFile());
        assertNotNull(img);
        assertTrue(img.getWidth() > 500 && img.getHeight() > 500, img.getWidth() + "x" + img.getHeight());
    }

    @Test
    void aPngWithClassNamesMakesRoomForTheLongestBesideAndBelowTheGrid() throws IOException {
        ConfusionMatrix m = fourClasses();
        Path numbered = tmp.resolve("numbered.png");
        Path named = tmp.resolve("named.png");
        m.writePng(numbered, "numbers");
        m.writePng(named, "names", List.of("zero", "one", "two", "a much longer class name"));
        BufferedImage plain = ImageIO.read(numbered.toFile());
        BufferedImage labelled = ImageIO.read(named.toFile());
        assertTrue(labelled.getWidth() > plain.getWidth() + 60, labelled.getWidth() + " against " + plain.getWidth());
        assertTrue(labelled.getHeight() > plain.getHeight() + 60, labelled.getHeight() + " against " + plain.getHeight());
        assertEquals("ConfusionMatrix.writePng: 2 class names for 4 classes", assertThrows(IllegalArgumentException.class,
                () -> m.writePng(named, "names", List.of("a", "b"))).getMessage());
    }
}
