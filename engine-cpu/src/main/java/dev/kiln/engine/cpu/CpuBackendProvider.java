package dev.kiln.engine.cpu;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Offers the CPU backend whenever OpenBLAS's native library loads. */
public final class CpuBackendProvider implements BackendProvider {
    private static final Logger LOG = LoggerFactory.getLogger(CpuBackendProvider.class);
    private static final String COUNT_OPERATIONS = "kiln.cpu.countOperations";

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

    /** The CPU backend; behind {@link OperationCountingBackend} with {@code -Dkiln.cpu.countOperations=true}. */
    @Override
    public Backend create() {
        CpuBackend backend = new CpuBackend(CpuBackend.configuredThreads());
        if (!Boolean.getBoolean(COUNT_OPERATIONS)) {
            return backend;
        }
        LOG.info("CPU backend counts its operations ({}): see Backend.counters()", COUNT_OPERATIONS);
        return OperationCountingBackend.wrap(backend);
    }
}
