package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Tensor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kiln's event file against the one PyTorch 1.13's {@code SummaryWriter} wrote for the same calls
 * ({@code models/src/test/pytorch/tensorboard_events.py}, the resource {@code tensorboard/pytorch.tfevents}), record by
 * record: the same bytes but for the wall time, except the first record (whose writer names the program), the
 * histograms, whose sum and sum of squares NumPy adds up in another order (pairwise, and BLAS's dot), and the images,
 * whose PNG encoders differ and whose pixels are compared instead.
 */
class SummaryWriterPyTorchParityTest {
    @TempDir
    Path dir;

    /** The script's spread(n): (37 k mod 101 - 50) / 16. */
    private static double[] spread(int n) {
        double[] v = new double[n];
        for (int k = 0; k < n; k++) {
            v[k] = ((37 * k) % 101 - 50) / 16.0;
        }
        return v;
    }

    /** The script's pattern: ((5 c + 3 h + 7 w) mod 17) / 16 as [C, H, W]. */
    private static Tensor pattern(int channels, int height, int width) {
        float[] v = new float[channels * height * width];
        int i = 0;
        for (int c = 0; c < channels; c++) {
            for (int h = 0; h < height; h++) {
                for (int w = 0; w < width; w++) {
                    v[i++] = ((5 * c + 3 * h + 7 * w) % 17) / 16f;
                }
            }
        }
        return Tensor.fromArray(v, channels, height, width);
    }

    private byte[] kilnFile() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor rgb = pattern(3, 4, 5);
             Tensor grey = pattern(1, 3, 2)) {
            for (int step = 1; step <= 5; step++) {
                w.addScalar("loss/train", 2.0 / step, step);
            }
            w.addScalar("lr", 0.125, 3);
            w.addScalar("accuracy/test", 0.75, 0);
            w.addHistogram("weights", spread(200), 1);
            w.addHistogram("edges", new double[] {0.0, 1e-12, -1e-12, 1e-13, 3.0, -2.5, 1e-12 * 1.1, -0.0}, 2);
            w.addHistogram("one_value", new double[] {0.5, 0.5, 0.5}, 3);
            w.addImage("rgb", rgb, 4);
            w.addImage("grey", grey, 5);
            w.addText("note", "Kiln, \u00e9t\u00e9", 6);
            w.addScalar("zero", 0.0, 7);
            w.addHistogram("balanced", new double[] {-1.0, 1.0}, 8);
            file = w.file();
        }
        return Files.readAllBytes(file);
    }

    private static byte[] pytorchFile() throws IOException {
        try (InputStream in = SummaryWriterPyTorchParityTest.class.getResourceAsStream("/tensorboard/pytorch.tfevents")) {
            return in.readAllBytes();
        }
    }

    /** The event without its wall time (field 1, a double, the first 9 bytes). */
    private static byte[] withoutWallTime(byte[] event) {
        assertEquals(0x09, event[0], "an event starting with its wall time");
        return Arrays.copyOfRange(event, 9, event.length);
    }

    @Test
    void everyRecordMatchesPyTorchsButForWallTimesAndPngEncodings() throws IOException {
        List<byte[]> kiln = EventFileReader.records(kilnFile());
        List<byte[]> pytorch = EventFileReader.records(pytorchFile());
        assertEquals(pytorch.size(), kiln.size(), "records");
        assertEquals("brain.Event:2", EventFileReader.string(kiln.get(0), 3));
        assertEquals("brain.Event:2", EventFileReader.string(pytorch.get(0), 3));
        for (int i = 1; i < kiln.size(); i++) {
            byte[] value = EventFileReader.values(pytorch.get(i)).get(0);
            if (EventFileReader.bytes(value, 4) != null) {
                assertSameImage(pytorch.get(i), kiln.get(i));
            } else if (EventFileReader.bytes(value, 5) != null) {
                assertSameHistogram(pytorch.get(i), kiln.get(i));
            } else {
                assertArrayEquals(withoutWallTime(pytorch.get(i)), withoutWallTime(kiln.get(i)),
                        "record " + i + ", " + EventFileReader.tag(value));
            }
        }
    }

    /**
     * Same step, tag, min, max, count, bucket limits and counts (all exact), and sum and sum of squares to 1e-15
     * relative.
     */
    private static void assertSameHistogram(byte[] expected, byte[] actual) {
        assertEquals(EventFileReader.step(expected), EventFileReader.step(actual));
        byte[] e = EventFileReader.values(expected).get(0);
        byte[] a = EventFileReader.values(actual).get(0);
        String tag = EventFileReader.tag(e);
        assertEquals(tag, EventFileReader.tag(a));
        byte[] eHisto = EventFileReader.bytes(e, 5);
        byte[] aHisto = EventFileReader.bytes(a, 5);
        for (int field = 1; field <= 3; field++) {
            assertEquals(histogramDouble(eHisto, field), histogramDouble(aHisto, field), tag + ": field " + field);
        }
        for (int field = 4; field <= 5; field++) {
            double want = histogramDouble(eHisto, field);
            assertEquals(want, histogramDouble(aHisto, field), 1e-15 * Math.abs(want), tag + ": field " + field);
        }
        assertArrayEquals(EventFileReader.bytes(eHisto, 6), EventFileReader.bytes(aHisto, 6), tag + ": bucket_limit");
        assertArrayEquals(EventFileReader.bytes(eHisto, 7), EventFileReader.bytes(aHisto, 7), tag + ": bucket");
        assertTrue(EventFileReader.bytes(eHisto, 6).length > 8, tag + ": more than one bucket");
    }

    /** A HistogramProto double (0 when absent, proto3's default). */
    private static double histogramDouble(byte[] histo, int field) {
        Object bits = EventFileReader.field(histo, field);
        return bits == null ? 0 : Double.longBitsToDouble((Long) bits);
    }

    /** Same step, tag, height, width and colorspace, and PNGs of the same pixels. */
    private static void assertSameImage(byte[] expected, byte[] actual) throws IOException {
        assertEquals(EventFileReader.step(expected), EventFileReader.step(actual));
        byte[] e = EventFileReader.values(expected).get(0);
        byte[] a = EventFileReader.values(actual).get(0);
        assertEquals(EventFileReader.tag(e), EventFileReader.tag(a));
        byte[] eImage = EventFileReader.bytes(e, 4);
        byte[] aImage = EventFileReader.bytes(a, 4);
        for (int field = 1; field <= 3; field++) {
            assertEquals(EventFileReader.field(eImage, field), EventFileReader.field(aImage, field),
                    EventFileReader.tag(e) + ": image field " + field);
        }
        BufferedImage ePixels = ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(eImage, 4)));
        BufferedImage aPixels = ImageIO.read(new ByteArrayInputStream(EventFileReader.bytes(aImage, 4)));
        assertEquals(ePixels.getWidth(), aPixels.getWidth());
        assertEquals(ePixels.getHeight(), aPixels.getHeight());
        int w = ePixels.getWidth();
        int h = ePixels.getHeight();
        assertArrayEquals(ePixels.getRGB(0, 0, w, h, null, 0, w), aPixels.getRGB(0, 0, w, h, null, 0, w),
                EventFileReader.tag(e) + ": pixels");
    }

    @Test
    void theFileIsNamedAsTensorBoardNamesItsOwn() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir.resolve("run"))) {
            String name = w.file().getFileName().toString();
            assertTrue(name.matches("events\\.out\\.tfevents\\.\\d{10}\\..+\\.\\d+\\.\\d+"), name);
            assertEquals(dir.resolve("run"), w.file().getParent());
        }
    }
}
