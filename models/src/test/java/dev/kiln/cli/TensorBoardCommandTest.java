package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import dev.kiln.train.EventFileReader;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln train --tensorboard}: the event file a tiny run on real MNIST leaves, and the options refused. */
class TensorBoardCommandTest {
    @TempDir
    Path dir;

    @Test
    void aTinyMnistRunLogsItsOptionsLossesAccuraciesHistogramsGraphEndAndHparams() throws IOException {
        try {
            Mnist.load(null, "mnist", Mnist.Split.TEST);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("real MNIST not present (set KILN_DATA): " + e.getMessage());
        }
        Path logDir = dir.resolve("board");
        KilnRuns.Result r = KilnRuns.kiln("train", "mlp", "--data", "mnist", "--train-size", "300", "--epochs", "2",
                "--batch", "100", "--out", dir.resolve("tiny").toString(), "--tensorboard", logDir.toString(),
                "--tensorboard-histograms");
        assertEquals(0, r.code(), r.toString());
        List<Path> files = list(logDir.resolve("tiny"), Files::isRegularFile);
        assertEquals(1, files.size(), files.toString());
        assertTrue(r.out().contains("TensorBoard: " + files.get(0)), r.out());
        List<byte[]> events = EventFileReader.records(Files.readAllBytes(files.get(0)));
        Set<String> tags = new LinkedHashSet<>();
        for (byte[] e : events) {
            EventFileReader.values(e).forEach(v -> tags.add(EventFileReader.tag(v) + "@" + EventFileReader.step(e)));
        }
        // 300 images in batches of 100: 3 batches an epoch, numbered 1 to 6 over the run.
        for (String t : List.of("options/text_summary@0", "loss/train_step@1", "loss/train_step@6", "loss/train@1",
                "loss/train@2", "accuracy/train@2", "loss/test@2", "accuracy/test@2", "top5/test@2", "lr@2",
                "samples_per_s@2", "weights/1.weight@2", "gradients/1.weight@2", "weights/5.bias@2",
                "stopped/text_summary@2")) {
            assertTrue(tags.contains(t), t + " in " + tags);
        }
        assertEquals(1, events.stream().filter(e -> EventFileReader.bytes(e, 4) != null).count(), "graph events");
        assertHparamsRun(list(logDir.resolve("tiny"), Files::isDirectory));
    }

    /** One subdirectory, named by the time, whose file holds the HParams plugin's summaries and the two metrics. */
    private static void assertHparamsRun(List<Path> runs) throws IOException {
        assertEquals(1, runs.size(), runs.toString());
        assertTrue(runs.get(0).getFileName().toString().matches("\\d{10}\\.\\d+"), runs.toString());
        List<Path> files = list(runs.get(0), Files::isRegularFile);
        assertEquals(1, files.size(), files.toString());
        List<String> tags = EventFileReader.records(Files.readAllBytes(files.get(0))).stream()
                .flatMap(e -> EventFileReader.values(e).stream()).map(EventFileReader::tag).toList();
        assertEquals(List.of("_hparams_/experiment", "_hparams_/session_start_info", "_hparams_/session_end_info",
                "hparam/test_accuracy", "hparam/test_loss"), tags);
    }

    private static List<Path> list(Path directory, Predicate<Path> which) throws IOException {
        try (Stream<Path> s = Files.list(directory)) {
            return s.filter(which).toList();
        }
    }

    @Test
    void histogramsWithoutADirectoryAreRefused() {
        KilnRuns.Result r = KilnRuns.kiln("train", "mlp", "--tensorboard-histograms");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--tensorboard-histograms needs --tensorboard DIR"), r.toString());
    }

    @Test
    void theRangeTestRefusesTensorBoard() {
        KilnRuns.Result r = KilnRuns.kiln("train", "mlp", "--find-lr", "--tensorboard", dir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("--find-lr ignores --tensorboard"), r.toString());
    }
}
