package dev.kiln.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every kernel source compiles with {@code nvcc -ptx} for sm_80 (A100) and sm_90 (H100) with warnings as
 * errors: CI has nvcc but no GPU, so this is where a kernel that would not compile at run time (NVRTC,
 * same front end) fails the build. Skips, saying why, where nvcc is missing.
 */
class NvccCheckTest {
    private static final Path SOURCES = Path.of("src", "main", "resources", "kernels");
    private static Path nvcc;

    @BeforeAll
    static void findNvcc() {
        String cudaHome = System.getenv("CUDA_HOME");
        nvcc = TestTools.requireExecutable("NvccCheckTest", "nvcc", cudaHome == null ? "" : cudaHome + "/bin",
                "/usr/local/cuda/bin");
    }

    static Stream<Path> sources() throws IOException {
        return TestTools.files(SOURCES, ".cu");
    }

    @ParameterizedTest(name = "{0} compiles for sm_80 and sm_90 without warnings")
    @MethodSource("sources")
    void kernelSourceCompilesWithoutWarnings(Path source) throws Exception {
        for (String arch : List.of("sm_80", "sm_90")) {
            Path ptx = Files.createTempFile("kiln-" + source.getFileName(), "." + arch + ".ptx");
            try {
                Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=" + arch, "-std=c++17",
                        "--Werror", "all-warnings", "-I", SOURCES.toString(), "-o", ptx.toString(), source.toString())
                        .redirectErrorStream(true).start();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                int exit = p.waitFor();
                assertEquals(0, exit, "nvcc -ptx -arch=" + arch + " " + source + " failed:\n" + output);
                assertTrue(Files.readString(ptx).contains(".entry"), source + " produced no kernel entry for " + arch);
            } finally {
                Files.deleteIfExists(ptx);
            }
        }
    }
}
