package dev.kiln.engine.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import org.bytedeco.cuda.global.nvrtc;
import org.bytedeco.cuda.nvrtc._nvrtcProgram;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.javacpp.PointerPointer;
import org.bytedeco.javacpp.SizeTPointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Compiles a kernel source with NVRTC for the device's architecture and caches the binary on disk, keyed by
 * the hash of the source, header and compiler options, the architecture and NVRTC's version: the first run on
 * a machine compiles (0.3-1.6 s per file), later runs load the cached binary. The cache is
 * {@code -Dkiln.cache.dir}, else {@code $KILN_CACHE_DIR}, else {@code ~/.kiln/cache}, under
 * {@code kernels/}; files are written to a temporary name and renamed.
 */
final class KernelCompiler {
    private static final Logger LOG = LoggerFactory.getLogger(KernelCompiler.class);

    private final int computeCapability;
    private final String nvrtcVersion;
    private final String target;
    private final Path cacheDir;

    KernelCompiler(int computeCapability) {
        this.computeCapability = computeCapability;
        int[] major = new int[1];
        int[] minor = new int[1];
        Status.nvrtc(nvrtc.nvrtcVersion(major, minor), "nvrtcVersion");
        this.nvrtcVersion = major[0] + "." + minor[0];
        this.target = target(computeCapability);
        this.cacheDir = cacheRoot().resolve("kernels");
    }

    /**
     * A cubin for the device's own architecture when NVRTC knows it; otherwise PTX for the newest
     * architecture it knows, which the driver compiles for the device.
     */
    private static String target(int computeCapability) {
        int[] count = new int[1];
        Status.nvrtc(nvrtc.nvrtcGetNumSupportedArchs(count), "nvrtcGetNumSupportedArchs");
        int[] archs = new int[count[0]];
        Status.nvrtc(nvrtc.nvrtcGetSupportedArchs(archs), "nvrtcGetSupportedArchs");
        int best = 0;
        for (int a : archs) {
            if (a == computeCapability) {
                return "sm_" + a;
            }
            if (a < computeCapability) {
                best = Math.max(best, a);
            }
        }
        if (best == 0) {
            throw new CudaException("NVRTC " + "supports none of the architectures up to sm_" + computeCapability);
        }
        return "compute_" + best;
    }

    private static Path cacheRoot() {
        String dir = System.getProperty("kiln.cache.dir");
        if (dir == null || dir.isBlank()) {
            dir = System.getenv("KILN_CACHE_DIR");
        }
        return dir == null || dir.isBlank() ? Path.of(System.getProperty("user.home"), ".kiln", "cache") : Path.of(dir);
    }

    /** The compiled image (cubin, or NUL-terminated PTX) of {@code source}. */
    byte[] compile(KernelSource source) {
        String header = KernelSource.read(KernelSource.HEADER);
        String text = source.text();
        Path cached = cached(source, header, text);
        try {
            if (Files.isRegularFile(cached)) {
                return Files.readAllBytes(cached);
            }
        } catch (IOException e) {
            LOG.warn("cannot read cached kernel {}: {}; compiling again", cached, e.toString());
        }
        long start = System.nanoTime();
        byte[] image = nvrtcCompile(source.file(), text, header);
        LOG.info("compiled {} for {} with NVRTC {} in {} ms", source.file(), target, nvrtcVersion,
                (System.nanoTime() - start) / 1_000_000);
        store(cached, image);
        return image;
    }

    /**
     * Deletes the cached image of {@code source}, so that the next {@link #compile} compiles it afresh; whether
     * there was one.
     */
    boolean forget(KernelSource source) {
        Path cached = cached(source, KernelSource.read(KernelSource.HEADER), source.text());
        try {
            return Files.deleteIfExists(cached);
        } catch (IOException e) {
            LOG.warn("cannot delete cached kernel {}: {}", cached, e.toString());
            return false;
        }
    }

    /** Where the image of {@code source}, whose text and header are given, is cached. */
    private Path cached(KernelSource source, String header, String text) {
        return cacheDir.resolve(source.file().replace(".cu", "") + "-" + hash(header, text, options()) + "-" + target
                + "-nvrtc" + nvrtcVersion + (makesCubin() ? ".cubin" : ".ptx"));
    }

