package dev.kiln.tests.ops;

import dev.kiln.engine.Backend;
import dev.kiln.engine.cpu.CpuBackendProvider;

/** A CPU backend that counts what the engine asks of it ({@code -Dkiln.cpu.countOperations=true}), for tests. */
final class CountingBackend {
    private CountingBackend() {
    }

    /** A new counting CPU backend; the property is set only while it is made. */
    static Backend open() {
        System.setProperty("kiln.cpu.countOperations", "true");
        try {
            return new CpuBackendProvider().create();
        } finally {
            System.clearProperty("kiln.cpu.countOperations");
        }
    }

    /** The counter {@code name} of {@code backend} (0 when it has counted none). */
    static long count(Backend backend, String name) {
        return backend.counters().getOrDefault(name, 0L);
    }
}
