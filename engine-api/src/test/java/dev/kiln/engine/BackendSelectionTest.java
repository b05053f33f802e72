package dev.kiln.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Proxy;
import java.util.List;
import org.junit.jupiter.api.Test;

class BackendSelectionTest {

    /** A provider whose backend is a stub that only knows its name. */
    private static BackendProvider provider(String name, int priority, BackendProvider.Availability availability) {
        return new BackendProvider() {
            public String name() {
                return name;
            }

            public int priority() {
                return priority;
            }

            public Availability probe() {
                return availability;
            }

            public Backend create() {
                return (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                        (proxy, method, args) -> method.getName().equals("name") ? name : null);
            }
        };
    }

    private final BackendProvider cpu = provider("cpu", 0, BackendProvider.Availability.yes());
    private final BackendProvider cuda = provider("cuda", 10, BackendProvider.Availability.no("no libcuda.so.1"));

    @Test
    void automaticChoiceSkipsUnavailableProviders() {
        assertEquals("cpu", Engine.selectBackend(null, List.of(cpu, cuda)).name());
    }

    @Test
    void automaticChoicePrefersHigherPriority() {
        BackendProvider gpu = provider("cuda", 10, BackendProvider.Availability.yes());
        assertEquals("cuda", Engine.selectBackend(null, List.of(cpu, gpu)).name());
    }

    @Test
    void requestedUnavailableBackendFailsWithItsReason() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engine.selectBackend("cuda", List.of(cpu, cuda)));
        assertTrue(e.getMessage().contains("'cuda' was requested but cannot run: no libcuda.so.1"), e.getMessage());
    }

    @Test
    void requestedMissingBackendListsWhatWasFound() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engine.selectBackend("tpu", List.of(cpu, cuda)));
        assertTrue(e.getMessage().contains("'tpu'") && e.getMessage().contains("[cuda, cpu]"), e.getMessage());
    }

    @Test
    void noProviderAtAllSaysWhichModuleToAdd() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Engine.selectBackend(null, List.of()));
        assertTrue(e.getMessage().contains("engine-cpu"), e.getMessage());
    }
}
