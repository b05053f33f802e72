package dev.kiln.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@link SequentialSampler}: index order, whatever the seed. */
class SequentialSamplerTest {
    @Test
    void drawsEveryIndexInOrderForAnySeed() {
        SequentialSampler sampler = new SequentialSampler(5);
        assertEquals(5, sampler.size());
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, sampler.indices(0));
        assertArrayEquals(new int[] {0, 1, 2, 3, 4}, sampler.indices(-123456789L));
    }

    @Test
    void takesItsSizeFromTheDataSet() {
        assertEquals(23, new SequentialSampler(DataLoaderTest.numbered(23)).size());
    }

    @Test
    void aLoaderWithItVisitsWhatALoaderWithoutShuffleVisits() {
        ArrayDataset data = DataLoaderTest.numbered(25);
        DataLoader sampled = new DataLoader(data, 4, false, 7).withSampler(new SequentialSampler(data));
        assertArrayEquals(new DataLoader(data, 4, false, 7).order(3), sampled.order(3));
        List<Long> labels = new ArrayList<>();
        sampled.epoch(3).forEach(b -> {
            for (long label : b.labelData()) {
                labels.add(label);
            }
        });
        assertEquals(25, labels.size());
        assertEquals(24 % 7, labels.get(24));
    }

    @Test
    void anEmptyDataSetDrawsNothing() {
        assertArrayEquals(new int[0], new SequentialSampler(0).indices(1));
    }

    @Test
    void refusesANegativeSize() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new SequentialSampler(-1));
        assertEquals("SequentialSampler: size must be at least 0, got -1", e.getMessage());
    }
}
