package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.train.Trainer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code kiln train} says when Ctrl-C stops it (Lightning's graceful shutdown): the last complete checkpoint and
 * the exact command that continues the run from it.
 */
class InterruptedRunTest {
    private static final int SIGINT = 2;
    private static final Path CHECKPOINT = Path.of("runs", "mlp-mnist-2", Trainer.CHECKPOINT);

    @TempDir
    Path tmp;

    @Test
    void theResumeCommandLeavesOutOutAndOverwriteAndEndsWithResume() {
        assertEquals(List.of("kiln", "train", "mlp", "--data", "mnist", "--epochs", "9", "--resume",
                        "runs/x/checkpoint.safetensors"),
                InterruptedRun.resumeCommand(List.of("mlp", "--data", "mnist", "--out", "runs/x", "--overwrite",
                        "--epochs", "9"), Path.of("runs/x/checkpoint.safetensors"), null));
    }

    @Test
    void theResumeCommandReplacesTheResumeItStartedFrom() {
        assertEquals(List.of("kiln", "train", "lenet", "--epochs=9", "--resume", "b/checkpoint.safetensors"),
                InterruptedRun.resumeCommand(List.of("lenet", "--resume=a/checkpoint.safetensors", "--epochs=9",
                        "--out=b"), Path.of("b/checkpoint.safetensors"), null));
    }

    @Test
    void aRankThatNprocStartedTellsTheLaunchersCommand() {
        assertEquals(List.of("kiln", "train", "mlp", "--epochs", "3", "--nproc", "2", "--resume", "r/c"),
                InterruptedRun.resumeCommand(List.of("mlp", "--epochs", "3", "--world-size", "2", "--rank", "0",
                        "--master", "127.0.0.1:5000"), Path.of("r/c"), "2"));
    }

    @Test
    void theMessageQuotesWhatTheShellWouldSplit() {
        assertEquals("kiln train: stopped; the last complete checkpoint is my runs/c; continue with: kiln train mlp"
                + " --data 'folder:my data' --resume 'my runs/c'",
                InterruptedRun.message(List.of("mlp", "--data", "folder:my data"), Path.of("my runs/c"), null));
    }

    @Test
    void aRunStoppedBeforeItsFirstCheckpointSaysThereIsNothingToContinue() {
        assertEquals("kiln train: stopped before the first epoch ended, so no checkpoint was written; run the command"
                + " again to start over", InterruptedRun.message(List.of("mlp"), null, null));
    }

    /**
     * A child JVM trains in a folder whose runs/mlp-mnist holds an earlier run, and is sent SIGINT (as Ctrl-C sends)
     * after its second epoch: it says at the start that it writes to runs/mlp-mnist-2, and at the end where its last
     * checkpoint is, with the command that resumes from it; it leaves the checkpoint whole and no temporary file.
     */
    @Test
    void ctrlCSaysWhereTheLastCheckpointIsAndHowToResumeFromIt() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/kill")), "no /bin/kill to send SIGINT with");
        Assumptions.assumeTrue(kilnOnTheJvmClassPath(), "kiln is not on the JVM's class path");
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 64, 16);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path earlier = Files.createDirectories(work.resolve("runs").resolve("mlp-mnist"));
        Files.writeString(earlier.resolve(Trainer.CHECKPOINT), "an earlier run's checkpoint");
        List<String> train = List.of("mlp", "--data-dir", data.toString(), "--epochs", "100000", "--batch", "16");
        List<String> command = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dkiln.threads=1", "-cp", System.getProperty("java.class.path"), Kiln.class.getName(), "train"));
        command.addAll(train);
        Path err = tmp.resolve("stderr.txt");
        Process p = new ProcessBuilder(command).directory(work.toFile()).redirectError(err.toFile()).start();
        List<String> lines = new ArrayList<>();
        String signal;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            while (line != null && !line.startsWith("epoch 2: train loss")) {
                lines.add(line);
                line = out.readLine();
            }
            signal = signal(p);
            assertEquals(0, new ProcessBuilder("/bin/kill", "-" + signal, Long.toString(p.pid())).start().waitFor());
            out.lines().forEach(lines::add);
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the run ends on SIG" + signal);
        } finally {
            p.destroyForcibly().waitFor();
        }
        String diagnostics = String.join("\n", lines) + "\n--- stderr\n" + Files.readString(err);
        assertFalse(Files.readString(err).contains("\tat "), "a stopped run prints no stack trace: " + diagnostics);
        assertEquals(signal.equals("INT") ? 130 : 143, p.exitValue(), diagnostics);
        assertTrue(lines.contains("runs/mlp-mnist holds an earlier run: this run writes to runs/mlp-mnist-2 (--out DIR"
                + " names another folder)"), diagnostics);
        String epoch = Trainer.metadata(work.resolve(CHECKPOINT)).get("epoch");
        assertEquals("kiln train: stopped; the last complete checkpoint is " + CHECKPOINT + " (epoch " + epoch + ");"
                + " continue with: kiln train " + String.join(" ", train) + " --resume " + CHECKPOINT,
                lines.get(lines.size() - 1), diagnostics);
        assertEquals("an earlier run's checkpoint", Files.readString(earlier.resolve(Trainer.CHECKPOINT)));
        try (Stream<Path> files = Files.list(work.resolve(CHECKPOINT).getParent())) {
            assertEquals(List.of(), files.filter(f -> f.getFileName().toString().endsWith(".tmp")).toList());
        }
    }

    /**
     * INT, or TERM where the child ignores SIGINT: a process started in the background by a shell without job control
     * (as a CI script may start Maven) ignores it, and so do its children. Both end the JVM through its shutdown hooks.
     */
    private static String signal(Process p) throws IOException {
        Path status = Path.of("/proc", Long.toString(p.pid()), "status");
        if (!Files.isReadable(status)) {
            return "INT";
        }
        try (Stream<String> lines = Files.lines(status)) {
            long ignored = lines.filter(l -> l.startsWith("SigIgn:"))
                    .map(l -> Long.parseUnsignedLong(l.substring("SigIgn:".length()).trim(), 16)).findFirst().orElse(0L);
            return (ignored & 1L << (SIGINT - 1)) != 0 ? "TERM" : "INT";
        }
    }

    private static boolean kilnOnTheJvmClassPath() {
        try {
            Class.forName(Kiln.class.getName(), false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
