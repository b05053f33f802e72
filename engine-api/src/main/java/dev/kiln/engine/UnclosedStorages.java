package dev.kiln.engine;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tensors dropped without being closed, neither by hand nor by a {@link Scope}: the garbage collector's cleaner then
 * releases their memory at a time of its own, which shows as memory that grows until a collection and as device
 * memory held long after use. Counted always; with tracing on ({@link Scope#traceUnclosed}, or
 * {@code -Dkiln.traceUnclosed=true} from the start) every such release is logged with the stack of the tensor's
 * allocation, as Netty's leak detector names where a buffer was made. Tracing takes a stack trace per allocation, a
 * cost only for finding a leak.
 */
final class UnclosedStorages {
    static final String PROPERTY = "kiln.traceUnclosed";
    private static final Logger LOG = LoggerFactory.getLogger(UnclosedStorages.class);
    private static final AtomicLong RELEASED = new AtomicLong();
    private static volatile boolean tracing = Boolean.getBoolean(PROPERTY);

    private UnclosedStorages() {
    }

    static void trace(boolean on) {
        tracing = on;
    }

    /** Where a storage made now was allocated, when tracing; else null, at no cost. */
    static AllocationSite siteOfNewStorage() {
        return tracing ? new AllocationSite() : null;
    }

    static long released() {
        return RELEASED.get();
    }

    /** Called as the cleaner releases {@code storage}, which nobody closed; {@code site} is null unless traced. */
    static void releasedByCollector(Storage storage, AllocationSite site) {
        RELEASED.incrementAndGet();
        if (site != null) {
            LOG.warn(message(storage), site);
        }
    }

    static String message(Storage storage) {
        return "a tensor of " + storage.capacity() + " " + storage.dtype() + " values on " + storage.backend().name()
                + " was never closed (no Scope owned it and close() was not called): the garbage collector released"
                + " it; its allocation is below";
    }

    /** The stack of an allocation, printed as an exception's is, never thrown. */
    static final class AllocationSite extends Throwable {
        AllocationSite() {
            super("allocated here");
        }
    }
}
