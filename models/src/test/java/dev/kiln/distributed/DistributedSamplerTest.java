package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.data.HostBatch;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * {@link DistributedSampler}: PyTorch 1.13's split without shuffling (padding or dropping the tail), and with it the
 * same permutation on every rank for a seed and epoch, cut into disjoint shards; and in a {@link DataLoader}.
 */
class DistributedSamplerTest {
    @Test
    void unshuffledIndicesAreTorchsForEverySizeWorldAndRank() throws IOException {
        String text;
        try (InputStream in = getClass().getResourceAsStream("/distributed/distributed_sampler.txt")) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        List<String> lines = text.lines().toList();
        assertEquals(252, lines.size());
        for (String line : lines) {
            String[] halves = line.split(":", -1);
            int[] head = Arrays.stream(halves[0].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            int[] expected = halves[1].isBlank() ? new int[0]
                    : Arrays.stream(halves[1].trim().split(" ")).mapToInt(Integer::parseInt).toArray();
            DistributedSampler s = new DistributedSampler(head[0], head[1], head[2], false, 0, head[3] == 1);
            assertEquals(head[4], s.size(), line);
            assertArrayEquals(expected, s.indices(), line);
        }
    }

    private static int[] atEpoch(DistributedSampler s, int epoch) {
        s.setEpoch(epoch);
        return s.indices();
    }

    @Test
    void shuffledShardsShareOnePermutationAndCoverTheData() {
        int size = 103;
        int world = 4;
        for (int epoch = 0; epoch < 3; epoch++) {
            int[] all = new int[0];
            for (int rank = 0; rank < world; rank++) {
                DistributedSampler s = new DistributedSampler(size, world, rank, true, 5, true);
                s.setEpoch(epoch);
                all = IntStream.concat(IntStream.of(all), IntStream.of(s.indices())).toArray();
                assertArrayEquals(s.indices(), atEpoch(new DistributedSampler(size, world, rank, true, 5, true), epoch),
                        "the same indices for the same seed and epoch");
            }
            assertEquals(100, all.length);
            assertEquals(100, new HashSet<>(Arrays.stream(all).boxed().toList()).size(), "disjoint shards");
        }
        DistributedSampler padded = new DistributedSampler(size, world, 0, true, 5, false);
        Set<Integer> covered = new HashSet<>();
        for (int rank = 0; rank < world; rank++) {
            Arrays.stream(new DistributedSampler(size, world, rank, true, 5, false).indices()).forEach(covered::add);
        }
        assertEquals(size, covered.size(), "every example on some rank");
        assertFalse(Arrays.equals(padded.indices(), atEpoch(new DistributedSampler(size, world, 0, true, 5, false), 1)),
                "a new epoch, a new order");
        assertFalse(Arrays.equals(padded.indices(), new DistributedSampler(size, world, 0, true, 6, false).indices()));
    }

    @Test
    void aLoaderWithTheSamplerVisitsThisRanksShardEachEpoch() {
        float[] features = new float[10];
        long[] labels = new long[10];
        for (int i = 0; i < 10; i++) {
            features[i] = i;
            labels[i] = i;
        }
        ArrayDataset data = new ArrayDataset(features, labels, new int[] {1}, 10);
        for (int epoch = 0; epoch < 2; epoch++) {
            Set<Long> seen = new HashSet<>();
            for (int rank = 0; rank < 2; rank++) {
                DistributedSampler sampler = new DistributedSampler(10, 2, rank, true, 0, false);
                try (DataLoader loader = new DataLoader(data, 4, false, 11).withSampler(sampler)) {
                    assertEquals(2, loader.batchesPerEpoch());
                    for (HostBatch batch : loader.epoch(epoch)) {
                        for (long label : batch.labels().toLongArray()) {
                            assertTrue(seen.add(label), "each example once across the ranks: " + label);
                        }
                    }
                }
            }
            assertEquals(10, seen.size());
        }
    }

    @Test
    void badArgumentsAreRefusedByName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DistributedSampler(10, 2, 2, true, 0, false));
        assertTrue(e.getMessage().contains("rank 2") && e.getMessage().contains("[0, 2)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(0, 2, 0, true, 0, false));
        assertThrows(IllegalArgumentException.class, () -> new DistributedSampler(10, 0, 0, true, 0, false));
    }
}
