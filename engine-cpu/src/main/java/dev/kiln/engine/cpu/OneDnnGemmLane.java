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

/**
 * What one block of a {@link OneDnnGemm} product runs with: a stream, and the plans of the blocks this lane has run,
 * kept while they are among the {@value #PLANS_KEPT} used last (creating one generates its kernel's code, a
 * millisecond or more). A lane is used by one thread at a time, not always the same one.
 */
final class OneDnnGemmLane implements AutoCloseable {
    /**
     * Plans kept: a training step of a few dense layers has three products per layer, and a last, partial batch
     * three more each.
     */
    static final int PLANS_KEPT = 32;

    private final dnnl_engine engine;
    private final dnnl_stream stream;
    private final Map<OneDnnGemmPlan.Key, OneDnnGemmPlan> plans = new LinkedHashMap<>(PLANS_KEPT, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<OneDnnGemmPlan.Key, OneDnnGemmPlan> eldest) {
            if (size() <= PLANS_KEPT) {
                return false;
            }
            if (eldest.getValue() != null) {
                eldest.getValue().close();
            }
            return true;
        }
    };

    OneDnnGemmLane(dnnl_engine engine) {
        this.engine = engine;
        this.stream = new dnnl_stream();
        check(dnnl_stream_create(stream, engine, dnnl_stream_default_flags), () -> "dnnl_stream_create");
    }

    /** The kept plan of {@code key}, else a new one, else null where oneDNN has no fast primitive for it (kept too). */
    OneDnnGemmPlan plan(OneDnnGemmPlan.Key key) {
        if (plans.containsKey(key)) {
            return plans.get(key);
        }
        OneDnnGemmPlan plan = OneDnnGemmPlan.create(engine, key);
        plans.put(key, plan);
        return plan;
    }

    dnnl_stream stream() {
        return stream;
    }

    @Override
    public void close() {
        plans.values().stream().filter(Objects::nonNull).forEach(OneDnnGemmPlan::close);
        plans.clear();
        dnnl_stream_destroy(stream);
    }
}
