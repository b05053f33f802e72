package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code addImageWithBoxes}' labels (in Java's font, so not held to PyTorch's pixels) and what {@code addHistogramRaw},
 * {@code addPrCurveRaw} and {@code addImageWithBoxes} refuse, naming the argument and the expected and actual value.
 */
class SummaryWriterRawBoxesTest {
    private static final int RED = 0xffff0000;
    private static final int BLACK = 0xff000000;
    private static final int GREY = 0xff7f7f7f;

    @TempDir
    Path dir;

    private static String refusal(Executable call) {
        return assertThrows(IllegalArgumentException.class, call).getMessage();
    }

    /** The images of the one event file in {@link #dir}, in order. */
    private List<BufferedImage> images() throws IOException {
        Path file;
        try (Stream<Path> files = Files.list(dir)) {
            file = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst()
                    .orElseThrow();
        }
        List<BufferedImage> images = new ArrayList<>();
        for (byte[] event : EventFileReader.records(Files.readAllBytes(file))) {
            List<byte[]> values = EventFileReader.values(event);
            byte[] image = values.isEmpty() ? null : EventFileReader.bytes(values.get(0), 4);
            if (image != null) {
                images.add(ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(image, 4))));
            }
        }
        return images;
    }

    @Test
    void aLabelIsBlackTextOnARedBandRisingFromTheBoxesLowerLeft() throws IOException {
        float[] grey = new float[3 * 40 * 60];
        Arrays.fill(grey, 0.5f);
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor image = Tensor.fromArray(grey, 3, 40, 60);
             Tensor box = Tensor.fromArray(new float[] {5, 5, 50, 35}, 1, 4)) {
            w.addImageWithBoxes("plain", image, box, 0);
            w.addImageWithBoxes("labelled", image, box, 1, "CHW", List.of("cat"));
        }
        List<BufferedImage> images = images();
        BufferedImage plain = images.get(0);
        BufferedImage labelled = images.get(1);
        int black = 0;
        int red = 0;
        for (int y = 0; y < 40; y++) {
            for (int x = 0; x < 60; x++) {
                int before = plain.getRGB(x, y);
                int after = labelled.getRGB(x, y);
                boolean inBand = x >= 5 && x < 50 && y > 5 && y <= 35;
                if (!inBand || before == RED) {
                    assertEquals(before, after, "outside the label band, or on the outline, at " + x + ", " + y);
                } else if (after == BLACK) {
                    black++;
                } else if (after == RED) {
                    red++;
                } else {
                    assertEquals(GREY, after, "in the band at " + x + ", " + y);
                }
            }
        }
        assertTrue(black >= 10, "the text's black pixels: " + black);
        assertTrue(red >= 30, "the band's red pixels: " + red);
        assertEquals(RED, labelled.getRGB(8, 34), "the band at the box's lower left");
        assertEquals(GREY, labelled.getRGB(10, 8), "above the band, inside the box");
    }

    @Test
    void boxesMustBeNByFourFiniteValuesWithALabelEach() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor image = Tensor.zeros(3, 4, 4);
             Tensor three = Tensor.zeros(2, 3);
             Tensor nan = Tensor.fromArray(new float[] {0, 0, 1, 1, 0, Float.NaN, 1, 1}, 2, 4);
             Tensor two = Tensor.zeros(2, 4)) {
            assertEquals("image with boxes 'b': boxes must be [N, 4] (xmin, ymin, xmax, ymax), got [2, 3]",
                    refusal(() -> w.addImageWithBoxes("b", image, three, 0)));
            assertEquals("image with boxes 'b': box 1 has a coordinate NaN",
                    refusal(() -> w.addImageWithBoxes("b", image, nan, 0)));
            assertEquals("image with boxes 'b': 2 boxes need as many labels, got 1",
                    refusal(() -> w.addImageWithBoxes("b", image, two, 0, "CHW", List.of("one"))));
        }
    }

    @Test
    void aRawHistogramNeedsAsManyAscendingLimitsAsCounts() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            assertEquals("histogram 'h': 2 bucket limits and 3 bucket counts, must be as many",
                    refusal(() -> w.addHistogramRaw("h", 0, 1, 3, 1, 1, new double[] {0, 1}, new double[] {1, 1, 1},
                            0)));
            assertEquals("histogram 'h': no buckets",
                    refusal(() -> w.addHistogramRaw("h", 0, 1, 3, 1, 1, new double[0], new double[0], 0)));
            assertEquals("histogram 'h': bucket limits must be ascending, got 1.0 then 1.0 at 2",
                    refusal(() -> w.addHistogramRaw("h", 0, 1, 3, 1, 1, new double[] {0, 1, 1},
                            new double[] {1, 1, 1}, 0)));
        }
    }

    @Test
    void aRawPrCurveNeedsSixRowsOfOneLengthAndTwoThresholds() throws IOException {
        double[] five = new double[5];
        double[] four = new double[4];
        try (SummaryWriter w = new SummaryWriter(dir)) {
            assertEquals("pr curve 'p': precision must have as many values as truePositives, 5, got 4",
                    refusal(() -> w.addPrCurveRaw("p", five, five, five, five, four, five, 0)));
            assertEquals("pr curve 'p': no thresholds (truePositives is empty)",
                    refusal(() -> w.addPrCurveRaw("p", new double[0], five, five, five, five, five, 0)));
            assertEquals("pr curve 'p': numThresholds must be at least 2, got 1",
                    refusal(() -> w.addPrCurveRaw("p", five, five, five, five, five, five, 0, 1)));
        }
    }
}
