package dev.kiln.tests.ops;

import dev.kiln.engine.Backend;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * A test class with a CPU backend that counts what the engine asks of it ({@code -Dkiln.cpu.countOperations=true},
 * set only while it is made), open for the class's tests and closed after them.
 */
abstract class CountingBackendTest {
    static Backend counting;

    @BeforeAll
    static void openCountingBackend() {
        counting = CpuBackendWithProperties.create("kiln.cpu.countOperations");
    }

    @AfterAll
    static void closeCountingBackend() {
        counting.close();
    }

    /** The counter {@code name} (0 when the backend has counted none). */
    static long count(String name) {
        return counting.counters().getOrDefault(name, 0L);
    }
}
