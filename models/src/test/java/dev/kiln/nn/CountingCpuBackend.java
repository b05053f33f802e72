package dev.kiln.nn;

import dev.kiln.engine.Backend;
import dev.kiln.engine.BackendProvider;
import dev.kiln.engine.Scope;
import dev.kiln.engine.Tensor;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * A CPU backend made with {@code -Dkiln.cpu.countOperations=true}, which counts every operation the engine asks of it
 * by name, and what the one-fused-operation tests count on it.
 */
final class CountingCpuBackend {
    private static final String COUNT_OPERATIONS = "kiln.cpu.countOperations";

    private CountingCpuBackend() {
    }

    /** A new counting CPU backend (the caller closes it). */
    static Backend open() {
        BackendProvider cpu = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals("cpu")).findFirst().orElseThrow();
        System.setProperty(COUNT_OPERATIONS, "true");
        try {
            return cpu.create();
        } finally {
            System.clearProperty(COUNT_OPERATIONS);
        }
    }

    /** Each of {@code counting}'s counters' increase while {@code work} runs; absent when it did not increase. */
    static Map<String, Long> increases(Backend counting, Runnable work) {
        Map<String, Long> before = counting.counters();
        work.run();
        Map<String, Long> increase = new TreeMap<>();
        counting.counters().forEach((name, count) -> {
            long delta = count - before.getOrDefault(name, 0L);
            if (delta > 0) {
                increase.put(name, delta);
            }
        });
        return increase;
    }

    /**
     * The operations counted while {@code layer}, its parameters moved to {@code counting}, runs forward and backward
     * on a random input of {@code dims} there; closes the layer.
     */
    static Map<String, Long> forwardAndBackward(Backend counting, Module layer, int... dims) {
        try (layer) {
            // Outside the scope below: the moved parameters live as long as the layer.
            moveParameters(layer, counting);
            try (Scope s = Scope.open()) {
                Tensor x = Tensor.randn(dims).to(counting).requiresGrad(true);
                Tensor gradient = Tensor.randn(dims).to(counting);
                return increases(counting, () -> layer.forward(x).backward(gradient));
            }
        }
    }

    private static void moveParameters(Module m, Backend to) {
        for (String name : m.namedParameters().keySet()) {
            Tensor old = m.removeParameter(name);
            m.registerParameter(name, old.to(to));
            old.close();
        }
    }
}
