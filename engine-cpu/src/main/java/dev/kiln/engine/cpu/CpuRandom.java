package dev.kiln.engine.cpu;

import dev.kiln.engine.CounterRandom;
import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/** Random fills from the engine's counter-based stream: element i draws counter + i. */
final class CpuRandom {
    private final Parallel parallel;

    CpuRandom(Parallel parallel) {
        this.parallel = parallel;
    }

    void uniform(Tensor out, double low, double high, long seed, long counter) {
        Data od = Data.of(out);
        double width = high - low;
        boolean f32 = out.dtype() == DType.F32;
        parallel.forRange(Math.toIntExact(out.size()), 8, (s, e) -> {
            for (int i = s; i < e; i++) {
                double v = low + width * CounterRandom.uniform(seed, counter + i);
                // Rounding (to float, or in low + width * u) must not reach the excluded upper bound.
                if (width > 0 && (f32 ? (float) v >= high : v >= high)) {
                    v = f32 ? Math.nextDown((float) high) : Math.nextDown(high);
                }
                od.set(i, v);
            }
        });
    }

    void normal(Tensor out, double mean, double std, long seed, long counter) {
        Data od = Data.of(out);
        parallel.forRange(Math.toIntExact(out.size()), 16, (s, e) -> {
            for (int i = s; i < e; i++) {
                od.set(i, mean + std * CounterRandom.normal(seed, counter + i));
            }
        });
    }

    void bernoulli(Tensor out, double p, long seed, long counter) {
        Data od = Data.of(out);
        parallel.forRange(Math.toIntExact(out.size()), 8, (s, e) -> {
            for (int i = s; i < e; i++) {
                od.set(i, CounterRandom.uniform(seed, counter + i) < p ? 1 : 0);
            }
        });
    }
}
