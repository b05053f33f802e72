package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * A {@link DataLoader} iterated itself, as PyTorch's {@code for X, y in dataloader}: each pass is the next epoch,
 * re-shuffled as PyTorch's DataLoader re-shuffles on each {@code iter}, while {@code epoch(e)} repeats its order;
 * a pass left by {@code break} leaves no thread behind once the next starts.
 */
class DataLoaderIterationTest {
    private static final int SIZE = 20;

    /** Example i has label i, so a pass's labels are its order. */
    private static DataLoader shuffled() {
        Dataset data = Dataset.of(SIZE, new int[] {1}, SIZE, i -> new Example(new float[] {i}, i));
        return new DataLoader(data, 4, true, 7);
    }

    private static List<Long> labels(Iterable<HostBatch> batches) {
        List<Long> order = new ArrayList<>();
        for (HostBatch b : batches) {
            for (long label : b.labelData()) {
                order.add(label);
            }
        }
        return order;
    }

    @Test
    void eachPassOverTheLoaderIsTheNextEpoch() {
        try (DataLoader loader = shuffled()) {
            List<Long> first = labels(loader);
            List<Long> second = labels(loader);
            assertEquals(labels(loader.epoch(0)), first);
            assertEquals(labels(loader.epoch(1)), second);
            assertNotEquals(first, second, "a second pass re-shuffles");
        }
    }

    @Test
    void theSameEpochNumberRepeatsItsOrder() {
        try (DataLoader loader = shuffled()) {
            assertEquals(labels(loader.epoch(0)), labels(loader.epoch(0)));
        }
    }

    @Test
    void aPassLeftByBreakStopsItsThreadsWhenTheNextStarts() throws Exception {
        Set<Thread> before = loaderThreads();
        try (DataLoader loader = shuffled().withPrefetch(1)) {
            for (HostBatch b : loader) {
                assertEquals(4, b.size());
                break;
            }
            assertEquals(SIZE, labels(loader).size(), "the next pass is whole");
            long deadline = System.nanoTime() + 5_000_000_000L;
            Set<Thread> started = loaderThreads();
            started.removeAll(before);
            while (started.stream().anyMatch(Thread::isAlive) && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            assertTrue(started.stream().noneMatch(Thread::isAlive), "loader threads still alive: " + started);
        }
    }

    /** The loader threads alive now (other tests' may linger until collected). */
    private static Set<Thread> loaderThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith(DataLoader.THREAD_NAME))
                .collect(Collectors.toCollection(HashSet::new));
    }
}
