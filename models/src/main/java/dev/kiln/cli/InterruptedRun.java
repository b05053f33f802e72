package dev.kiln.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What a resumable run ({@code kiln train}, {@code kiln train g2p}, {@code kiln gan}) says when it is stopped mid-run
 * by Ctrl-C's SIGINT (or SIGTERM), as PyTorch Lightning's
 * graceful shutdown does: a shutdown hook prints one line naming the last complete checkpoint and the exact command
 * that continues the run from it. The step under way is abandoned; the checkpoint stays whole, as every checkpoint is
 * written to a temporary file and renamed ({@link dev.kiln.io.AtomicFiles}, whose own hook deletes a write the end
 * cut short). Closing it before the process ends (the run finished or failed on its own) removes the hook.
 */
final class InterruptedRun implements AutoCloseable {
    /**
     * Set by {@link DistributedLauncher} on the ranks it starts: their resume command is the launcher's, with
     * {@code --nproc N}, not a rank's own {@code --world-size}, {@code --rank} and {@code --master}.
     */
    static final String NPROC_PROPERTY = "kiln.nproc";
    private static final Set<String> DROPPED = Set.of("--out", "--resume", "--overwrite");
    private static final Set<String> RANK_OPTIONS = Set.of("--world-size", "--rank", "--master");
    private static final Set<String> FLAGS = Set.of("--overwrite");
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9_./:=,@%+-]+");

    private static final long SETTLE_MILLIS = 200;

    private final Thread hook;

    private InterruptedRun(Thread hook) {
        this.hook = hook;
    }

    /**
     * Watches a run of {@code kind}'s command with {@code trainArgs} (the words after the command) that checkpoints
     * into {@code outDir}'s {@link RunDirectory.Kind#resumeFile}: should the process end before {@link #close}, prints
     * on {@code out} the checkpoint this run last wrote there, else the {@code resume} checkpoint it started from, and
     * the command that continues from it.
     *
     * @param resume the {@code --resume} checkpoint, or null for a new run
     */
    static InterruptedRun watch(RunDirectory.Kind kind, List<String> trainArgs, Path outDir, String resume,
                                PrintStream out) {
        Path checkpoint = outDir.resolve(kind.resumeFile());
        FileTime before = modified(checkpoint);
        String nproc = System.getProperty(NPROC_PROPERTY);
        Thread hook = new Thread(() -> {
            settle();
            FileTime now = modified(checkpoint);
            boolean written = now != null && !now.equals(before);
            Path last = written ? checkpoint : resume != null ? Path.of(resume) : null;
            // A new line first: the progress bar may have left the cursor mid-line.
            out.println();
            out.println(message(kind, trainArgs, last, nproc));
            out.flush();
        }, "kiln-train-interrupted");
        Runtime.getRuntime().addShutdownHook(hook);
        return new InterruptedRun(hook);
    }

    /**
     * The line printed at an interruption: where the last complete {@code checkpoint} is (its epoch where its metadata
     * says) and the command that continues from it, or, with none, that there is nothing to continue.
     *
     * @param nproc the launcher's {@code --nproc} for a rank it started, else null
     */
    static String message(RunDirectory.Kind kind, List<String> trainArgs, Path checkpoint, String nproc) {
        if (checkpoint == null) {
            return kind.command() + ": stopped before the first epoch ended, so no checkpoint was written; run the command"
                    + " again to start over";
        }
        return kind.command() + ": stopped; the last complete checkpoint is " + checkpoint
                + RunDirectory.epochOf(checkpoint) + "; continue with: "
                + String.join(" ", quoted(resumeCommand(kind, trainArgs, checkpoint, nproc)));
    }

    /**
     * {@code kind}'s command with {@code trainArgs} less {@code --out}, {@code --resume} and {@code --overwrite} (a resumed
     * run continues in its checkpoint's folder), with {@code --nproc N} in place of a launched rank's options, and
     * {@code --resume checkpoint} at the end.
     */
    static List<String> resumeCommand(RunDirectory.Kind kind, List<String> trainArgs, Path checkpoint, String nproc) {
        List<String> command = new ArrayList<>(List.of(kind.command().split(" ")));
        for (int i = 0; i < trainArgs.size(); i++) {
            String a = trainArgs.get(i);
            String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            boolean dropped = DROPPED.contains(name) || nproc != null && RANK_OPTIONS.contains(name);
            if (dropped && !a.contains("=") && !FLAGS.contains(name)) {
                i++;
            }
            if (!dropped) {
                command.add(a);
            }
        }
        if (nproc != null) {
            command.addAll(List.of("--nproc", nproc));
        }
        command.addAll(List.of("--resume", checkpoint.toString()));
        return command;
    }

    /** Each argument as a POSIX shell reads it back: as it is where it holds no special character, else quoted. */
    private static List<String> quoted(List<String> command) {
        return command.stream().map(a -> PLAIN.matcher(a).matches() ? a : "'" + a.replace("'", "'\\''") + "'").toList();
    }

    /**
     * Gives AtomicFiles' hook, which runs beside this one, time to delete a checkpoint write the end cut short: after
     * it, no rename can replace the checkpoint, so the one named is the one left.
     */
    private static void settle() {
        try {
            Thread.sleep(SETTLE_MILLIS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static FileTime modified(Path file) {
        try {
            return Files.getLastModifiedTime(file);
        } catch (IOException e) {
            return null;
        }
    }

    /** The run ended on its own: nothing to say at the process's end. */
    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // The process is already ending: the hook runs, and rightly, as the run did not finish.
        }
    }
}
