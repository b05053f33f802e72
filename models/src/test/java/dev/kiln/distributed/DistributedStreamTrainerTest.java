package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.data.Example;
import dev.kiln.data.ExampleStream;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.data.IterableDataset;
import dev.kiln.data.WorkerInfo;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Module;
import dev.kiln.optim.SGD;
import dev.kiln.train.Trainer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * A {@link Trainer} that accumulates gradients over a stream ({@link IterableDataLoader}) on each rank of a
 * {@link DistributedDataParallel}: a rank learns that a batch closes the epoch's last group only when its stream ends,
 * and must learn it before that batch's backward pass, which then averages the gradients instead of keeping them local.
 */
class DistributedStreamTrainerTest {
    /** Example {@code i}: features sin(4i), ..., sin(4i + 3), class i % 3. */
    private static Example example(int i) {
        float[] features = new float[4];
        for (int j = 0; j < 4; j++) {
            features[j] = (float) Math.sin(i * 4 + j);
        }
        return new Example(features, i % 3);
    }

    /** Examples {@code first, first + step, ...} below {@code examples}, in that order, as a stream. */
    private static IterableDataset stream(int examples, int first, int step) {
        return new IterableDataset() {
            @Override
            public int[] featureShape() {
                return new int[] {4};
            }

            @Override
            public int classes() {
                return 3;
            }

            @Override
            public ExampleStream open(WorkerInfo worker) {
                return ExampleStream.of(IntStream.iterate(first, i -> i < examples, i -> i + step)
                        .mapToObj(DistributedStreamTrainerTest::example).iterator());
            }
        };
    }

    /**
     * 160 examples, each rank streaming every second one (DistributedSampler's share without shuffling) in batches of
     * 8: 10 batches per rank in groups of 4, the last group's 2 batches averaged and stepped as well; one process on
     * batches of 16 of the stream (each holding both ranks' batches) steps alike.
     */
    @Test
    void aStreamsLastPartialGroupIsAveragedAndStepsOnEveryRank() {
        int examples = 160;
        int accumulate = 4;
        double[] expected;
        try (Module single = FixedMlp.create(); SGD sgd = new SGD(single.parameters(), 0.1);
             IterableDataLoader all = new IterableDataLoader(stream(examples, 0, 1), 16, 1)) {
            new Trainer(single, sgd, new CrossEntropyLoss()).accumulateGradients(accumulate).fit(all, null, 1);
            expected = FixedMlp.flatWeights(single);
        }
        List<Object[]> ranks = LocalRanks.run(2, group -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(FixedMlp.create(), group, 100e-6, true);
                 SGD sgd = new SGD(ddp.parameters(), 0.1);
                 IterableDataLoader share = new IterableDataLoader(stream(examples, group.rank(), 2), 8, 1)) {
                new Trainer(ddp, sgd, new CrossEntropyLoss()).accumulateGradients(accumulate).fit(share, null, 1);
                return new Object[] {FixedMlp.flatWeights(ddp.module()), ddp.allReducesLaunched(), ddp.bucketCount()};
            }
        });
        assertEquals(2, (int) ranks.get(0)[2], "buckets");
        assertEquals(3L * 2, ranks.get(0)[1], "one all-reduce per bucket per optimizer step: groups of 4, 4 and 2");
        assertArrayEquals(expected, (double[]) ranks.get(0)[0], 1e-6);
        assertArrayEquals((double[]) ranks.get(0)[0], (double[]) ranks.get(1)[0], 0.0);
    }
}
