package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.text.DecimalFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.style.Styler;

class TrainingPlotTest {
    @TempDir
    Path dir;

    @Test
    void writesTwoChartsSideBySide() throws Exception {
        Path png = dir.resolve("run/training.png");
        Map<String, List<Double>> loss = new LinkedHashMap<>();
        loss.put("train", List.of(1.2, 0.7, 0.5, 0.4));
        loss.put("validation", List.of(1.3, 0.8, Double.NaN, 0.45));
        Map<String, List<Double>> accuracy = new LinkedHashMap<>();
        accuracy.put("train", List.of(0.6, 0.8, 0.85, 0.9));
        accuracy.put("validation", List.of(Double.NaN, Double.NaN, Double.NaN, Double.NaN));
        TrainingPlot.write(png, List.of(1, 2, 3, 4), loss, accuracy);

        assertTrue(Files.isRegularFile(png));
        BufferedImage image = ImageIO.read(png.toFile());
        assertNotNull(image, "decodes as an image");
        assertEquals(2 * TrainingPlot.PANEL_WIDTH, image.getWidth());
        assertEquals(TrainingPlot.PANEL_HEIGHT, image.getHeight());
        try (Stream<Path> files = Files.list(png.getParent())) {
            assertEquals(List.of(png), files.toList(), "no temporary file left");
        }
    }

    @Test
    void oneEpochAndNoAccuracy() throws Exception {
        Path png = dir.resolve("one.png");
        TrainingPlot.write(png, List.of(1), Map.of("train", List.of(2.3)), Map.of());
        BufferedImage image = ImageIO.read(png.toFile());
        assertEquals(TrainingPlot.PANEL_WIDTH, image.getWidth());
        assertEquals(TrainingPlot.PANEL_HEIGHT, image.getHeight());
    }

    @Test
    void theYAxisOfOneEpochLabelsItsValuesWithFourDecimalsAtMost() {
        XYChart chart = TrainingPlot.chart("Loss", "loss", new double[] {1},
                Map.of("train", List.of(0.269458198046684), "test", List.of(0.120987177267671)),
                Styler.LegendPosition.InsideNE);
        DecimalFormat labels = new DecimalFormat(chart.getStyler().getYAxisDecimalPattern());
        assertEquals("0.2695", labels.format(0.269458198046684));
        assertEquals("0.06", labels.format(0.06));
    }

    @Test
    void rejectsMismatchedSeries() {
        assertThrows(IllegalArgumentException.class,
                () -> TrainingPlot.write(dir.resolve("x.png"), List.of(1, 2), Map.of("train", List.of(1.0)), Map.of()));
        assertThrows(IllegalArgumentException.class,
                () -> TrainingPlot.write(dir.resolve("x.png"), List.of(), Map.of(), Map.of()));
    }
}
