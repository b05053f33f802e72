package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.train.MetricsCsv;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A resumed kiln train run's metrics.csv has a row for every epoch, also where the run it continues was stopped after
 * writing an epoch's checkpoint but before that epoch's metrics.csv row (the Trainer writes the checkpoint first).
 */
class ResumedMetricsCsvTest {
    @TempDir
    Path tmp;

    @Test
    void theRowOfTheCheckpointsEpochThatTheStopCutShortIsWrittenFromTheCheckpoint() throws IOException {
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 64, 32);
        Path run = tmp.resolve("run");
        assertEquals(0, train(data, run, "2").code());
        Path csv = run.resolve(MetricsCsv.FILE);
        List<String> whole = Files.readAllLines(csv);
        // The stop between epoch 2's checkpoint and its row: the file as it stood after epoch 1.
        Files.write(csv, whole.subList(0, whole.size() - 1));
        KilnRuns.Result resumed = train(data, run, "3", "--resume", run.resolve("checkpoint.safetensors").toString());
        assertEquals(0, resumed.code(), resumed.toString());
        List<String> lines = Files.readAllLines(csv);
        assertEquals(whole, lines.subList(0, 3), "the header and epochs 1 and 2 as the uninterrupted run wrote them");
        assertEquals(List.of("1", "2", "3"), lines.subList(1, lines.size()).stream()
                .map(l -> l.substring(0, l.indexOf(','))).toList());
    }

    private static KilnRuns.Result train(Path data, Path out, String epochs, String... more) {
        List<String> args = new ArrayList<>(List.of("train", "mlp", "--data-dir", data.toString(),
                "--epochs", epochs, "--batch", "32", "--out", out.toString()));
        args.addAll(List.of(more));
        return KilnRuns.kiln(args.toArray(String[]::new));
    }
}
