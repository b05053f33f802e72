package dev.kiln.engine.cpu;

import static dev.kiln.engine.cpu.OneDnnPlan.check;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_create;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_default_flags;
import static org.bytedeco.dnnl.global.dnnl.dnnl_stream_destroy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.bytedeco.dnnl.dnnl_engine;
import org.bytedeco.dnnl.dnnl_stream;
import org.bytedeco.javacpp.FloatPointer;

/**
 * What one of Kiln's threads needs to run oneDNN convolutions on its share of a batch: a stream, and the plans of the
 * slices it has run ({@link OneDnnPlan}s hold one call's memory handles, so each lane keeps its own), kept while they
 * are among the {@value #PLANS_KEPT} used last: creating one generates its kernel's code, milliseconds. A lane is used
 * by one thread at a time, not always the same one.
 */
final class OneDnnLane implements AutoCloseable {
    /**
     * Plans kept: a training step repeats a few dozen (geometry, direction) pairs at most; ResNet-18 has 11
     * convolution geometries, 33 with their directions.
     */
    static final int PLANS_KEPT = 64;

    private final dnnl_engine engine;
    private final dnnl_stream stream;
    private final Map<ConvolutionKey, OneDnnPlan> plans = new LinkedHashMap<>(PLANS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<ConvolutionKey, OneDnnPlan> eldest) {
            if (size() <= PLANS_KEPT) {
                return false;
            }
            if (eldest.getValue() != null) {
                eldest.getValue().close();
            }
            return true;
        }
    };

    OneDnnLane(dnnl_engine engine) {
        this.engine = engine;
        this.stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), () -> "dnnl_stream_create");
    }

    /** The kept plan of {@code key}, else a new one, else null where oneDNN has no primitive for it (kept too). */
    OneDnnPlan plan(ConvolutionKey key) {
        if (plans.containsKey(key)) {
            return plans.get(key);
        }
        OneDnnPlan plan = OneDnnPlans.create(engine, key);
        plans.put(key, plan);
        return plan;
    }

    /**
     * Runs the convolution {@code key}, which oneDNN must have a primitive for, on the memory at {@code handles}, its
     * weights laid out by {@code weights} where not null.
     */
    void execute(ConvolutionKey key, CpuBackend backend, OneDnnWeights.Source weights, FloatPointer... handles) {
        OneDnnPlan plan = plan(key);
        if (plan == null) {
            throw new IllegalStateException("oneDNN has no primitive for the convolution " + key);
        }
        plan.execute(stream, backend, weights, handles);
    }

    /** Closes the plan of {@code key}, if one is kept: for a convolution that OpenBLAS runs faster. */
    void forget(ConvolutionKey key) {
        OneDnnPlan plan = plans.remove(key);
        if (plan != null) {
            plan.close();
        }
    }

    /** How many plans this lane keeps (for tests of forgetting). */
    int plansKept() {
        return plans.size();
    }

    @Override
    public void close() {
        plans.values().stream().filter(Objects::nonNull).forEach(OneDnnPlan::close);
        plans.clear();
        dnnl_stream_destroy(stream);
    }
}
