package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs a checking script of {@code models/src/test/pytorch/} with the TensorBoard venv's Python on a log directory,
 * for the tests that hold Kiln's files to TensorBoard's own readers. A test calling it is skipped, saying why, where
 * the venv or the script is missing (the GPU bundle runs the tests from jars, away from the sources).
 */
public final class TensorBoardScripts {
    private static final Path PYTHON = Path.of("/opt/tbvenv/bin/python");
    /** The scripts' folder from the models module (Maven's working directory) or from the repository root. */
    private static final List<Path> SCRIPT_DIRS = List.of(Path.of("src/test/pytorch"),
            Path.of("models/src/test/pytorch"));

    private TensorBoardScripts() {
    }

    /** The lines {@code SCRIPT DIR} prints; fails on a non-zero exit or after two minutes. */
    public static List<String> run(String script, Path dir) throws IOException {
        Assumptions.assumeTrue(Files.isExecutable(PYTHON), "no TensorBoard venv at " + PYTHON);
        Path path = SCRIPT_DIRS.stream().map(d -> d.resolve(script)).filter(Files::isRegularFile).findFirst()
                .orElse(null);
        Assumptions.assumeTrue(path != null, script + " is not under " + SCRIPT_DIRS + " of the working directory "
                + Path.of("").toAbsolutePath());
        Process p = new ProcessBuilder(PYTHON.toString(), path.toString(), dir.toString())
                .redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            assertTrue(p.waitFor(120, TimeUnit.SECONDS), script + " ran past 2 minutes");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(script + " interrupted", e);
        }
        assertEquals(0, p.exitValue(), out);
        return out.lines().toList();
    }
}
