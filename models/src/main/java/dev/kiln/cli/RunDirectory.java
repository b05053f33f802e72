package dev.kiln.cli;

import dev.kiln.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Where a {@code kiln train} run writes, so that no run replaces another's checkpoint and metrics: a new run without
 * {@code --out} gets a folder of its own ({@link #fresh}), and {@code --out} naming a folder that holds another run's
 * checkpoint is refused unless {@code --overwrite} is given ({@link #refuseOverwriting}).
 *
 * <p>The folders are numbered {@code runs/MODEL-DATA}, {@code runs/MODEL-DATA-2}, {@code -3}, ... rather than
 * Lightning's {@code version_N}: the first run keeps the folder that the documentation names, and TensorBoard, which
 * names a run by its folder ({@code --tensorboard}), shows each run under a name that says what it trained.
 */
final class RunDirectory {
    private RunDirectory() {
    }

    /**
     * {@code base} when it does not exist or is an empty folder, else {@code base-N} with N one more than the highest
     * number already taken beside it (at least 2), as Lightning numbers its versions: the newest run has the highest.
     */
    static Path fresh(Path base) throws IOException {
        if (isFree(base)) {
            return base;
        }
        Path parent = base.toAbsolutePath().getParent();
        Pattern numbered = Pattern.compile(Pattern.quote(base.getFileName().toString()) + "-([0-9]{1,9})");
        int highest = 1;
        try (Stream<Path> siblings = Files.list(parent)) {
            for (Path sibling : siblings.toList()) {
                Matcher m = numbered.matcher(sibling.getFileName().toString());
                if (m.matches()) {
                    highest = Math.max(highest, Integer.parseInt(m.group(1)));
                }
            }
        }
        return base.resolveSibling(base.getFileName() + "-" + (highest + 1));
    }

    private static boolean isFree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return true;
        }
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }

    /**
     * Refuses {@code --out dir} when it holds a run's checkpoint that this run would replace: any checkpoint, unless
     * {@code resume} lies in {@code dir} (a run continued in its own folder). {@code overwrite} ({@code --overwrite})
     * lets it.
     *
     * @param resume the {@code --resume} checkpoint, or null for a new run
     * @throws IllegalArgumentException naming the checkpoint and how to continue it or keep it
     */
    static void refuseOverwriting(Path dir, String resume, boolean overwrite) throws IOException {
        Path checkpoint = dir.resolve(Trainer.CHECKPOINT);
        if (overwrite || !Files.exists(checkpoint) || resume != null && isFolderOf(dir, Path.of(resume))) {
            return;
        }
        throw new IllegalArgumentException("--out " + dir + " already holds a run's checkpoint, " + checkpoint
                + epochOf(checkpoint) + ": continue that run with --resume " + checkpoint + ", name another folder"
                + " with --out (or leave --out out for a new folder under runs/), or give --overwrite to replace it");
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
