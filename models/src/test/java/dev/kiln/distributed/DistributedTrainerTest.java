package dev.kiln.distributed;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.DataLoader;
import dev.kiln.engine.Scope;
import dev.kiln.nn.BatchNorm1d;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.SGD;
import dev.kiln.train.LearningRateFinder;
import dev.kiln.train.Trainer;
import dev.kiln.train.TrainingListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A {@link Trainer} given a {@link DistributedDataParallel} trains through the wrapper (its checks, its buffer
 * broadcasts), and evaluates and checkpoints the wrapped module, as a PyTorch script validates and saves
 * {@code ddp.module}: so rank 0 can validate alone, and the checkpoints load into the bare model. It refuses CUDA
 * graphs, whose replayed step cannot average the gradients on the host.
 */
class DistributedTrainerTest {
    private static DataLoader data(int examples) {
        return data(examples, 8);
    }

    private static DataLoader data(int examples, int batch) {
        float[] features = new float[examples * 4];
        long[] labels = new long[examples];
        for (int i = 0; i < examples; i++) {
            for (int j = 0; j < 4; j++) {
                features[i * 4 + j] = (float) Math.sin(i * 4 + j);
            }
            labels[i] = i % 3;
        }
        return new DataLoader(new ArrayDataset(features, labels, new int[] {4}, 3), batch, false, 1);
    }

