package dev.kiln.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Tensor;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A checkpoint rewritten by a process that is killed outright mid-write (SIGKILL: no shutdown hook runs, as when the
 * machine's memory killer or a scheduler ends a training job) is still the previous checkpoint, whole and readable:
 * the new one was going to a temporary file that is only renamed over it once complete.
 */
class AtomicFilesKilledWriteTest {
    @TempDir
    Path dir;

    @Test
    void aProcessKilledMidWriteLeavesThePreviousCheckpointWholeAndReadable() throws IOException, InterruptedException {
        Assumptions.assumeTrue(onTheJvmClassPath(), "Kiln's test classes are not on the JVM's class path ("
                + System.getProperty("java.class.path") + ")");
        Path checkpoint = dir.resolve("checkpoint.safetensors");
        try (Tensor weights = Tensor.fromArray(new float[] {1.5f, -2f, 3.25f}, 3)) {
            SafeTensors.write(checkpoint, Map.of("model.weight", weights), Map.of("epoch", "1"));
        }
        byte[] previous = Files.readAllBytes(checkpoint);
        Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-cp",
                System.getProperty("java.class.path"), AtomicFilesWriter.class.getName(), checkpoint.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertEquals("writing", out.readLine());
            p.destroyForcibly();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the process ends on SIGKILL");
        } finally {
            p.destroyForcibly().waitFor();
        }
        assertArrayEquals(previous, Files.readAllBytes(checkpoint), "the previous checkpoint's bytes");
        try (SafeTensors.Loaded loaded = SafeTensors.read(checkpoint)) {
            assertEquals("1", loaded.metadata().get("epoch"));
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, loaded.tensors().get("model.weight").toFloatArray());
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
