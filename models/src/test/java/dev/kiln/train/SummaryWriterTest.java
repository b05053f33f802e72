package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Tensor;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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

    @Test
    void prCurveInputIsRefusedNamingTheTagAndWhatWasExpected() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir);
             Tensor three = Tensor.fromArray(new float[] {1, 0, 1}, 3);
             Tensor two = Tensor.fromArray(new float[] {0.5f, 0.25f}, 2);
             Tensor outside = Tensor.fromArray(new float[] {0.5f, 1.5f, 0}, 3)) {
            assertEquals("pr curve 'pr': labels [3] and predictions [2] must have as many elements, got 3 and 2",
                    assertThrows(IllegalArgumentException.class, () -> w.addPrCurve("pr", three, two, 0)).getMessage());
            assertEquals("pr curve 'pr': predictions must be in [0, 1], got 1.5 at 1", assertThrows(
                    IllegalArgumentException.class, () -> w.addPrCurve("pr", three, outside, 0)).getMessage());
            assertEquals("pr curve 'pr': numThresholds must be at least 2, got 1", assertThrows(
                    IllegalArgumentException.class, () -> w.addPrCurve("pr", three, three, 0, 1)).getMessage());
        }
    }

    @Test
    void hparamsOfAnotherTypeOrABadRunNameAreRefused() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            Map<String, Object> hparams = new LinkedHashMap<>();
            hparams.put("shape", new int[] {2, 3});
            assertEquals("hparams: 'shape' must be a number, string or boolean, got int[]", assertThrows(
                    IllegalArgumentException.class, () -> w.addHparams(hparams, Map.of())).getMessage());
            try (var files = Files.list(dir)) {
                assertEquals(1, files.count(), "the writer's file alone, no run directory");
            }
            assertEquals("hparams: the run name must name a subdirectory (not empty, . or .., no path separator), got "
                    + "'a/b'", assertThrows(
                    IllegalArgumentException.class, () -> w.addHparams(Map.of(), Map.of(), "a/b")).getMessage());
            assertEquals("SummaryWriter: purgeStep must be >= 0, got -1", assertThrows(IllegalArgumentException.class,
                    () -> new SummaryWriter(dir, -1)).getMessage());
        }
    }

    @Test
    void hparamsGoToASubdirectoryNamedByTheTimeAsPythonPrintsIt() throws IOException {
        try (SummaryWriter w = new SummaryWriter(dir)) {
            Path run = w.addHparams(Map.of("lr", 0.1), Map.of("hparam/accuracy", 0.5));
            assertEquals(dir, run.getParent());
            assertTrue(run.getFileName().toString().matches("\\d{10}\\.\\d+"), run.toString());
            try (var files = Files.list(run)) {
                assertEquals(1, files.count());
            }
        }
    }

    /**
     * The graph of a Kiln model: the input and output as Variables of their shapes (the batch axis symbolic, size
     * 0), then the exporter's nodes, each named by its output and fed by the one before.
     */
    @Test
    void aModelsGraphIsItsOnnxExportsNodes() throws IOException {
        Path file;
        try (SummaryWriter w = new SummaryWriter(dir)) {
            w.addGraph(new Sequential(new Linear(4, 3), new ReLU(), new Linear(3, 2)), new int[] {1, 4});
            file = w.file();
        }
        List<byte[]> events = EventFileReader.records(Files.readAllBytes(file));
        assertEquals(2, events.size());
        byte[] graph = EventFileReader.bytes(events.get(1), 4);
        List<Object> nodes = EventFileReader.fields(graph).get(1);
        List<String> ops = nodes.stream().map(n -> EventFileReader.string((byte[]) n, 2)).toList();
        assertEquals(List.of("Variable", "Variable", "Gemm", "Relu", "Gemm"), ops);
        byte[] relu = (byte[]) nodes.get(3);
        assertEquals(EventFileReader.string((byte[]) nodes.get(2), 1), EventFileReader.string(relu, 3));
        assertEquals(EventFileReader.string((byte[]) nodes.get(1), 1), EventFileReader.string((byte[]) nodes.get(4), 1));
    }

    /** "." and ".." name the log directory and its parent, not a run directory inside it: refused, nothing written. */
    @Test
    void runNamesOutsideTheLogDirectoryAreRefused() throws IOException {
        Path logDir = dir.resolve("logs");
        try (SummaryWriter w = new SummaryWriter(logDir)) {
            for (String name : List.of(".", "..")) {
                assertEquals("hparams: the run name must name a subdirectory (not empty, . or .., no path separator), "
                        + "got '" + name + "'", assertThrows(IllegalArgumentException.class,
                                () -> w.addHparams(Map.of("lr", 0.1), Map.of("hparam/accuracy", 0.5), name))
                        .getMessage());
            }
        }
        try (var files = Files.list(dir)) {
            assertEquals(List.of(logDir), files.toList(), "nothing beside the log directory");
        }
        try (var files = Files.list(logDir)) {
            assertEquals(1, files.count(), "the writer's file alone");
        }
    }
}
