package dev.kiln.tests.memory;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.data.DataLoader;
import dev.kiln.engine.Backend;
import dev.kiln.engine.Engine;
import dev.kiln.engine.Tensor;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Adam;
import dev.kiln.optim.Optimizer;
import dev.kiln.train.Trainer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * On a backend that counts its events (CUDA), a warm training step allocates no device memory from the driver
 * and waits for the device once: when the loss is read. The {@link Trainer} waits for the whole stream only once
 * an epoch, to read its accuracy: it reads each step's loss with {@link Tensor#itemAsync} after queuing the next
 * step, waiting for that loss alone.
 * The CPU backend keeps no device counters, so this skips there.
 */
class StepCountersTest {
    private static final int STEPS = 200;

    @Test
    void aWarmTrainingStepMallocsNothingAndSynchronisesOnlyToReadTheLoss() {
        Backend backend = countingBackend();
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

    @Test
    void aTrainerEpochSynchronisesOnlyOnceForItsAccuracyAndReadsEachLossWithoutWaitingForTheStreams() {
        Backend backend = countingBackend();
        Engine.seed(12);
        int steps = 20;
        int batch = 128;
        DataLoader data = UniformData.loader(12, steps * batch, new int[] {784}, 10, batch);
        try (Sequential model = new Sequential(new Linear(784, 256), new ReLU(), new Linear(256, 10));
             Optimizer adam = new Adam(model.trainableParameters(), 1e-3)) {
            Trainer trainer = new Trainer(model, adam, new CrossEntropyLoss());
            trainer.fit(data, null, 1);
            Map<String, Long> before = backend.counters();
            trainer.fit(data, null, 2);
            Map<String, Long> after = backend.counters();
            long synchronisations = after.get("host_synchronisations") - before.get("host_synchronisations");
            long lossWaits = after.get("async_read_waits") - before.get("async_read_waits");
            System.out.printf("a %d-step Trainer epoch on %s: %d host synchronisations, %d loss reads that waited for"
                    + " their step, %d kernel launches%n", steps, backend.deviceName(), synchronisations, lossWaits,
                    after.get("kernel_launches") - before.get("kernel_launches"));
            assertEquals(1, synchronisations, "host synchronisations in an epoch of " + steps + " steps");
            assertTrue(lossWaits <= steps, lossWaits + " waits for " + steps + " step losses");
            assertEquals(before.get("device_mallocs"), after.get("device_mallocs"), "cudaMalloc calls after warm-up");
        }
    }

    /**
     * The engine's backend, or the test is skipped where it keeps no device counters: the CPU counts none, or only its
     * operations when asked to ({@code kiln.cpu.countOperations}, as the operations-per-step run of this module does).
     */
    private static Backend countingBackend() {
        Backend backend = Engine.get().backend();
        assumeTrue(backend.counters().containsKey("device_mallocs"), "backend " + backend.name() + " keeps no device"
                + " event counters (the CUDA backend does); nothing to check here");
        return backend;
    }

    private static double perStep(Map<String, Long> before, Map<String, Long> after, String counter) {
        return (after.get(counter) - before.get(counter)) / (double) STEPS;
    }
}
