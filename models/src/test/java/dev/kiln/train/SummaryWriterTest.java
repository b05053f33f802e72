package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.engine.Tensor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SummaryWriter}'s file as it grows, and the input it refuses. */
class SummaryWriterTest {
    @TempDir
    Path dir;

    @Test
    void theVersionEventIsOnDiskAtOnceAndEachFlushAddsTheEventsSinceTheLast() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            assertEquals(1, EventFileReader.records(Files.readAllBytes(w.file())).size());
            w.addScalar("a", 1, 1);
            w.addScalar("a", 2, 2);
            w.flush();
            List<byte[]> events = EventFileReader.records(Files.readAllBytes(w.file()));
            assertEquals(3, events.size());
            assertEquals(2f, EventFileReader.simpleValue(EventFileReader.values(events.get(2)).get(0)));
        }
    }

    @Test
    void twoWritersInOneDirectoryWriteTwoFiles() throws IOException {
        try (SummaryWriter a = new SummaryWriter(dir); SummaryWriter b = new SummaryWriter(dir)) {
            assertEquals(2, Files.list(dir).count(), a.file() + " " + b.file());
        }
    }

    @Test
    void badInputIsRefusedNamingTheTagAndWhatWasExpected() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir); Tensor rank2 = Tensor.zeros(4, 5); Tensor twoChannels =
                Tensor.zeros(2, 4, 5)) {
            assertEquals("image 'img': expected a shape [C, H, W] with C 1, 3 or 4, got [4, 5]",
                    assertThrows(IllegalArgumentException.class, () -> w.addImage("img", rank2, 0)).getMessage());
            assertEquals("image 'img': expected a shape [C, H, W] with C 1, 3 or 4, got [2, 4, 5]",
                    assertThrows(IllegalArgumentException.class, () -> w.addImage("img", twoChannels, 0)).getMessage());
            assertEquals("histogram 'h': values must be finite, got NaN", assertThrows(IllegalArgumentException.class,
                    () -> w.addHistogram("h", new double[] {1, Double.NaN}, 0)).getMessage());
            assertEquals("histogram 'h': no values", assertThrows(IllegalArgumentException.class,
                    () -> w.addHistogram("h", new double[0], 0)).getMessage());
            assertEquals("SummaryWriter: step must be >= 0, got -1 for 'a'", assertThrows(IllegalArgumentException.class,
                    () -> w.addScalar("a", 1, -1)).getMessage());
            assertEquals("SummaryWriter: a tag must not be empty", assertThrows(IllegalArgumentException.class,
                    () -> w.addScalar("", 1, 0)).getMessage());
        }
    }

    @Test
    void aClosedWriterRefusesMoreAndClosingTwiceIsHarmless() throws IOException {
        SummaryWriter w = new SummaryWriter(dir);
        w.close();
        w.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> w.addScalar("a", 1, 1));
        assertEquals("SummaryWriter: " + w.file() + " is closed", e.getMessage());
    }
}
