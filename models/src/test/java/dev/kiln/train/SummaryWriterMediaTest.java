package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/**
 * {@code addAudio}, {@code addImage}/{@code addImages} with {@code dataformats} and integer images,
 * {@code addCustomScalars}, {@code addMesh} and {@code addFigure} of a chart: what they refuse, naming the argument
 * and the expected and actual shape or value, and a chart drawn as Kiln's plots are.
 */
class SummaryWriterMediaTest {
    @TempDir
    Path dir;

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    @Test
    void addAudioRefusesOtherShapesNaNAndNoSampleRate() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor stereo = Tensor.zeros(2, 3);
             Tensor empty = Tensor.zeros(0);
             Tensor nan = Tensor.fromArray(new float[] {0, Float.NaN}, 2);
             Tensor ok = Tensor.zeros(1, 3)) {
            assertEquals("audio 'a': snd must be [L] or [1, L] with L at least 1, got [2, 3]",
                    refusal(() -> w.addAudio("a", stereo, 0)));
            assertEquals("audio 'a': snd must be [L] or [1, L] with L at least 1, got [0]",
                    refusal(() -> w.addAudio("a", empty, 0)));
            assertEquals("audio 'a': snd holds NaN at 1", refusal(() -> w.addAudio("a", nan, 0)));
            assertEquals("audio 'a': sampleRate must be at least 1 Hz, got 0",
                    refusal(() -> w.addAudio("a", ok, 0, 0)));
        }
    }

    @Test
    void imagesRefuseABadDataformatsOrAShapeItDoesNotDescribe() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor hw = Tensor.zeros(3, 4);
             Tensor twoChannels = Tensor.zeros(3, 4, 2);
             Tensor rgba = Tensor.zeros(2, 3, 3, 4);
             Tensor tooBright = Tensor.fromArray(new int[] {0, 300, 7}, 1, 3);
             Tensor negative = Tensor.fromArray(new long[] {-1, 0}, 1, 2)) {
            assertEquals("image 'i': dataformats must hold the letters of NCHW, CHW or HW, each once, in any order, got"
                    + " 'CHX'", refusal(() -> w.addImage("i", twoChannels, 0, "CHX")));
            assertEquals("image 'i': dataformats must hold the letters of NCHW, CHW or HW, each once, in any order, got"
                    + " 'HHW'", refusal(() -> w.addImage("i", twoChannels, 0, "HHW")));
            assertEquals("image 'i': expected a shape [H, W, C] with C 1, 3 or 4, got [3, 4]",
                    refusal(() -> w.addImage("i", hw, 0, "HWC")));
            assertEquals("image 'i': expected a shape [H, W, C] with C 1, 3 or 4, got [3, 4, 2]",
                    refusal(() -> w.addImage("i", twoChannels, 0, "HWC")));
            assertEquals("images 'i': expected a shape [N, H, W, C] with C 1 or 3 and N, H, W at least 1, got"
                    + " [2, 3, 3, 4]", refusal(() -> w.addImages("i", rgba, 0, "NHWC")));
            assertEquals("image 'i': an integer (I32) tensor holds bytes 0 to 255, as PyTorch's uint8, got 300 at 1",
                    refusal(() -> w.addImage("i", tooBright, 0, "HW")));
            assertEquals("image 'i': an integer (I64) tensor holds bytes 0 to 255, as PyTorch's uint8, got -1 at 0",
                    refusal(() -> w.addImage("i", negative, 0, "HW")));
        }
    }

    @Test
    void customScalarsRefuseAMarginChartOfOtherThanThreeTags() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            assertEquals("custom scalars: a margin chart needs 3 tags (value, lower, upper), got 2: [a, b]",
                    refusal(() -> w.addCustomScalarsMarginchart(List.of("a", "b"))));
            assertEquals("custom scalars: a multiline chart needs at least one tag",
                    refusal(() -> w.addCustomScalarsMultilinechart(List.of())));
        }
    }

    @Test
    void addMeshRefusesShapesThatDoNotFitTheVertices() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor flat = Tensor.zeros(4, 3);
             Tensor vertices = Tensor.zeros(1, 4, 3);
             Tensor colors = Tensor.zeros(1, 3, 3);
             Tensor twoBatches = Tensor.zeros(2, 1, 3);
             Tensor outside = Tensor.fromArray(new int[] {0, 1, 4}, 1, 1, 3);
             Tensor fraction = Tensor.fromArray(new float[] {0, 1, 1.5f}, 1, 1, 3)) {
            assertEquals("mesh 'm': vertices must be [B, N, 3] with B, N at least 1, got [4, 3]",
                    refusal(() -> w.addMesh("m", flat, null, null, null, 0)));
            assertEquals("mesh 'm': colors must be [B, N, 3] as vertices, [1, 4, 3], got [1, 3, 3]",
                    refusal(() -> w.addMesh("m", vertices, colors, null, null, 0)));
            assertEquals("mesh 'm': faces must be [B, F, 3] with B 1 (vertices' batch) and F at least 1, got [2, 1, 3]",
                    refusal(() -> w.addMesh("m", vertices, null, twoBatches, null, 0)));
            assertEquals("mesh 'm': faces must hold vertex indices, whole numbers from 0 to 3, got 4.0 at 2",
                    refusal(() -> w.addMesh("m", vertices, null, outside, null, 0)));
            assertEquals("mesh 'm': faces must hold vertex indices, whole numbers from 0 to 3, got 1.5 at 2",
                    refusal(() -> w.addMesh("m", vertices, null, fraction, null, 0)));
            assertEquals("JSON: cannot write a java.lang.Object (maps, lists, arrays, strings, numbers, booleans and"
                    + " null only)", refusal(() -> w.addMesh("m", vertices, null, null, Map.of("x", new Object()), 0)));
        }
    }

    /** A chart as TrainingPlot draws one: the image summary holds XChart's pixels, at the chart's size. */
    @Test
    void addFigureOfAChartWritesItsRenderedPixels() throws IOException {
        XYChart chart = new XYChartBuilder().width(64).height(48).title("loss").build();
        chart.addSeries("train", new double[] {1, 2, 3}, new double[] {0.9, 0.5, 0.4});
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addFigure("plot", chart, 2);
            file = w.file();
        }
        byte[] value = EventFileReader.values(EventFileReader.records(Files.readAllBytes(file)).get(1)).get(0);
        byte[] image = EventFileReader.bytes(value, 4);
        assertEquals(List.of(48L, 64L, 3L), List.of(EventFileReader.field(image, 1), EventFileReader.field(image, 2),
                EventFileReader.field(image, 3)));
        BufferedImage written = ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(image, 4)));
        BufferedImage drawn = BitmapEncoder.getBufferedImage(chart);
        int[] expected = drawn.getRGB(0, 0, 64, 48, null, 0, 64);
        for (int i = 0; i < expected.length; i++) {
            expected[i] |= 0xff000000;
        }
        assertArrayEquals(expected, written.getRGB(0, 0, 64, 48, null, 0, 64));
    }

    /** A list of figures is one image, the figures side by side as addImages lays images out; sizes must agree. */
    @Test
    void addFigureOfSeveralLaysThemOutAsAddImages() throws IOException {
        BufferedImage red = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        BufferedImage blue = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        red.setRGB(0, 0, 0xff0000);
        blue.setRGB(1, 0, 0x0000ff);
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addFigure("figs", List.of(red, blue), 1);
            assertEquals("figure 'f': every figure must be the first one's size, 2 x 1, got 1 x 1 for figure 1",
                    refusal(() -> w.addFigure("f", List.of(red, new BufferedImage(1, 1,
                            BufferedImage.TYPE_INT_RGB)), 0)));
            file = w.file();
        }
        byte[] value = EventFileReader.values(EventFileReader.records(Files.readAllBytes(file)).get(1)).get(0);
        BufferedImage img = ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(EventFileReader.bytes(value,
                4), 4)));
        assertArrayEquals(new int[] {0xffff0000, 0xff000000, 0xff000000, 0xff0000ff},
                img.getRGB(0, 0, 4, 1, null, 0, 4));
    }
}
