package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link AtomicFiles} leaves when it cannot write or is stopped: an error naming the file asked for, not its hidden
 * temporary file, and no temporary file after the process ends mid-write (Ctrl-C, kill).
 */
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

    @Test
    void aProcessEndedMidWriteLeavesNeitherTheFileNorItsTemporaryFile() throws IOException, InterruptedException {
        Assumptions.assumeTrue(onTheJvmClassPath(), "Kiln's test classes are not on the JVM's class path ("
                + System.getProperty("java.class.path") + ")");
        Path target = dir.resolve("checkpoint.safetensors");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), AtomicFilesWriter.class.getName(), target.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine());
            assertEquals(1, files().size(), "the temporary file while it is written: " + files());
            p.destroy();   // SIGTERM: the JVM runs its shutdown hooks, as on Ctrl-C's SIGINT
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends on SIGTERM");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertEquals(List.of(), files());
    }

    @Test
    void aWriteBegunWhileTheProcessEndsLeavesNoTemporaryFile() throws IOException, InterruptedException {
        Assumptions.assumeTrue(onTheJvmClassPath(), "Kiln's test classes are not on the JVM's class path ("
                + System.getProperty("java.class.path") + ")");
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), AtomicFilesLateWriter.class.getName(),
                dir.resolve("checkpoint.safetensors").toString(), dir.resolve("metrics.csv").toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine());
            p.destroy();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends within its hooks' 3 s");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertEquals(List.of(), files(), "metrics.csv's write, begun after the clean-up, left its temporary file");
    }

    private List<String> files() throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(f -> f.getFileName().toString()).toList();
        }
    }

    /** Whether this JVM's class path holds the test classes: it does under Maven, not in the GPU bundle's launcher. */
    private static boolean onTheJvmClassPath() {
        try {
            Class.forName(AtomicFilesWriter.class.getName(), false, ClassLoader.getSystemClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
