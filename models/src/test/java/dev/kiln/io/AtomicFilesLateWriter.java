package dev.kiln.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A process for {@link AtomicFilesTest}: a training loop that goes on while the process ends. It writes
 * {@code args[0]} as {@link AtomicFilesWriter} does and, once the end of the process has deleted that temporary
 * file, begins writing {@code args[1]} (the next file of an epoch's end). A shutdown hook of its own keeps the
 * process alive meanwhile, as OpenBLAS's drain does for up to 10 s.
 */
final class AtomicFilesLateWriter {
    private AtomicFilesLateWriter() {
    }

    public static void main(String[] args) throws IOException {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> pause(3_000)));
        Path first = Path.of(args[0]);
        AtomicFiles.write(first, out -> {
            out.write(new byte[1024]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            awaitEmpty(first.toAbsolutePath().getParent());
            pause(200);
            AtomicFiles.write(Path.of(args[1]), late -> {
                late.write(new byte[1024]);
                late.flush();
                pause(60_000);
            });
        });
    }

    private static void awaitEmpty(Path dir) throws IOException {
        for (int i = 0; i < 6_000; i++) {
            try (Stream<Path> entries = Files.list(dir)) {
                if (entries.findAny().isEmpty()) {
                    return;
                }
            }
            pause(10);
        }
        throw new IOException("the temporary file of " + dir + " was never deleted");
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
