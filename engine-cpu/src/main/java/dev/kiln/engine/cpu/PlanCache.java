package dev.kiln.engine.cpu;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntFunction;

/**
 * The FFT plans of the last few lengths, least recently used dropped first: a training loop over one shape builds its
 * tables once. A plan is built outside the map's lock, as one plan may build another (Bluestein's its inner FFT),
 * which a computeIfAbsent would refuse as a change of the map during its own computation; two threads may then build
 * one plan twice, and the first kept wins.
 */
final class PlanCache<P> {
    private final Map<Integer, P> plans;
    private final IntFunction<P> build;

    PlanCache(int capacity, IntFunction<P> build) {
        this.build = build;
        this.plans = Collections.synchronizedMap(new LinkedHashMap<>(2 * capacity, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Integer, P> eldest) {
                return size() > capacity;
            }
        });
    }

    /** The plan for n points. */
    P of(int n) {
        P kept = plans.get(n);
        if (kept != null) {
            return kept;
        }
        P built = build.apply(n);
        P raced = plans.putIfAbsent(n, built);
        return raced != null ? raced : built;
    }
}
