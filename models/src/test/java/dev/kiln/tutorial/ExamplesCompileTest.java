package dev.kiln.tutorial;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every file of examples/ compiles against this build, as Java's source launcher compiles it when examples/README.md's
 * command runs it: only Quickstart.java is also run (QuickstartExampleTest), and a change of the API the others use
 * would otherwise go unnoticed until a reader runs them.
 */
class ExamplesCompileTest {
    private static final Path EXAMPLES = Path.of("..", "examples");

    @TempDir
    Path tmp;

    static Stream<Path> examples() throws IOException {
        List<Path> files;
        try (Stream<Path> listed = Files.list(EXAMPLES)) {
            files = listed.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        }
        assertTrue(files.size() >= 4, "the tutorials' files in " + EXAMPLES.toAbsolutePath() + ": " + files);
        return files.stream();
    }

    @ParameterizedTest
    @MethodSource("examples")
    void theExampleCompilesAgainstThisBuild(Path source) throws IOException {
        Path classes = Files.createDirectories(tmp.resolve(source.getFileName().toString()));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // Surefire may run the tests from a manifest-only jar; its property holds the class path itself.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null,
                List.of("-classpath", classPath, "-d", classes.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(source)).call();
        assertTrue(ok, source + " does not compile:\n" + messages);
    }
}
