package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;

/** Offers the CPU backend whenever OpenBLAS's native library loads. */
public final class CpuBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "cpu";
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe() {
        try {
            Loader.load(openblas_nolapack.class);
            return Availability.yes();
        } catch (Throwable t) {
            return Availability.no("OpenBLAS did not load: " + t);
        }
    }

    @Override
    public Backend create() {
        return new CpuBackend(CpuBackend.configuredThreads());
    }
}
