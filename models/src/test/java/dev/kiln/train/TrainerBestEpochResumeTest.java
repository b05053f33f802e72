package dev.kiln.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.data.ArrayDataset;
import dev.kiln.data.CsvDataset;
import dev.kiln.data.CsvOptions;
import dev.kiln.data.DataLoader;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.engine.Engine;
import dev.kiln.nn.CrossEntropyLoss;
import dev.kiln.nn.Dropout;
import dev.kiln.nn.Linear;
import dev.kiln.nn.Module;
import dev.kiln.nn.ReLU;
import dev.kiln.nn.Sequential;
import dev.kiln.optim.Optimizer;
import dev.kiln.optim.SGD;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Early stopping across a resume: the best epoch's weights, which a run restores at its end, must survive a kill at
 * any point of an epoch's writes, and a run that had already stopped must not train on when resumed. An improvement
 * must beat the best by more than a huge {@code minDelta}, so that epoch 1 (beating infinity) is the only one.
 */
class TrainerBestEpochResumeTest {
    private static final ArrayDataset DATA = data();

    private static ArrayDataset data() {
        Random random = new Random(3);
        float[] x = new float[40 * 6];
        long[] y = new long[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        for (int i = 0; i < y.length; i++) {
            y[i] = random.nextInt(3);
        }
        return new ArrayDataset(x, y, new int[] {6}, 3);
    }

    /** The run's epochs, its final weights and the epoch whose weights it restored. */
    private record Outcome(List<Integer> epochs, Map<String, String> weights, int bestEpoch) {
    }

    /**
     * Trains up to {@code lastEpoch} with early stopping after {@code patience} epochs without improvement, writing
     * checkpoints into {@code dir}, from its checkpoint when {@code resume} (a model built from another seed).
     */
    private static Outcome run(Path dir, int lastEpoch, int patience, boolean resume) throws IOException {
        Engine.seed(resume ? 99 : 5);
        try (Module model = new Sequential(new Linear(6, 8), new ReLU(), new Dropout(0.2), new Linear(8, 3));
             Optimizer sgd = new SGD(model.trainableParameters(), 0.1, 0.9, false, 0)) {
            Trainer t = new Trainer(model, sgd, new CrossEntropyLoss()).earlyStopping(patience)
                    .earlyStoppingMinDelta(1e9).checkpoints(dir, Map.of());
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            List<Integer> epochs = new ArrayList<>();
            t.fit(new DataLoader(DATA, 8, true, 1), null, lastEpoch).forEach(m -> epochs.add(m.epoch()));
            Map<String, String> weights = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> weights.put(k, Arrays.toString(v.toFloatArray())));
            return new Outcome(epochs, weights, t.bestEpoch());
        }
    }

    @Test
    void aRunThatHadStoppedEarlyTrainsNoFurtherEpochWhenResumed(@TempDir Path straight, @TempDir Path parts)
            throws IOException {
        Outcome uninterrupted = run(straight, 6, 2, false);
        assertEquals(List.of(1, 2, 3), uninterrupted.epochs(), "two epochs without improvement after the first");
        run(parts, 3, 2, false);
        Outcome resumed = run(parts, 6, 2, true);
        assertEquals(List.of(), resumed.epochs(), "the run had stopped after epoch 3");
        assertEquals(uninterrupted.weights(), resumed.weights(), "the best epoch's weights, restored");
        assertEquals(1, resumed.bestEpoch());
    }

    @Test
    void aRunThatHadStoppedEarlyResumedWithALargerPatienceTrainsOnAsARunOfThatPatience(@TempDir Path straight,
                                                                                      @TempDir Path parts)
            throws IOException {
        // The resumed trainer's patience counts, not the checkpoint's (Lightning's EarlyStopping takes the saved one).
        Outcome uninterrupted = run(straight, 8, 4, false);
        assertEquals(List.of(1, 2, 3, 4, 5), uninterrupted.epochs(), "four epochs without improvement after the first");
        run(parts, 6, 2, false);
        Outcome resumed = run(parts, 8, 4, true);
        assertEquals(List.of(4, 5), resumed.epochs(), "two epochs without improvement to go");
        assertEquals(1, resumed.bestEpoch());
        assertEquals(uninterrupted.weights(), resumed.weights(), "the best epoch's weights, restored");
    }

