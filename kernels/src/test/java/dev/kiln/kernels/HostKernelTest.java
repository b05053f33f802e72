package dev.kiln.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Runs kernels, not only compiles them, on machines without a GPU: each {@code src/test/cpp/*_test.cpp} includes
 * one kernel source, compiled as host C++ with {@code -DKILN_HOST_TEST} (every launch one block of one thread,
 * see {@code kiln_host.h}), and checks its kernels against references written from the CPU backend's semantics;
 * the program's exit status is its number of failures. Skips, saying why, where g++ is missing.
 */
class HostKernelTest {
    private static final Path KERNELS = Path.of("src", "main", "resources", "kernels");
    private static final Path TESTS = Path.of("src", "test", "cpp");
    private static Path compiler;

    @BeforeAll
    static void findCompiler() {
        compiler = TestTools.requireExecutable("HostKernelTest", "g++");
    }

    static Stream<Path> tests() throws IOException {
        return TestTools.files(TESTS, "_test.cpp");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tests")
    void kernelsComputeWhatTheReferenceComputes(Path test) throws Exception {
        Path program = Files.createTempFile("kiln-host-" + test.getFileName(), ".bin");
        try {
            run(compiler.toString(), "-std=c++17", "-O1", "-Wall", "-Werror", "-DKILN_HOST_TEST", "-I",
                    KERNELS.toString(), "-I", TESTS.toString(), "-o", program.toString(), test.toString());
            System.out.print(run(program.toString()));
        } finally {
            Files.deleteIfExists(program);
        }
    }

    /** Runs a command; its output, or an assertion error with the output when it exits with a failure. */
    private static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int exit = p.waitFor();
        assertEquals(0, exit, String.join(" ", command) + " exited with " + exit + ":\n" + output);
        return output;
    }
}
