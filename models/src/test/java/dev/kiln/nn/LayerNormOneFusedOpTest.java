package dev.kiln.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * LayerNorm normalises and applies its per-feature affine in the backend's one fused layer-norm operation each way,
 * with no other operation (no means, element-wise ops or reductions of its own): counted on a CPU backend made with
 * {@code -Dkiln.cpu.countOperations=true}, which counts every operation the engine asks of it by name.
 */
class LayerNormOneFusedOpTest {
    private static final String COUNT_OPERATIONS = "kiln.cpu.countOperations";
    private static Backend counting;

    @BeforeAll
    static void openCountingBackend() {
        BackendProvider cpu = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cpu")).findFirst().orElseThrow();
        System.setProperty(COUNT_OPERATIONS, "true");
        try {
            counting = cpu.create();
        } finally {
            System.clearProperty(COUNT_OPERATIONS);
        }
    }

    @AfterAll
    static void closeCountingBackend() {
        counting.close();
    }

    @Test
    void layerNormIsOneFusedOperationEachWay() {
        assertOneLayerNormEachWay(forwardAndBackward(new LayerNorm(8), 2, 3, 8));
    }

    @Test
    void layerNormWithoutAffineIsOneFusedOperationEachWay() {
        assertOneLayerNormEachWay(forwardAndBackward(new LayerNorm(8, 1e-5, false), 4, 8));
    }

    private static void assertOneLayerNormEachWay(Map<String, Long> counts) {
        assertEquals(1, counts.get("operation.layerNorm"), counts.toString());
        assertEquals(1, counts.get("operation.layerNormBackward"), counts.toString());
        assertEquals(2, counts.get("backend_operations"), counts.toString());
    }

    /**
     * The operations counted while {@code layer}, its parameters moved to the counting backend, runs forward and
     * backward on a random input of {@code dims} there: each counter's increase, absent when it did not increase.
     */
    private static Map<String, Long> forwardAndBackward(Module layer, int... dims) {
        try (layer) {
            moveParameters(layer);
            return countedForwardAndBackward(layer, dims);
        }
    }

    private static Map<String, Long> countedForwardAndBackward(Module layer, int... dims) {
        try (Scope s = Scope.open()) {
            Tensor x = Tensor.randn(dims).to(counting).requiresGrad(true);
            Tensor gradient = Tensor.randn(dims).to(counting);
            Map<String, Long> before = counting.counters();
            layer.forward(x).backward(gradient);
            Map<String, Long> increase = new TreeMap<>();
            counting.counters().forEach((name, count) -> {
                long delta = count - before.getOrDefault(name, 0L);
                if (delta > 0) {
                    increase.put(name, delta);
                }
            });
            return increase;
        }
    }

    private static void moveParameters(Module m) {
        for (String name : m.namedParameters().keySet()) {
            Tensor old = m.removeParameter(name);
            m.registerParameter(name, old.to(counting));
            old.close();
        }
    }
}