    @Test
    void rankZeroEvaluatesAloneAndTheCheckpointHoldsTheModulesKeys(@TempDir Path dir) {
        List<String> keys = LocalRanks.run(2, group -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(
                         new Sequential(new Linear(4, 3), new BatchNorm1d(3)), group);
                 SGD sgd = new SGD(ddp.parameters(), 0.1)) {
                Trainer trainer = new Trainer(ddp, sgd, new CrossEntropyLoss());
                trainer.fit(data(16), null, 1);
                if (group.rank() != 0) {
                    return "";
                }
                trainer.evaluate(data(8));
                Path file = dir.resolve("checkpoint.safetensors");
                trainer.saveCheckpoint(file, 1);
                try (Scope scope = Scope.open()) {
                    return new TreeSet<>(Trainer.readModelState(file).keySet()).toString();
                }
            }
        });
        assertEquals("[0.bias, 0.weight, 1.bias, 1.num_batches_tracked, 1.running_mean, 1.running_var, 1.weight]",
                keys.get(0));
    }

    @Test
    void cudaGraphsAreRefusedNamingBoth() {
        try (ProcessGroup alone = Distributed.initProcessGroup("tcp://127.0.0.1:1", 0, 1, LocalRanks.shortTimeout());
             DistributedDataParallel ddp = new DistributedDataParallel(new Linear(4, 3), alone);
             SGD sgd = new SGD(ddp.parameters(), 0.1)) {
            Trainer trainer = new Trainer(ddp, sgd, new CrossEntropyLoss());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> trainer.cudaGraphs(true));
            assertTrue(e.getMessage().contains("cudaGraphs") && e.getMessage().contains("DistributedDataParallel"),
                    e.getMessage());
            trainer.cudaGraphs(false);
        }
    }

    @Test
    void accumulatedBatchesAreAveragedOncePerStepAndGiveOneProcesssSteps() {
        accumulatedTrainingMatchesOneProcess(128);
    }

    /** 10 batches per rank in groups of 4: the last group's 2 batches step too, their last one averaging. */
    @Test
    void anEpochsLastPartialGroupIsAveragedAndSteps() {
        accumulatedTrainingMatchesOneProcess(160);
    }

    private static void accumulatedTrainingMatchesOneProcess(int examples) {
        int accumulate = 4;
        double[] expected;
        try (Module single = FixedMlp.create(); SGD sgd = new SGD(single.parameters(), 0.1)) {
            new Trainer(single, sgd, new CrossEntropyLoss()).accumulateGradients(accumulate)
                    .fit(data(examples, 16), null, 1);
            expected = FixedMlp.flatWeights(single);
        }
        List<Object[]> ranks = LocalRanks.run(2, group -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(FixedMlp.create(), group, 100e-6, true);
                 SGD sgd = new SGD(ddp.parameters(), 0.1)) {
                DataLoader shard = data(examples, 8).withSampler(
                        new DistributedSampler(examples, 2, group.rank(), false, 0, false));
                new Trainer(ddp, sgd, new CrossEntropyLoss()).accumulateGradients(accumulate).fit(shard, null, 1);
                return new Object[] {FixedMlp.flatWeights(ddp.module()), ddp.allReducesLaunched(), ddp.bucketCount()};
            }
        });
        int steps = (examples / 2 / 8 + accumulate - 1) / accumulate;
        assertEquals(2, (int) ranks.get(0)[2], "buckets");
        assertEquals((long) steps * 2, ranks.get(0)[1], "one all-reduce per bucket per optimizer step");
        assertArrayEquals(expected, (double[]) ranks.get(0)[0], 1e-6);
        assertArrayEquals((double[]) ranks.get(0)[0], (double[]) ranks.get(1)[0], 0.0);
    }

    /**
     * Two ranks of a shuffled DistributedSampler, 8 batches each an epoch, trained to epoch 2: straight, or killed
     * after batch {@code crashAfter} of epoch 2 (both ranks, as a stopped job is), or resumed, every rank from the
     * checkpoint rank 0 alone writes every 3 optimizer steps. Returns each rank's final weights.
     */
    private static List<double[]> ranksTrainingTwoEpochs(Path checkpoints, int crashAfter, boolean resume) {
        int examples = 64;
        return LocalRanks.run(2, group -> {
            try (DistributedDataParallel ddp = new DistributedDataParallel(FixedMlp.create(), group);
                 SGD sgd = new SGD(ddp.parameters(), 0.1);
                 DataLoader shard = data(examples, 4).withSampler(
                         new DistributedSampler(examples, 2, group.rank(), true, 3, false))) {
                Trainer trainer = new Trainer(ddp, sgd, new CrossEntropyLoss());
                if (group.rank() == 0) {
                    trainer.checkpoints(checkpoints, Map.of()).checkpointEverySteps(3);
                }
                trainer.listener(new TrainingListener() {
                    @Override
                    public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                        if (epoch == 2 && batch == crashAfter) {
                            throw new IllegalStateException("killed");
                        }
                    }
                });
                try {
                    if (resume) {
                        trainer.resume(checkpoints.resolve(Trainer.CHECKPOINT));
                    }
                    trainer.fit(shard, null, 2);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                } catch (IllegalStateException killed) {
                    // stopped part-way, as the job was
                }
                return FixedMlp.flatWeights(ddp.module());
            }
        });
    }

    @Test
    void everyRankResumesWithinAnEpochFromRankZerosCheckpointAsTheUninterruptedRanks(@TempDir Path dir)
            throws IOException {
        // Steps 9, 12 and 15 are batches 1, 4 and 7 of epoch 2: the kill after batch 6 resumes after batch 4.
        List<double[]> straight = ranksTrainingTwoEpochs(dir.resolve("straight"), 0, false);
        ranksTrainingTwoEpochs(dir.resolve("killed"), 6, false);
        Map<String, String> written = Trainer.metadata(dir.resolve("killed").resolve(Trainer.CHECKPOINT));
        assertEquals("1", written.get("epoch"));
        assertEquals("4", written.get("epoch_batch"));
        List<double[]> resumed = ranksTrainingTwoEpochs(dir.resolve("killed"), 0, true);
        assertArrayEquals(straight.get(0), resumed.get(0), 0.0, "rank 0");
        assertArrayEquals(straight.get(1), resumed.get(1), 0.0, "rank 1");
    }

    /** Each rank would stop the range test at its own step, its shard's losses its own, and hang the others. */
    @Test
    void theLearningRateFinderIsRefused() {
        try (ProcessGroup alone = Distributed.initProcessGroup("tcp://127.0.0.1:1", 0, 1, LocalRanks.shortTimeout());
             DistributedDataParallel ddp = new DistributedDataParallel(new Linear(4, 3), alone);
             SGD sgd = new SGD(ddp.parameters(), 0.1)) {
            Trainer trainer = new Trainer(ddp, sgd, new CrossEntropyLoss());
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> new LearningRateFinder(trainer));
            assertTrue(e.getMessage().contains("DistributedDataParallel") && e.getMessage().contains("one process"),
                    e.getMessage());
        }
    }
}
