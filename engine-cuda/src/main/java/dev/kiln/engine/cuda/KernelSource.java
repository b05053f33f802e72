package dev.kiln.engine.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** The CUDA C files of the kernels module (resources under /kernels), one NVRTC program each. */
enum KernelSource {
    MEMORY("memory.cu"),
    ELEMENTWISE("elementwise.cu"),
    REDUCE("reduce.cu"),
    INDEX("index.cu"),
    RANDOM("random.cu"),
    OPTIM("optim.cu"),
    RECURRENT("recurrent.cu"),
    POOLING("pooling.cu"),
    BATCHNORM("batchnorm.cu"),
    SORT("sort.cu"),
    LAYERNORM("layernorm.cu");

    /** The header every source includes. */
    static final String HEADER = "kiln_common.cuh";

    private final String file;

    KernelSource(String file) {
        this.file = file;
    }

    String file() {
        return file;
    }

    String text() {
        return read(file);
    }

    static String read(String file) {
        String path = "/kernels/" + file;
        try (InputStream in = KernelSource.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + path + " is not on the class path (dev.kiln:kernels)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("reading kernel source " + path, e);
        }
    }
}
