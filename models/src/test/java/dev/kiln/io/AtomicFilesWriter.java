package dev.kiln.io;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.file.Path;

/**
 * A process for {@link AtomicFilesTest}: starts writing the file {@code args[0]} with {@link AtomicFiles}, says
 * "writing" once the temporary file holds some bytes, and waits there, for its test to end the process mid-write.
 */
final class AtomicFilesWriter {
    private AtomicFilesWriter() {
    }

    public static void main(String[] args) throws IOException {
        AtomicFiles.write(Path.of(args[0]), out -> {
            out.write(new byte[1024]);
            out.flush();
            System.out.println("writing");
            System.out.flush();
            try {
                Thread.sleep(60_000);
            } catch (InterruptedException e) {
                throw new InterruptedIOException("interrupted mid-write");
            }
        });
    }
}
