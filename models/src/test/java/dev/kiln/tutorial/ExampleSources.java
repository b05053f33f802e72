package dev.kiln.tutorial;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringWriter;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Assumptions;

/** Compiles the files under examples/ as the source launcher would, and runs their {@code main}, capturing its output. */
final class ExampleSources {
    private ExampleSources() {
    }

    /**
     * The checkout's examples/: beside the module Maven runs the tests in, or in the folder they run from (the GPU
     * bundle's run-tests.sh, started at the repository's root); aborts the test, saying so, where neither has it.
     */
    static Path directory() {
        for (Path candidate : List.of(Path.of("..", "examples"), Path.of("examples"))) {
            if (Files.isDirectory(candidate)) {
                return candidate;
            }
        }
        Assumptions.abort("no examples/ in " + Path.of("..").toAbsolutePath().normalize() + " or "
                + Path.of("").toAbsolutePath() + ": run from the repository or one of its modules");
        throw new AssertionError("unreachable");
    }

    /** Compiles {@code sources} against the test class path into {@code classes}, failing with javac's messages. */
    static void compile(List<Path> sources, Path classes) {
        // The GPU bundle's jlink runtime has no java.compiler module: javax.tools itself would not load there.
        Assumptions.assumeTrue(ModuleLayer.boot().findModule("java.compiler").isPresent()
                && ToolProvider.getSystemJavaCompiler() != null, "this Java runtime has no compiler (the GPU bundle's"
                + " is a JRE): the examples compile under a JDK, as Maven's test run has");
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        // Surefire may run the tests from a manifest-only jar; its property holds the class path itself.
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        StringWriter messages = new StringWriter();
        boolean ok = javac.getTask(messages, null, null,
                List.of("-classpath", classPath, "-d", classes.toString(), "-proc:none"), null,
                javac.getStandardFileManager(null, null, StandardCharsets.UTF_8).getJavaFileObjects(
                        sources.toArray(Path[]::new))).call();
        assertTrue(ok, sources + " do not compile:\n" + messages);
    }

    /** What {@code mainClass}'s main, compiled into {@code classes}, prints with {@code args}; echoed to stdout too. */
    static String runMain(Path classes, String mainClass, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream original = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ExampleSources.class.getClassLoader());
             PrintStream captured = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            Method main = loader.loadClass(mainClass).getMethod("main", String[].class);
            System.setOut(captured);
            main.invoke(null, (Object) args);
        } finally {
            System.setOut(original);
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        original.print(out);
        return out;
    }
}
