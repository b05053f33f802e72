package dev.kiln.io;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either the old content or the complete new one, never a part: the
 * content goes to a hidden temporary file in the same directory ({@code .NAME.RANDOM.tmp}), is flushed to
 * disk, and is renamed over the target with {@link StandardCopyOption#ATOMIC_MOVE}. If writing fails, the
 * temporary file is deleted and the target is untouched; if the process ends mid-write, a shutdown hook deletes it.
 * Missing parent directories are created. A failure to create the temporary file is reported by the target's name.
 */
public final class AtomicFiles {
    /**
     * Temporary files being written, deleted by a shutdown hook when the process ends mid-write (Ctrl-C, kill), which
     * skips the writer's own clean-up. A file already renamed is no longer under its temporary name, so the hook
     * cannot touch the target.
     */
    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();

    /**
     * Whether the process is ending: set before the hook deletes, so that a write begun meanwhile (the training loop
     * runs on while the hooks do) is refused rather than leave a temporary file that the hook has already passed.
     */
    private static volatile boolean ending;

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::deleteInFlight, "kiln-atomic-files-cleanup"));
        } catch (IllegalStateException e) {
            // First used while the process ends: no hook can be added, and every write is refused.
            ending = true;
        }
    }

    private AtomicFiles() {
    }

    /** Writes the content of a file to a stream (which the caller closes). */
    @FunctionalInterface
    public interface Body {
        void write(OutputStream out) throws IOException;
    }

    /** Replaces {@code target} atomically with what {@code body} writes. */
    public static void write(Path target, Body body) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Files.createDirectories(dir);
        Path temp = null;
        Path registered = null;
        try {
            FileChannel channel = null;
            while (channel == null) {
                temp = dir.resolve("." + absolute.getFileName() + "."
                        + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1) + ".tmp");
                try {
                    // CREATE_NEW with default permissions (not createTempFile's owner-only ones).
                    channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
                } catch (FileAlreadyExistsException e) {
                    temp = null;
                } catch (FileSystemException e) {
                    // The temporary file's hidden name would otherwise stand in the message for the file asked for.
                    temp = null;
                    throw new IOException("cannot write " + absolute + ": cannot create a temporary file in " + dir
                            + " (" + reason(e) + ")", e);
                }
            }
            registered = temp;
            IN_FLIGHT.add(registered);
            // Read after the add: a hook that set the flag later sees this file in IN_FLIGHT.
            if (ending) {
                throw new IOException("cannot write " + absolute + ": the process is ending");
            }
            try (FileChannel ch = channel;
                 OutputStream out = new BufferedOutputStream(Channels.newOutputStream(ch), 1 << 20)) {
                body.write(out);
                out.flush();
                ch.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            temp = null;
        } catch (IOException | RuntimeException | Error e) {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException suppressed) {
                    e.addSuppressed(suppressed);
                }
            }
            throw e;
        } finally {
            if (registered != null) {
                IN_FLIGHT.remove(registered);
            }
        }
        syncDirectory(dir);
    }

    /** Deletes the temporary files of writes the process's end interrupted (a shutdown hook). */
    private static void deleteInFlight() {
        ending = true;
        for (Path temp : IN_FLIGHT) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException e) {
                // the process is ending: nothing is left to report to
            }
        }
    }

    /** The operating system's words for why {@code e} happened. */
    private static String reason(FileSystemException e) {
        if (e.getReason() != null) {
            return e.getReason();
        }
        return e instanceof AccessDeniedException ? "permission denied" : e.getClass().getSimpleName();
    }

    /** Replaces {@code target} atomically with {@code text} in UTF-8. */
    public static void writeString(Path target, String text) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(target, out -> out.write(bytes));
    }

    /** Makes the rename durable where the platform allows it (Linux); elsewhere a no-op. */
    private static void syncDirectory(Path dir) {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException | RuntimeException e) {
            // not supported here (e.g. Windows): the rename itself is still atomic
        }
    }
}
