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
    private static final String SKIP_ARITHMETIC = "kiln.cpu.skipArithmetic";

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

    /**
     * The CPU backend; behind {@link OperationCountingBackend} with {@code -Dkiln.cpu.countOperations=true}, behind
     * {@link ArithmeticSkippingBackend} with {@code -Dkiln.cpu.skipArithmetic=true} (not both).
     */
    @Override
    public Backend create() {
        CpuBackend backend = new CpuBackend(CpuBackend.configuredThreads());
        boolean count = Boolean.getBoolean(COUNT_OPERATIONS);
        boolean skip = Boolean.getBoolean(SKIP_ARITHMETIC);
        if (count && skip) {
            backend.close();
            throw new IllegalArgumentException("-D" + COUNT_OPERATIONS + " and -D" + SKIP_ARITHMETIC
                    + " are both set: choose one");
        }
        if (count) {
            LOG.info("CPU backend counts its operations ({}): see Backend.counters()", COUNT_OPERATIONS);
            return OperationCountingBackend.wrap(backend);
        }
        if (skip) {
            LOG.warn("CPU backend skips all arithmetic ({}): results are meaningless, timings show the host's share",
                    SKIP_ARITHMETIC);
            return ArithmeticSkippingBackend.wrap(backend);
        }
        return backend;
    }
}
