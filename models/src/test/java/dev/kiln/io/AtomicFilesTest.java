package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@link AtomicFiles} reports when it cannot write: the file asked for, not its hidden temporary file. */
class AtomicFilesTest {
    @TempDir
    Path dir;

    @Test
    void aTemporaryFileThatCannotBeCreatedIsReportedByTheTargetsName() {
        // 240 characters are a valid file name on every common file system; with ".", ".<16 hex>.tmp" around them
        // the temporary file's name exceeds the 255 allowed.
        Path target = dir.resolve("m".repeat(236) + ".csv");
        IOException e = assertThrows(IOException.class, () -> AtomicFiles.writeString(target, "x"));
        assertEquals("cannot write " + target + ": cannot create a temporary file in " + dir
                + " (File name too long)", e.getMessage());
    }
}
