package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.engine.Scope;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@link HostBatch#recycle()}: a loader fills the arrays it gets back again instead of allocating new ones. */
class BatchRecyclingTest {
    private static final int[] SHAPE = {2};

    private static void fillWith(float value, float[] features, long[] labels) {
        Arrays.fill(features, value);
        Arrays.fill(labels, (long) value);
    }

    @Test
    void aRecyclingLoopUsesAFewArraysAndSeesEveryBatchAsAFreshOneWould() {
        DataLoader loader = new DataLoader(DataLoaderTest.numbered(100), 10, true, 42);
        Set<float[]> featureArrays = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int epoch = 0; epoch < 3; epoch++) {
            List<Integer> seen = new ArrayList<>();
            for (HostBatch b : loader.epoch(epoch)) {
                featureArrays.add(b.featureData());
                for (int i = 0; i < b.size(); i++) {
                    int index = (int) b.featureData()[2 * i];
                    assertEquals(-index, b.featureData()[2 * i + 1], "example " + index + "'s second feature");
                    assertEquals(index % 7, b.labelData()[i], "example " + index + "'s label");
                    seen.add(index);
                }
                b.recycle();
            }
            int[] expected = loader.order(epoch);
            assertArrayEquals(expected, seen.stream().mapToInt(Integer::intValue).toArray(), "epoch " + epoch);
        }
        // 30 batches; in flight at once: the prefetched ones, the one being filled and the one in use.
        assertTrue(featureArrays.size() <= DataLoader.PREFETCH + 2,
                "30 recycled batches used " + featureArrays.size() + " feature arrays");
    }

    @Test
    void aLoopThatKeepsItsBatchesGetsNewArraysForEach() {
        DataLoader loader = new DataLoader(DataLoaderTest.numbered(100), 10, false, 0);
        Set<float[]> featureArrays = Collections.newSetFromMap(new IdentityHashMap<>());
        List<HostBatch> kept = new ArrayList<>();
        loader.epoch(0).forEach(kept::add);
        kept.forEach(b -> featureArrays.add(b.featureData()));
        assertEquals(10, featureArrays.size());
        for (int k = 0; k < kept.size(); k++) {
            assertEquals(10f * k, kept.get(k).featureData()[0], "batch " + k + " kept its own values");
        }
    }

    @Test
    void aRecycledBatchRefusesItsData() {
        BatchArrays arrays = new BatchArrays(2, 2, 4);
        HostBatch b = arrays.fill(2, SHAPE, (f, l) -> fillWith(1, f, l));
        b.recycle();
        assertEquals(2, b.size());
        IllegalStateException e = assertThrows(IllegalStateException.class, b::featureData);
        assertTrue(e.getMessage().contains("recycled"), e.getMessage());
        assertThrows(IllegalStateException.class, b::labelData);
        try (Scope s = Scope.open()) {
            assertThrows(IllegalStateException.class, b::features);
            assertThrows(IllegalStateException.class, b::labels);
        }
    }

    @Test
    void recyclingTwiceGivesTheArraysBackOnce() {
        BatchArrays arrays = new BatchArrays(2, 2, 4);
        HostBatch b = arrays.fill(2, SHAPE, (f, l) -> fillWith(1, f, l));
        b.recycle();
        b.recycle();
        assertEquals(1, arrays.available());
    }

    @Test
    void aReusedPairIsFilledAnewAndASmallerBatchGetsItsOwn() {
        BatchArrays arrays = new BatchArrays(2, 2, 4);
        HostBatch first = arrays.fill(2, SHAPE, (f, l) -> fillWith(1, f, l));
        float[] firstFeatures = first.featureData();
        first.recycle();
        HostBatch again = arrays.fill(2, SHAPE, (f, l) -> fillWith(2, f, l));
        assertSame(firstFeatures, again.featureData(), "the given-back features are filled again");
        assertArrayEquals(new float[] {2, 2, 2, 2}, again.featureData());
        again.recycle();
        HostBatch last = arrays.fill(1, SHAPE, (f, l) -> fillWith(3, f, l));
        assertEquals(2, last.featureData().length);
        last.recycle();
        assertEquals(1, arrays.available(), "the smaller last batch's arrays are not kept");
    }

    @Test
    void keepsNoMoreThanItsCapacity() {
        BatchArrays arrays = new BatchArrays(2, 2, 2);
        List<HostBatch> batches = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            batches.add(arrays.fill(2, SHAPE, (f, l) -> fillWith(1, f, l)));
        }
        batches.forEach(HostBatch::recycle);
        assertEquals(2, arrays.available());
    }

    @Test
    void aBatchMadeOutsideALoaderCanBeRecycledAndIsThenUsedUp() {
        HostBatch b = new HostBatch(new float[4], new long[2], 2, SHAPE);
        b.recycle();
        assertThrows(IllegalStateException.class, b::featureData);
    }
}
