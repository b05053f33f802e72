package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On a backend that counts its events (CUDA), a warm training step allocates no device memory from the driver
 * and waits for the device once: when the loss is read. The CPU backend counts nothing, so this skips there.
 */
class StepCountersTest {
    private static final int STEPS = 200;

    @Test
    void aWarmTrainingStepMallocsNothingAndSynchronisesOnlyToReadTheLoss() {
        Backend backend = Engine.get().backend();
        assumeFalse(backend.counters().isEmpty(),
                "backend " + backend.name() + " keeps no event counters (the CUDA backend does); nothing to check here");
        Engine.seed(11);
        TwoLayerSgdNet net = new TwoLayerSgdNet(784, 256, 10, 0.05);
        Tensor x = Tensor.rand(128, 784);
        Tensor y = Tensor.fromArray(new long[128], 128);
        for (int i = 0; i < 50; i++) {
            net.step(x, y);
        }
        Map<String, Long> before = backend.counters();
        for (int i = 0; i < STEPS; i++) {
            net.step(x, y);
        }
        Map<String, Long> after = backend.counters();
        System.out.printf("per warm step on %s: %.1f kernel launches, %.2f host synchronisations, %.2f cudaMalloc calls%n",
                backend.deviceName(), perStep(before, after, "kernel_launches"),
                perStep(before, after, "host_synchronisations"), perStep(before, after, "device_mallocs"));

        assertEquals(before.get("device_mallocs"), after.get("device_mallocs"), "cudaMalloc calls after warm-up");
        assertEquals(1.0, perStep(before, after, "host_synchronisations"), "host synchronisations per step");
        assertEquals(before.get("staging_waits"), after.get("staging_waits"), "uploads waiting for a staging buffer");
    }

    private static double perStep(Map<String, Long> before, Map<String, Long> after, String counter) {
        return (after.get(counter) - before.get(counter)) / (double) STEPS;
    }
}
