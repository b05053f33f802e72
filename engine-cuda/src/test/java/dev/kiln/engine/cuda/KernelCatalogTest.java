package dev.kiln.engine.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.DType;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Every kernel name the backend looks up exists in the compiled sources it reads them from: compiled
 * here with nvcc from the same class-path resources NVRTC reads at run time, so a misspelt or missing
 * instantiation fails on a machine without a GPU instead of at the first launch on one.
 */
class KernelCatalogTest {

    @Test
    void everyKernelTheBackendLaunchesIsCompiledFromItsSource() throws Exception {
        Path nvcc = nvcc();
        Path dir = Files.createTempDirectory("kiln-kernels");
        Files.writeString(dir.resolve(KernelSource.HEADER), KernelSource.read(KernelSource.HEADER));
        List<String> missing = new ArrayList<>();
        for (KernelSource source : KernelSource.values()) {
            Set<String> entries = entries(nvcc, dir, source);
            for (Kernel kernel : Kernel.values()) {
                if (kernel.source() != source) {
                    continue;
                }
                for (DType type : kernel.types()) {
                    String name = kernel == Kernel.CONVERT ? Kernel.conversion(type, DType.F32) : kernel.name(type);
                    if (!entries.contains(name)) {
                        missing.add(name + " (" + source.file() + ")");
                    }
                }
            }
            if (source == KernelSource.MEMORY) {
                for (DType from : DType.values()) {
                    for (DType to : DType.values()) {
                        if (!entries.contains(Kernel.conversion(from, to))) {
                            missing.add(Kernel.conversion(from, to));
                        }
                    }
                }
            }
        }
        assertEquals(List.of(), missing, "kernels the backend launches but the sources do not define");
    }

    private static Set<String> entries(Path nvcc, Path dir, KernelSource source) throws Exception {
        Path cu = dir.resolve(source.file());
        Files.writeString(cu, source.text());
        Path ptx = dir.resolve(source.file() + ".ptx");
        Process p = new ProcessBuilder(nvcc.toString(), "-ptx", "-arch=sm_80", "-std=c++17", "-I", dir.toString(),
                "-o", ptx.toString(), cu.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), "nvcc failed on " + source.file() + ":\n" + output);
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("\\.entry\\s+(\\w+)\\(").matcher(Files.readString(ptx));
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(!names.isEmpty(), source.file() + " compiled to no kernels");
        return names;
    }

    private static Path nvcc() {
        Optional<Path> found = Stream.concat(
                        Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)),
                        Stream.of("/usr/local/cuda/bin"))
                .filter(d -> !d.isEmpty()).map(d -> Path.of(d, "nvcc")).filter(Files::isExecutable).findFirst();
        if (found.isEmpty()) {
            System.out.println("KernelCatalogTest skipped: nvcc is not on the PATH or in /usr/local/cuda/bin");
        }
        Assumptions.assumeTrue(found.isPresent(), "nvcc is not on the PATH or in /usr/local/cuda/bin");
        return found.get();
    }
}