    @Test
    void aRunKilledAfterItsCheckpointBeforeItsBestWeightsStillRestoresTheBestEpoch(@TempDir Path straight,
                                                                                   @TempDir Path parts)
            throws IOException {
        Outcome uninterrupted = run(straight, 4, 10, false);
        run(parts, 1, 10, false);
        // The kill's window: epoch 1's checkpoint is written, the best weights file is not yet.
        Files.delete(parts.resolve(Trainer.BEST));
        Outcome resumed = run(parts, 4, 10, true);
        assertEquals(List.of(2, 3, 4), resumed.epochs());
        assertEquals(1, resumed.bestEpoch());
        assertEquals(uninterrupted.weights(), resumed.weights(), "epoch 1's weights, restored at the end");
        assertEquals("1", Trainer.metadata(parts.resolve(Trainer.BEST)).get("epoch"), "written again by the resume");
    }

    /** 40 examples of 6 features in a CSV file beside {@code dir}'s checkpoints, streamed: 5 batches of 8 an epoch. */
    private static IterableDataLoader stream(Path dir) throws IOException {
        Path csv = dir.resolve("train.csv");
        if (!Files.exists(csv)) {
            StringBuilder text = new StringBuilder("label,a,b,c,d,e,f\n");
            float[] features = new float[6];
            for (int i = 0; i < DATA.size(); i++) {
                DATA.copyFeatures(i, features, 0);
                text.append(DATA.label(i));
                for (float v : features) {
                    text.append(',').append(v);
                }
                text.append('\n');
            }
            Files.createDirectories(dir);
            Files.writeString(csv, text);
        }
        return new IterableDataLoader(CsvDataset.streaming(csv, CsvOptions.defaults(), 3), 8, 1);
    }

    /**
     * As {@link #run} over a stream with a checkpoint every 2 optimizer steps within an epoch, killed after batch
     * {@code killAtBatch} of epoch {@code lastEpoch} when above 0.
     */
    private static Outcome runOnAStream(Path dir, int lastEpoch, boolean resume, int killAtBatch) throws IOException {
        Engine.seed(resume ? 99 : 5);
        try (Module model = new Sequential(new Linear(6, 8), new ReLU(), new Dropout(0.2), new Linear(8, 3));
             Optimizer sgd = new SGD(model.trainableParameters(), 0.1, 0.9, false, 0);
             IterableDataLoader stream = stream(dir)) {
            Trainer t = new Trainer(model, sgd, new CrossEntropyLoss()).earlyStopping(10).earlyStoppingMinDelta(1e9)
                    .checkpoints(dir, Map.of()).checkpointEverySteps(2);
            t.listener(new TrainingListener() {
                @Override
                public void onBatchEnd(int epoch, int batch, int batchesPerEpoch, double loss) {
                    if (epoch == lastEpoch && batch == killAtBatch) {
                        throw new IllegalStateException("killed");
                    }
                }
            });
            if (resume) {
                t.resume(dir.resolve(Trainer.CHECKPOINT));
            }
            List<Integer> epochs = new ArrayList<>();
            t.fit(stream, null, lastEpoch).forEach(m -> epochs.add(m.epoch()));
            Map<String, String> weights = new LinkedHashMap<>();
            model.stateDict().forEach((k, v) -> weights.put(k, Arrays.toString(v.toFloatArray())));
            return new Outcome(epochs, weights, t.bestEpoch());
        }
    }

    @Test
    void aStreamResumedPartWayThroughAnEpochRestoresTheBestEpochsWeightsNotTheCheckpoints(@TempDir Path straight,
                                                                                          @TempDir Path parts)
            throws IOException {
        Outcome uninterrupted = runOnAStream(straight, 3, false, 0);
        assertEquals(1, uninterrupted.bestEpoch());
        // Killed in epoch 2 after its checkpoint at step 4: the checkpoint's epoch is 1, the best, its weights not.
        assertThrows(IllegalStateException.class, () -> runOnAStream(parts, 2, false, 5));
        Outcome resumed = runOnAStream(parts, 3, true, 0);
        assertEquals(1, resumed.bestEpoch());
        assertEquals(uninterrupted.weights(), resumed.weights(), "epoch 1's weights, restored at the end");
    }

    @Test
    void anEpochsCheckpointIsWrittenBeforeItsBestWeights(@TempDir Path dir) throws IOException {
        // A directory where the best weights go makes their write fail: the checkpoint must already hold the epoch,
        // or a kill there would resume from an epoch before, whose best weights the new file has replaced.
        Files.createDirectories(dir.resolve(Trainer.BEST).resolve("in the way"));
        assertThrows(UncheckedIOException.class, () -> run(dir, 1, 10, false));
        assertEquals("1", Trainer.metadata(dir.resolve(Trainer.CHECKPOINT)).get("epoch"));
    }
}
