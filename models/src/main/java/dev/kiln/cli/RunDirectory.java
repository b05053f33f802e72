package dev.kiln.cli;

import dev.kiln.train.Trainer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a training run of any kiln command writes, so that no run replaces another's checkpoint and metrics: a new run
 * without {@code --out} gets a folder of its own, created as it is chosen ({@link #fresh}), a resumed one continues in
 * its checkpoint's folder, and {@code --out} naming a folder that holds another run's work is refused unless
 * {@code --overwrite} is given ({@link #refuseOverwriting}); {@link #choose} applies the three.
 *
 * <p>The folders are numbered {@code runs/MODEL-DATA}, {@code runs/MODEL-DATA-2}, {@code -3}, ... rather than
 * Lightning's {@code version_N}: the first run keeps the folder that the documentation names, and TensorBoard, which
 * names a run by its folder ({@code --tensorboard}), shows each run under a name that says what it trained.
 */
final class RunDirectory {
    /** The flag that lets {@code --out DIR} replace the run it holds. */
    static final String OVERWRITE = "overwrite";
    /** How many times {@link #fresh} looks again for a free folder that other runs keep taking first. */
    private static final int MAX_CLAIMS = 100;
    /** The folders this process created with {@link #fresh}: see {@link #releaseEmptyClaims}. */
    private static final Set<Path> CLAIMED = new LinkedHashSet<>();
    private static boolean hookAdded;

    /** {@code kiln train}'s runs: its checkpoint marks a run, and {@code --resume} continues from it. */
    static final Kind TRAIN = new Kind("kiln train", Trainer.CHECKPOINT, List.of(Trainer.CHECKPOINT));

    /**
     * What a command leaves in its run folder.
     *
     * @param command    the command as a user types it, e.g. {@code kiln gan}, for messages
     * @param resumeFile the file in the folder that the command's {@code --resume} continues, or null where it has no
     *                   {@code --resume}
     * @param runFiles   the files whose presence says the folder holds a run (at least one)
     */
    record Kind(String command, String resumeFile, List<String> runFiles) {
        Kind {
            runFiles = List.copyOf(runFiles);
            if (runFiles.isEmpty()) {
                throw new IllegalArgumentException("RunDirectory.Kind: no run files for " + command);
            }
        }

        /** A command without {@code --resume}, whose run is marked by any of {@code runFiles}. */
        static Kind withoutResume(String command, String... runFiles) {
            return new Kind(command, null, List.of(runFiles));
        }
    }

    private RunDirectory() {
    }

    /**
     * The folder a run of {@code kind} writes to: {@code --out} ({@code outOption}), refused where it holds another
     * run's work unless {@code overwrite}; else the {@code --resume} checkpoint's folder, as the user wrote it (a
     * resumed run continues its own metrics.csv); else a fresh folder beside {@code fallback} ({@link #fresh}), said
     * on {@code out} (when not null) where {@code fallback} holds an earlier run.
     *
     * @param resume the {@code --resume} checkpoint, or null for a new run
     * @throws IllegalArgumentException for {@code --overwrite} without {@code --out}, or {@code --out} over another
     *                                  run
     */
    static Path choose(Kind kind, String outOption, String resume, boolean overwrite, Path fallback, PrintStream out)
            throws IOException {
        return choose(kind, outOption, resume, overwrite, fallback, out, true);
    }

    /**
     * {@link #choose} where only a {@code claim}ing process creates the fresh folder: the others of a distributed run
     * (ranks other than 0, which write nothing there) name it without taking a second one.
     */
    static Path choose(Kind kind, String outOption, String resume, boolean overwrite, Path fallback, PrintStream out,
                       boolean claim) throws IOException {
        if (outOption != null) {
            Path dir = Path.of(outOption);
            refuseOverwriting(kind, dir, resume, overwrite);
            return dir;
        }
        if (overwrite) {
            throw new IllegalArgumentException("--overwrite replaces the run in --out DIR; without --out a new run gets"
                    + " a folder of its own");
        }
        if (resume != null) {
            Path parent = Path.of(resume).getParent();
            return parent != null ? parent : Path.of(".");
        }
        Path fresh = claim ? fresh(fallback) : next(fallback);
        if (out != null && !fresh.equals(fallback)) {
            out.printf("%s holds an earlier run: this run writes to %s (--out DIR names another folder)%n", fallback,
                    fresh);
        }
        return fresh;
    }

    /**
     * Creates and returns the folder for a new run: {@code base} when neither it nor a numbered one exists, else
     * {@code base-N} with N one more than the highest number already taken (at least 2), as Lightning numbers its
     * versions: the newest run has the highest. The folder is created atomically ({@link Files#createDirectory}), so
     * that runs started at the same moment, which would otherwise all see the same name free, each get one of their
     * own.
     *
     * @throws IOException where the folder cannot be created (e.g. {@code runs/} is not writable)
     */
    static Path fresh(Path base) throws IOException {
        Files.createDirectories(base.toAbsolutePath().getParent());
        for (int attempt = 0; attempt < MAX_CLAIMS; attempt++) {
            Path candidate = next(base);
            try {
                Files.createDirectory(candidate);
                claimed(candidate);
                return candidate;
            } catch (FileAlreadyExistsException e) {
                // Another run took it between the look and the claim: look again.
            }
        }
        throw new IllegalStateException("no free run folder beside " + base + " after " + MAX_CLAIMS
                + " tries; name one with --out DIR");
    }

    /** Notes a folder {@link #fresh} created, to be removed at the process's end should it still be empty. */
    private static void claimed(Path dir) {
        synchronized (CLAIMED) {
            if (!hookAdded) {
                Runtime.getRuntime().addShutdownHook(new Thread(RunDirectory::releaseEmptyClaims, "kiln-run-folders"));
                hookAdded = true;
            }
            CLAIMED.add(dir);
        }
    }

    /**
     * Removes each folder {@link #fresh} created that is still empty (the command failed, or was stopped, before it
     * wrote anything), so that the next run takes its name rather than the number after it; run at the process's end.
     */
    static void releaseEmptyClaims() {
        synchronized (CLAIMED) {
            for (Path dir : CLAIMED) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // Not empty (the run wrote there) or already gone: the folder is left as it is.
                }
            }
            CLAIMED.clear();
        }
    }

    /**
     * The name {@link #fresh} would claim now: {@code base} when nothing (not even a dangling link) has it nor any
     * {@code base-N}, else {@code base-N} with N one more than the highest number taken (at least 2), so that the
     * newest run keeps the highest number ({@link #newest}).
     */
    static Path next(Path base) throws IOException {
        Path parent = base.toAbsolutePath().getParent();
        // base counts as number 1; a base deleted while base-N stays does not make base the newest run again.
        int highest = Files.exists(base, LinkOption.NOFOLLOW_LINKS) ? 1 : 0;
        if (Files.isDirectory(parent)) {
            Pattern numbered = numbered(base);
            try (Stream<Path> siblings = Files.list(parent)) {
                for (Path sibling : siblings.toList()) {
                    Matcher m = numbered.matcher(sibling.getFileName().toString());
                    if (m.matches()) {
                        highest = Math.max(highest, Integer.parseInt(m.group(1)));
                    }
                }
            }
        }
        return highest == 0 ? base : base.resolveSibling(base.getFileName() + "-" + Math.max(2, highest + 1));
    }

    /**
     * {@code file} in the newest run folder of {@code base} that holds it: {@code base-N} with the highest number N
     * (compared as numbers, so {@code -10} is newer than {@code -2}), else {@code base} itself; where none holds it,
     * {@code base/file}, for the caller's "not found" message.
     */
    static Path newest(Path base, String file) throws IOException {
        Path newest = base.resolve(file);
        int highest = Files.exists(newest) ? 1 : 0;
        Path parent = base.toAbsolutePath().getParent();
        if (!Files.isDirectory(parent)) {
            return newest;
        }
        Pattern numbered = numbered(base);
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path sibling : siblings.toList()) {
                Matcher m = numbered.matcher(sibling.getFileName().toString());
                Path candidate = base.resolveSibling(sibling.getFileName()).resolve(file);
                if (m.matches() && Integer.parseInt(m.group(1)) > highest && Files.exists(candidate)) {
                    highest = Integer.parseInt(m.group(1));
                    newest = candidate;
                }
            }
        }
        return newest;
    }

    /** {@code base}'s numbered siblings, {@code base-N}, with N as group 1. */
    private static Pattern numbered(Path base) {
        return Pattern.compile(Pattern.quote(base.getFileName().toString()) + "-([0-9]{1,9})");
    }

    /**
     * Refuses {@code --out dir} when it holds a run of {@code kind} that this run would replace: any of its run files,
     * unless {@code resume} lies in {@code dir} (a run continued in its own folder). {@code overwrite}
     * ({@code --overwrite}) lets it.
     *
     * @param resume the {@code --resume} checkpoint, or null for a new run
     * @throws IllegalArgumentException naming the file found and how to continue the run (where {@code kind} resumes)
     *                                  or keep it
     */
    static void refuseOverwriting(Kind kind, Path dir, String resume, boolean overwrite) throws IOException {
        Path found = kind.runFiles().stream().map(dir::resolve).filter(Files::exists).findFirst().orElse(null);
        if (overwrite || found == null || resume != null && isFolderOf(dir, Path.of(resume))) {
            return;
        }
        Path checkpoint = kind.resumeFile() == null ? null : dir.resolve(kind.resumeFile());
        String resumeHint = checkpoint != null && Files.exists(checkpoint)
                ? "continue that run with --resume " + checkpoint + ", " : "";
        String what = found.getFileName().toString().endsWith(".safetensors") ? "checkpoint" : "output";
        throw new IllegalArgumentException("--out " + dir + " already holds a run's " + what + ", " + found
                + epochOf(found) + ": " + resumeHint + "name another folder with --out (or leave --out out for a new"
                + " folder under runs/), or give --overwrite to replace it");
    }

    /** Whether {@code file} lies in the folder {@code dir}. */
    private static boolean isFolderOf(Path dir, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        return Files.isDirectory(parent) && Files.isSameFile(dir, parent);
    }

    /** " (epoch N)", or nothing where the file's metadata cannot be read. */
    static String epochOf(Path checkpoint) {
        try {
            String epoch = Trainer.metadata(checkpoint).get("epoch");
            return epoch == null ? "" : " (epoch " + epoch + ")";
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
