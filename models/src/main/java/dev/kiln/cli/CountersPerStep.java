package dev.kiln.cli;

import dev.kiln.engine.Backend;
import dev.kiln.train.EpochMetrics;
import dev.kiln.train.TrainingListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Event counters per training step, over the epochs after the first: the backend's ({@link Backend#counters()}:
 * kernel launches, host synchronisations, device allocations) and the process's page faults ({@link PageFaults}).
 * The first epoch pays for kernel compilation, cuDNN's algorithm search and the allocator's warm-up. For
 * {@code kiln bench}.
 */
final class CountersPerStep implements TrainingListener {
    private final Supplier<Map<String, Long>> counters;
    private Map<String, Long> afterFirstEpoch = Map.of();
    private Map<String, Long> latest = Map.of();
    private long steps;

    /** @param counters the running counts, e.g. {@code backend::counters}, by name */
    CountersPerStep(Supplier<Map<String, Long>> counters) {
        this.counters = counters;
    }

    @Override
    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
        if (epoch > 1) {
            steps++;
        }
    }

    @Override
    public void onEpochEnd(EpochMetrics metrics) {
        latest = counters.get();
        if (metrics.epoch() == 1) {
            afterFirstEpoch = latest;
        }
    }

    /** Training steps after the first epoch, over which the counts are given. */
    long steps() {
        return steps;
    }

    /**
     * {@code <counter>_per_step} for each counter, to two decimals; empty when the backend counts nothing or
     * no step ran after the first epoch.
     */
    Map<String, Double> perStep() {
        Map<String, Double> rates = new LinkedHashMap<>();
        if (steps == 0) {
            return rates;
        }
        latest.forEach((name, count) -> {
            long delta = count - afterFirstEpoch.getOrDefault(name, 0L);
            rates.put(name + "_per_step", Math.round(delta * 100.0 / steps) / 100.0);
        });
        return rates;
    }
}
