package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The policies' cache of magnitude bins per image size, for data sets of images of mixed sizes. */
class SizeSpacesTest {
    /** A builder of RandAugment's spaces that counts its builds per [height, width]. */
    private static final class CountingBuilder implements SizeSpaces.Builder {
        final Map<List<Integer>, AtomicInteger> builds = new ConcurrentHashMap<>();

        @Override
        public AugmentSpace build(int height, int width) {
            builds.computeIfAbsent(List.of(height, width), k -> new AtomicInteger()).incrementAndGet();
            return AugmentSpace.randAugment(31, height, width);
        }

        int builds(int height, int width) {
            AtomicInteger count = builds.get(List.of(height, width));
            return count == null ? 0 : count.get();
        }
    }

    @Test
    void alternatingSizesAreEachBuiltOnce() {
        CountingBuilder builder = new CountingBuilder();
        SizeSpaces spaces = new SizeSpaces(builder);
        int[][] sizes = {{28, 28}, {32, 32}, {40, 12}};
        AugmentSpace[] first = new AugmentSpace[sizes.length];
        for (int round = 0; round < 50; round++) {
            for (int s = 0; s < sizes.length; s++) {
                AugmentSpace space = spaces.get(sizes[s][0], sizes[s][1]);
                if (round == 0) {
                    first[s] = space;
                }
                assertSame(first[s], space, "size " + sizes[s][0] + " x " + sizes[s][1] + " round " + round);
            }
        }
        for (int[] size : sizes) {
            assertEquals(1, builder.builds(size[0], size[1]), size[0] + " x " + size[1]);
        }
    }

    /** Sizes beyond the capacity drop the oldest added: the cache stays small whatever the data set. */
    @Test
    void holdsTheEightNewestSizes() {
        CountingBuilder builder = new CountingBuilder();
        SizeSpaces spaces = new SizeSpaces(builder);
        assertEquals(8, SizeSpaces.CAPACITY);
        for (int s = 1; s <= 9; s++) {
            spaces.get(s, s);
        }
        spaces.get(1, 1);
        assertEquals(2, builder.builds(1, 1), "the oldest, dropped by the ninth size, is built again");
        for (int s = 3; s <= 9; s++) {
            spaces.get(s, s);
            assertEquals(1, builder.builds(s, s), s + " x " + s + " is still held");
        }
        spaces.get(2, 2);
        assertEquals(2, builder.builds(2, 2), "dropped when 1 x 1 came back");
    }

    /**
     * Threads sharing one cache (DataLoader workers) each get the space of their size, and no size is built more
     * often than there are threads.
     */
    @Test
    void threadsSharingOneCacheGetTheirSizesSpaces() throws Exception {
        CountingBuilder builder = new CountingBuilder();
        SizeSpaces spaces = new SizeSpaces(builder);
        int[][] sizes = {{28, 28}, {32, 32}, {40, 12}, {12, 40}, {224, 224}};
        int threads = 4;
        List<Callable<Void>> tasks = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            int shift = t;
            tasks.add(() -> {
                for (int i = 0; i < 2000; i++) {
                    int[] size = sizes[(i + shift) % sizes.length];
                    double[] bins = spaces.get(size[0], size[1]).bins(AugmentOp.TRANSLATE_X);
                    assertArrayEquals(AugmentSpace.randAugment(31, size[0], size[1]).bins(AugmentOp.TRANSLATE_X),
                            bins, size[0] + " x " + size[1]);
                }
                return null;
            });
        }
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (Future<Void> result : pool.invokeAll(tasks)) {
                result.get();
            }
        } finally {
            pool.shutdown();
        }
        for (int[] size : sizes) {
            int built = builder.builds(size[0], size[1]);
            assertTrue(built >= 1 && built <= threads, size[0] + " x " + size[1] + " built " + built + " times");
        }
    }
}
