package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsCsvTest {
    @TempDir
    Path dir;

    private static final List<String> COLUMNS = List.of("epoch", "train_loss", "val_accuracy", "note");

    private static Map<String, Object> row(int epoch, double loss) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("epoch", epoch);
        r.put("train_loss", loss);
        return r;
    }

    @Test
    void headerThenOneRowPerAppend() throws IOException {
        MetricsCsv csv = new MetricsCsv(dir, COLUMNS);
        Path f = dir.resolve("metrics.csv");
        assertEquals(f, csv.file());
        assertEquals(List.of("epoch,train_loss,val_accuracy,note"), Files.readAllLines(f));
        csv.append(row(1, 0.5));
        Map<String, Object> second = row(2, 0.25);
        second.put("val_accuracy", Double.NaN);
        second.put("note", "lr, \"halved\"");
        csv.append(second);
        assertEquals(List.of("epoch,train_loss,val_accuracy,note", "1,0.5,,", "2,0.25,NaN,\"lr, \"\"halved\"\"\""),
                Files.readAllLines(f));
        assertEquals(2, csv.rows());
        assertThrows(IllegalArgumentException.class, () -> csv.append(Map.of("loss", 1)));
        assertEquals(3, Files.readAllLines(f).size());
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left");
        }
    }

    @Test
    void columnReadsEachRowsValueWithEmptyCellsAsNaN() throws IOException {
        MetricsCsv csv = new MetricsCsv(dir, List.of("epoch", "note", "train_loss"));
        Map<String, Object> first = new LinkedHashMap<>(Map.of("epoch", 1, "note", "lr, \"halved\"", "train_loss", 0.5));
        csv.append(first);
        csv.append(Map.of("epoch", 2));
        assertEquals(List.of(1.0, 2.0), csv.column("epoch"));
        assertEquals(List.of(0.5, Double.NaN), csv.column("train_loss"), "a quoted comma before the column does not shift it");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> csv.column("loss"));
        assertEquals("MetricsCsv: 'loss' is not a column (columns: [epoch, note, train_loss])", e.getMessage());
    }

    @Test
    void aNewRunReplacesTheOldFile() throws IOException {
        new MetricsCsv(dir, COLUMNS).append(row(1, 0.5));
        new MetricsCsv(dir, COLUMNS);
        assertEquals(1, Files.readAllLines(dir.resolve("metrics.csv")).size());
    }

    @Test
    void resumeKeepsTheRowsBeforeTheCheckpoint() throws IOException {
        MetricsCsv csv = new MetricsCsv(dir, COLUMNS);
        for (int e = 1; e <= 3; e++) {
            csv.append(row(e, 1.0 / e));
        }
        MetricsCsv resumed = MetricsCsv.resume(dir, COLUMNS, 2);
        resumed.append(row(3, 0.3));
        assertEquals(List.of("epoch,train_loss,val_accuracy,note", "1,1.0,,", "2,0.5,,", "3,0.3,,"),
                Files.readAllLines(dir.resolve("metrics.csv")));
        assertThrows(IOException.class, () -> MetricsCsv.resume(dir, List.of("epoch", "loss"), 2));
        MetricsCsv fresh = MetricsCsv.resume(dir.resolve("elsewhere"), COLUMNS, 5);
        assertEquals(0, fresh.rows());
    }

    @Test
    void rejectsBadColumns() {
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(dir, List.of()));
        assertThrows(IllegalArgumentException.class, () -> new MetricsCsv(dir, List.of("a", "a")));
    }
}
