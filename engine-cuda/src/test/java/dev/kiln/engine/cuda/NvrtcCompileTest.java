package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.javacpp.Loader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every kernel source compiles with NVRTC as the backend compiles it at run time (its options, its header
 * passed by name, cubins for the device's architecture), and the kernel cache serves and forgets them. NVRTC
 * needs no GPU, only its library: this runs on a GPU machine and wherever JavaCPP's
 * {@code org.bytedeco:cuda-redist} jar is on the class path, and skips elsewhere (CI), saying why. nvcc's checks
 * ({@code NvccCheckTest}, {@link KernelCatalogTest}) cannot see what only NVRTC does differently.
 */
class NvrtcCompileTest {
    private static final byte[] ELF_MAGIC = {0x7F, 'E', 'L', 'F'};

    @TempDir
    Path cache;

    /** Null where NVRTC's library loads; otherwise why not. */
    private static final String NVRTC_MISSING = nvrtcMissing();

    private static String nvrtcMissing() {
        try {
            Loader.load(nvrtc.class);
            return null;
        } catch (Throwable t) {
            return t.toString();
        }
    }

    @BeforeEach
    void useTemporaryCache() {
        assumeTrue(NVRTC_MISSING == null, "NVRTC does not load here (" + NVRTC_MISSING + "): nothing to compile"
                + " with; a GPU machine, or org.bytedeco:cuda-redist:linux-x86_64 on the class path, runs this test");
        System.setProperty("kiln.cache.dir", cache.toString());
    }

    @AfterEach
    void restoreCache() {
        System.clearProperty("kiln.cache.dir");
    }

    @ParameterizedTest(name = "sm_{0}")
    @ValueSource(ints = {80, 90})
    void everySourceCompilesToACubinForTheDevicesArchitecture(int computeCapability) {
        KernelCompiler compiler = new KernelCompiler(computeCapability);
        assertEquals("sm_" + computeCapability, compiler.target());
        for (KernelSource source : KernelSource.values()) {
            byte[] image = compiler.compile(source);
            assertArrayEquals(ELF_MAGIC, Arrays.copyOf(image, 4), source.file() + " is not a cubin");
        }
    }

    @Test
    void theProvidersProbeFindsThatNvrtcCompiles() {
        assertNull(CudaBackendProvider.nvrtcCompiles());
    }

    @Test
    void aSecondCompilationReadsTheCacheAndForgettingDeletesIt() throws Exception {
        KernelCompiler compiler = new KernelCompiler(90);
        byte[] first = compiler.compile(KernelSource.POOLING);
        List<Path> cached;
        try (var files = Files.list(cache.resolve("kernels"))) {
            cached = files.toList();
        }
        assertEquals(1, cached.size(), "one cached image: " + cached);
        byte[] marker = {1, 2, 3};
        Files.write(cached.get(0), marker);
        assertArrayEquals(marker, compiler.compile(KernelSource.POOLING), "the cached file is what compile returns");
        assertTrue(compiler.forget(KernelSource.POOLING));
        assertTrue(Files.notExists(cached.get(0)));
        assertArrayEquals(first, compiler.compile(KernelSource.POOLING), "compiled afresh after forget");
    }
}
