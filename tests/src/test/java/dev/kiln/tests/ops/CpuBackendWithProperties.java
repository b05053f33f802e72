package dev.kiln.tests.ops;

import dev.kiln.engine.Backend;
import dev.kiln.engine.cpu.CpuBackendProvider;

/** The CPU provider's backend made with some of its opt-in system properties true, set only while it is made. */
final class CpuBackendWithProperties {
    private CpuBackendWithProperties() {
    }

    /** {@code new CpuBackendProvider().create()} with each of {@code names} set to true meanwhile. */
    static Backend create(String... names) {
        for (String name : names) {
            System.setProperty(name, "true");
        }
        try {
            return new CpuBackendProvider().create();
        } finally {
            for (String name : names) {
                System.clearProperty(name);
            }
        }
    }
}
