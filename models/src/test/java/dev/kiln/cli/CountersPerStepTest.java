package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.train.EpochMetrics;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CountersPerStepTest {
    private final Map<String, Long> counts = new LinkedHashMap<>();

    private static EpochMetrics epoch(int epoch) {
        return new EpochMetrics(epoch, 0, 0, Double.NaN, Double.NaN, Double.NaN, 0, 1, 1, 0);
    }

    /** Runs {@code epochs} epochs of {@code steps} steps, adding {@code launchesPerStep} launches a step (and 500 more in epoch 1). */
    private void train(CountersPerStep listener, int epochs, int steps, long launchesPerStep) {
        for (int e = 1; e <= epochs; e++) {
            for (int b = 0; b < steps; b++) {
                counts.merge("kernel_launches", launchesPerStep + (e == 1 && b == 0 ? 500 : 0), Long::sum);
                counts.merge("device_mallocs", e == 1 ? 3L : 0L, Long::sum);
                listener.onBatchEnd(e, b, steps, 0.1);
            }
            listener.onEpochEnd(epoch(e));
        }
    }

    @Test
    void ratesCountOnlyTheStepsAfterTheFirstEpoch() {
        CountersPerStep listener = new CountersPerStep(() -> Map.copyOf(counts));
        train(listener, 3, 40, 7);
        assertEquals(Map.of("kernel_launches_per_step", 7.0, "device_mallocs_per_step", 0.0), listener.perStep());
    }

    @Test
    void aBackendThatCountsNothingGivesNoRates() {
        CountersPerStep listener = new CountersPerStep(Map::of);
        train(listener, 2, 5, 7);
        assertTrue(listener.perStep().isEmpty());
    }

    @Test
    void oneEpochGivesNoRates() {
        CountersPerStep listener = new CountersPerStep(() -> Map.copyOf(counts));
        train(listener, 1, 5, 7);
        assertTrue(listener.perStep().isEmpty());
    }
}