    /** Whether NVRTC makes a cubin for the device itself, rather than PTX for the driver to compile. */
    private boolean makesCubin() {
        return target.startsWith("sm_");
    }

    private List<String> options() {
        return List.of("--gpu-architecture=" + target, "--std=c++17");
    }

    private byte[] nvrtcCompile(String name, String text, String header) {
        _nvrtcProgram program = new _nvrtcProgram();
        // Arrays of strings, not new PointerPointer<>(aBytePointer): with one argument that is JavaCPP's cast
        // constructor, which views the string's bytes as the pointer array (NVRTC crashed reading it).
        String[] headerName = {KernelSource.HEADER};
        try (PointerPointer<BytePointer> headers = new PointerPointer<BytePointer>(new String[] {header});
             PointerPointer<BytePointer> includeNames = new PointerPointer<BytePointer>(headerName)) {
            Status.nvrtc(nvrtc.nvrtcCreateProgram(program, new BytePointer(text), new BytePointer(name), 1, headers,
                    includeNames), "nvrtcCreateProgram(" + name + ")");
        }
        try {
            List<String> options = options();
            // The String constructor keeps its BytePointers referenced; put(i, new BytePointer(..)) does not, so
            // the garbage collector could free an option string before NVRTC reads it.
            PointerPointer<BytePointer> optionPointers = new PointerPointer<BytePointer>(options.toArray(new String[0]));
            int status = nvrtc.nvrtcCompileProgram(program, options.size(), optionPointers);
            if (status != nvrtc.NVRTC_SUCCESS) {
                BytePointer reason = nvrtc.nvrtcGetErrorString(status);
                throw new CudaException("NVRTC " + nvrtcVersion + " could not compile " + name + " for " + target
                        + " with " + options + ": " + (reason == null ? "status " + status : reason.getString())
                        + "\n" + log(program));
            }
            return makesCubin() ? cubin(program) : ptx(program);
        } finally {
            nvrtc.nvrtcDestroyProgram(program);
        }
    }

    private static String log(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            if (nvrtc.nvrtcGetProgramLogSize(program, size) != nvrtc.NVRTC_SUCCESS || size.get() <= 1) {
                return "(NVRTC wrote no log)";
            }
            BytePointer log = new BytePointer(size.get());
            nvrtc.nvrtcGetProgramLog(program, log);
            return log.getString();
        }
    }

    private static byte[] cubin(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            Status.nvrtc(nvrtc.nvrtcGetCUBINSize(program, size), "nvrtcGetCUBINSize");
            BytePointer image = new BytePointer(size.get());
            Status.nvrtc(nvrtc.nvrtcGetCUBIN(program, image), "nvrtcGetCUBIN");
            byte[] bytes = new byte[(int) size.get()];
            image.get(bytes);
            return bytes;
        }
    }

    /** PTX including its terminating NUL, as cuModuleLoadData expects. */
    private static byte[] ptx(_nvrtcProgram program) {
        try (SizeTPointer size = new SizeTPointer(1)) {
            Status.nvrtc(nvrtc.nvrtcGetPTXSize(program, size), "nvrtcGetPTXSize");
            BytePointer image = new BytePointer(size.get());
            Status.nvrtc(nvrtc.nvrtcGetPTX(program, image), "nvrtcGetPTX");
            byte[] bytes = new byte[(int) size.get()];
            image.get(bytes);
            return bytes;
        }
    }

    private static void store(Path cached, byte[] image) {
        try {
            Files.createDirectories(cached.getParent());
            Path tmp = Files.createTempFile(cached.getParent(), cached.getFileName().toString(), ".tmp");
            Files.write(tmp, image);
            Files.move(tmp, cached, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            LOG.warn("cannot cache compiled kernel at {}: {}; it will be compiled again next run", cached, e.toString());
        }
    }

    private static String hash(String header, String text, List<String> options) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String part : List.of(header, text, String.join(" ", options))) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    String target() {
        return target;
    }

    int computeCapability() {
        return computeCapability;
    }
}
