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
}
