package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.DataDirectory;
import dev.kiln.data.Mnist;
import dev.kiln.train.EventFileReader;
import dev.kiln.train.TensorBoardScripts;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
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
        // The per-epoch figures at the step of the epoch's last batch, 3 and 6, with the epoch as a scalar.
        for (String t : List.of("options/text_summary@0", "loss/train_step@1", "loss/train_step@6", "loss/train@3",
                "loss/train@6", "epoch@3", "epoch@6", "accuracy/train@6", "loss/test@6", "accuracy/test@6",
                "top5/test@6", "lr@6", "samples_per_s@6", "weights/1.weight@6", "gradients/1.weight@6",
                "weights/5.bias@6", "stopped/text_summary@6")) {
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

    /**
     * A run crashed in its second epoch after logging it, resumed from its first epoch's checkpoint: the resumed
     * writer's purge step hides what the crashed run logged past the checkpoint, so that TensorBoard shows each
     * scalar's step once, the resumed run's values at the steps it trained again. The crash is made by resuming a
     * finished two-epoch run (itself resumed from the first epoch) from the first epoch's checkpoint again. Each
     * resumed run writes its hyperparameters into the first run's HParams subdirectory, replacing its file: the
     * HParams tab shows one session, with the last run's --epochs 2.
     */
    @Test
    void aRunResumedFromAnEarlierCheckpointShowsEachScalarStepAndItsHparamsOnce() throws IOException {
        try {
            Mnist.load(null, "mnist", Mnist.Split.TEST);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("real MNIST not present (set KILN_DATA): " + e.getMessage());
        }
        Path logDir = dir.resolve("board");
        Path run = dir.resolve("tiny");
        Path epoch1 = dir.resolve("epoch1");
        List<String> options = List.of("train", "mlp", "--data", "mnist", "--train-size", "300", "--batch", "100",
                "--out", run.toString(), "--tensorboard", logDir.toString());
        assertEquals(0, kiln(options, "--epochs", "1").code());
        List<Path> firstHparams = list(logDir.resolve("tiny"), Files::isDirectory);
        Files.createDirectories(epoch1);
        try (Stream<Path> files = Files.list(run)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                Files.copy(f, epoch1.resolve(f.getFileName()));
            }
        }
        String checkpoint = epoch1.resolve("checkpoint.safetensors").toString();
        // The resumed runs write over the run in `tiny` from a copy of its epoch-1 checkpoint kept elsewhere.
        assertEquals(0, kiln(options, "--epochs", "2", "--resume", checkpoint, "--overwrite").code());
        KilnRuns.Result again = kiln(options, "--epochs", "2", "--resume", checkpoint, "--overwrite");
        assertEquals(0, again.code(), again.toString());
        // 3 batches an epoch: the checkpoint after epoch 1 is at step 3, and the resumed runs purge from step 4.
        Map<String, List<Long>> expected = new TreeMap<>();
        expected.put("loss/train_step", List.of(1L, 2L, 3L, 4L, 5L, 6L));
        for (String tag : List.of("loss/train", "accuracy/train", "loss/test", "accuracy/test", "top5/test", "lr",
                "samples_per_s", "epoch")) {
            expected.put(tag, List.of(3L, 6L));
        }
        assertEquals(expected, scalarStepsAfterPurges(logDir.resolve("tiny")));
        // The options of the first run at 0 and of the last resumed one at 4, the one before hidden.
        assertEquals(List.of(0L, 4L), stepsAfterPurges(logDir.resolve("tiny"), v -> EventFileReader.field(v, 2) == null)
                .get("options/text_summary"));
        assertEquals(expected, tensorBoardsScalarSteps(logDir.resolve("tiny")));
        assertHparamsRun(list(logDir.resolve("tiny"), Files::isDirectory));
        assertEquals(firstHparams, list(logDir.resolve("tiny"), Files::isDirectory), "the first run's subdirectory");
        List<String> sessions = TensorBoardScripts.run("tensorboard_hparams_sessions.py", logDir);
        assertEquals(1, sessions.size(), sessions.toString());
        assertTrue(sessions.get(0).startsWith("tiny/" + firstHparams.get(0).getFileName() + "\t"), sessions.toString());
        assertTrue(sessions.get(0).contains("\tepochs=2.0\t"), sessions.toString());
    }

    private static KilnRuns.Result kiln(List<String> options, String... more) {
        List<String> all = new ArrayList<>(options);
        all.addAll(List.of(more));
        return KilnRuns.kiln(all.toArray(String[]::new));
    }

    /**
     * Each scalar tag's steps over the run's event files in their names' order, as TensorBoard reads them: a session
     * log START (Event field 7, status 1) at step s drops the events before it at step s or later.
     */
    private static Map<String, List<Long>> scalarStepsAfterPurges(Path runDir) throws IOException {
        return stepsAfterPurges(runDir, v -> EventFileReader.field(v, 2) != null);
    }

    /** The same for the summary values {@code which} picks. */
    private static Map<String, List<Long>> stepsAfterPurges(Path runDir, Predicate<byte[]> which) throws IOException {
        Map<String, List<Long>> steps = new TreeMap<>();
        List<Path> files = list(runDir, Files::isRegularFile).stream().sorted().toList();
        for (Path file : files) {
            for (byte[] event : EventFileReader.records(Files.readAllBytes(file))) {
                long step = EventFileReader.step(event);
                byte[] sessionLog = EventFileReader.bytes(event, 7);
                if (sessionLog != null && Long.valueOf(1).equals(EventFileReader.field(sessionLog, 1))) {
                    steps.values().forEach(s -> s.removeIf(earlier -> earlier >= step));
                }
                for (byte[] value : EventFileReader.values(event)) {
                    if (which.test(value)) {
                        steps.computeIfAbsent(EventFileReader.tag(value), t -> new ArrayList<>()).add(step);
                    }
                }
            }
        }
        return steps;
    }

    /** The same, as TensorBoard's EventAccumulator in /opt/tbvenv reads it (the test skips this without it). */
    private static Map<String, List<Long>> tensorBoardsScalarSteps(Path runDir) throws IOException {
        Map<String, List<Long>> steps = new TreeMap<>();
        for (String line : TensorBoardScripts.run("tensorboard_scalar_steps.py", runDir)) {
            String[] tagAndSteps = line.split("\\t");
            steps.put(tagAndSteps[0], Arrays.stream(tagAndSteps[1].split(",")).map(Long::valueOf).toList());
        }
        return steps;
    }

    /**
     * {@code --tensorboard-embeddings 20}: the first 20 test images' features (the input of the MLP's last layer, 512
     * wide) in the projector's files, with their labels and predictions and their images as the sprite.
     */
    @Test
    void embeddingsOfTestImagesGoToTheProjector() throws IOException {
        try {
            Mnist.load(null, "mnist", Mnist.Split.TEST);
        } catch (DataDirectory.DataMissingException e) {
            Assumptions.abort("real MNIST not present (set KILN_DATA): " + e.getMessage());
        }
        Path logDir = dir.resolve("board");
        KilnRuns.Result r = KilnRuns.kiln("train", "mlp", "--data", "mnist", "--train-size", "300", "--epochs", "1",
                "--batch", "100", "--out", dir.resolve("tiny").toString(), "--tensorboard", logDir.toString(),
                "--tensorboard-embeddings", "20");
        assertEquals(0, r.code(), r.toString());
        Path run = logDir.resolve("tiny");
        Path embedding = run.resolve("00003/test");
        assertTrue(r.out().contains("TensorBoard: the features of 20 test images (the input of the last layer, 512"
                + " wide) in " + embedding), r.out());
        assertEquals("""
                embeddings {
                  tensor_name: "test:00003"
                  metadata_path: "00003/test/metadata.tsv"
                  sprite {
                    image_path: "00003/test/sprite.png"
                    single_image_dim: 28
                    single_image_dim: 28
                  }
                  tensor_path: "00003/test/tensors.tsv"
                }
                """, Files.readString(run.resolve("projector_config.pbtxt")));
        List<String> rows = Files.readAllLines(embedding.resolve("tensors.tsv"));
        assertEquals(20, rows.size());
        assertTrue(rows.stream().allMatch(row -> row.split("\t").length == 512), rows.get(0));
        List<String> metadata = Files.readAllLines(embedding.resolve("metadata.tsv"));
        assertEquals(21, metadata.size());
        assertEquals("label\tpredicted", metadata.get(0));
        // MNIST's first test images are a 7, a 2 and a 1.
        assertTrue(metadata.get(1).startsWith("7\t") && metadata.get(2).startsWith("2\t")
                && metadata.get(3).startsWith("1\t"), metadata.toString());
        BufferedImage sprite = ImageIO.read(embedding.resolve("sprite.png").toFile());
        assertEquals("140x140", sprite.getWidth() + "x" + sprite.getHeight());
        assertEquals(List.of(".\ttest:00003\t20\t512\t21\t140x140"),
                TensorBoardScripts.run("tensorboard_projector_check.py", run));
    }

    @Test
    void embeddingsWithoutADirectoryOrBelowOneAreRefused() {
        KilnRuns.Result without = KilnRuns.kiln("train", "mlp", "--tensorboard-embeddings", "5");
        assertEquals(2, without.code(), without.toString());
        assertTrue(without.err().contains("--tensorboard-embeddings needs --tensorboard DIR"), without.toString());
        KilnRuns.Result zero = KilnRuns.kiln("train", "mlp", "--tensorboard", dir.toString(),
                "--tensorboard-embeddings", "0");
        assertEquals(2, zero.code(), zero.toString());
        assertTrue(zero.err().contains("tensorboard-embeddings"), zero.toString());
    }
}
