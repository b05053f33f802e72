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
                InterruptedRun.resumeCommand(RunDirectory.TRAIN, List.of("mlp", "--data", "mnist", "--out", "runs/x", "--overwrite",
                        "--epochs", "9"), Path.of("runs/x/checkpoint.safetensors"), null));
    }

    @Test
    void theResumeCommandReplacesTheResumeItStartedFrom() {
        assertEquals(List.of("kiln", "train", "lenet", "--epochs=9", "--resume", "b/checkpoint.safetensors"),
                InterruptedRun.resumeCommand(RunDirectory.TRAIN, List.of("lenet", "--resume=a/checkpoint.safetensors", "--epochs=9",
                        "--out=b"), Path.of("b/checkpoint.safetensors"), null));
    }

    @Test
    void aRankThatNprocStartedTellsTheLaunchersCommand() {
        assertEquals(List.of("kiln", "train", "mlp", "--epochs", "3", "--nproc", "2", "--resume", "r/c"),
                InterruptedRun.resumeCommand(RunDirectory.TRAIN, List.of("mlp", "--epochs", "3", "--world-size", "2", "--rank", "0",
                        "--master", "127.0.0.1:5000"), Path.of("r/c"), "2"));
    }

    @Test
    void kilnTrainG2psResumeCommandKeepsG2pAndResumesFromLastSafetensors() {
        assertEquals(List.of("kiln", "train", "g2p", "--attention", "dot", "--resume", "r/last.safetensors"),
                InterruptedRun.resumeCommand(G2pTrainCommand.RUNS, List.of("--attention", "dot", "--out", "r"),
                        Path.of("r/last.safetensors"), null));
    }

    @Test
    void theMessageQuotesWhatTheShellWouldSplit() {
        assertEquals("kiln train: stopped; the last complete checkpoint is my runs/c; continue with: kiln train mlp"
                + " --data 'folder:my data' --resume 'my runs/c'",
                InterruptedRun.message(RunDirectory.TRAIN, List.of("mlp", "--data", "folder:my data"), Path.of("my runs/c"), null));
    }

    @Test
    void aRunStoppedBeforeItsFirstCheckpointSaysThereIsNothingToContinue() {
        assertEquals("kiln train: stopped before the first epoch ended, so no checkpoint was written; run the command"
                + " again to start over", InterruptedRun.message(RunDirectory.TRAIN, List.of("mlp"), null, null));
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
        Stopped stopped = stopAt(work, "train", train, "epoch 2: train loss");
        List<String> lines = stopped.lines();
        String signal = stopped.signal();
        Path err = stopped.err();
        Process p = stopped.process();
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
     * kiln gan, which resumes too, says the same at Ctrl-C: its checkpoint and the kiln gan command that continues
     * it, in the folder of its own that a new run got.
     */
    @Test
    void ctrlCStopsKilnGanSayingHowToResumeIt() throws IOException, InterruptedException {
        Assumptions.assumeTrue(Files.isExecutable(Path.of("/bin/kill")), "no /bin/kill to send SIGINT with");
        Assumptions.assumeTrue(kilnOnTheJvmClassPath(), "kiln is not on the JVM's class path");
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 32, 16);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Files.createDirectories(work.resolve("runs").resolve("gan-mnist")).resolve("metrics.json").toFile()
                .createNewFile();
        List<String> gan = List.of("--data-dir", data.toString(), "--epochs", "100000", "--batch", "16",
                "--feature-maps", "4", "--latent", "8");
        Stopped stopped = stopAt(work, "gan", gan, "epoch 2: discriminator loss");
        String diagnostics = String.join("\n", stopped.lines()) + "\n--- stderr\n" + Files.readString(stopped.err());
        Path checkpoint = Path.of("runs", "gan-mnist-2", Trainer.CHECKPOINT);
        String epoch = Trainer.metadata(work.resolve(checkpoint)).get("epoch");
        assertEquals("kiln gan: stopped; the last complete checkpoint is " + checkpoint + " (epoch " + epoch + ");"
                + " continue with: kiln gan " + String.join(" ", gan) + " --resume " + checkpoint,
                stopped.lines().get(stopped.lines().size() - 1), diagnostics);
    }

    /**
     * kiln train --nproc 2 without --out, beside an earlier run: the launcher claims runs/mlp-mnist-2, says so once,
     * and its ranks write there, leaving no third folder that a rank claimed for itself.
     */
    @Test
    void nprocWithoutOutWritesTheRunToTheOneFolderTheLauncherClaimed() throws IOException, InterruptedException {
        Assumptions.assumeTrue(kilnOnTheJvmClassPath(), "kiln is not on the JVM's class path");
        Path data = KilnRuns.fakeMnist(tmp.resolve("data"), 32, 16);
        Path work = Files.createDirectories(tmp.resolve("work"));
        Path earlier = Files.createDirectories(work.resolve("runs").resolve("mlp-mnist"));
        Files.writeString(earlier.resolve(Trainer.CHECKPOINT), "an earlier run's checkpoint");
        List<String> javaCommand = List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dkiln.threads=1", "-cp", System.getProperty("java.class.path"), Kiln.class.getName(), "train", "mlp",
                "--data-dir", data.toString(), "--epochs", "1", "--batch", "16", "--nproc", "2");
        Process p = new ProcessBuilder(javaCommand).directory(work.toFile()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), output);
        assertEquals(0, p.exitValue(), output);
        String said = "runs/mlp-mnist holds an earlier run: this run writes to runs/mlp-mnist-2";
        assertEquals(1, output.split(said, -1).length - 1, output);
        assertTrue(Files.isRegularFile(work.resolve("runs/mlp-mnist-2").resolve(Trainer.CHECKPOINT)), output);
        try (Stream<Path> runs = Files.list(work.resolve("runs"))) {
            assertEquals(List.of("mlp-mnist", "mlp-mnist-2"),
                    runs.map(r -> r.getFileName().toString()).sorted().toList(), output);
        }
    }

    /** What a child JVM printed (each line) and on which signal it ended. */
    private record Stopped(Process process, List<String> lines, String signal, Path err) {
    }

    /**
     * Runs {@code kiln command args} in a child JVM in {@code work}, and sends it SIGINT (or SIGTERM, see
     * {@link #signal}) once it prints a line that starts with {@code stopLine}; returns once it has ended.
     */
    private Stopped stopAt(Path work, String command, List<String> args, String stopLine)
            throws IOException, InterruptedException {
        List<String> javaCommand = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElse("java"),
                "-Dkiln.threads=1", "-cp", System.getProperty("java.class.path"), Kiln.class.getName(), command));
        javaCommand.addAll(args);
        Path err = tmp.resolve(command + "-stderr.txt");
        Process p = new ProcessBuilder(javaCommand).directory(work.toFile()).redirectError(err.toFile()).start();
        List<String> lines = new ArrayList<>();
        String signal;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line = out.readLine();
            while (line != null && !line.startsWith(stopLine)) {
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
        return new Stopped(p, lines, signal, err);
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
