package dev.kiln.train;

import dev.kiln.data.BatchLoader;
import dev.kiln.data.DataLoader;
import dev.kiln.data.IterableDataLoader;
import dev.kiln.distributed.DistributedSampler;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a {@link Trainer} run stood within an epoch when it wrote a checkpoint ({@link Trainer#checkpointEverySteps}):
 * the batches of the epoch trained, the epoch's sums so far (so that the resumed epoch reports what the whole one
 * would), and the loader's settings that decide its batches, which the resuming loader must share. It is what
 * torchdata's {@code StatefulDataLoader.state_dict()} keeps, in Kiln's terms: a loader's batches follow from its seed,
 * the epoch and the batch's position (a {@link DataLoader}'s order, sampler and augmentation; a replayable stream's
 * workers), so the batch number replaces the sampler's and each worker's read position.
 *
 * @param batch   batches of the epoch trained, each optimizer step of them taken
 * @param lossSum sum over those batches of loss * batch size
 * @param samples examples in those batches
 * @param correct of them classified correctly
 * @param loader  the loader's settings ({@link #settingsOf}), by metadata key
 */
record EpochPosition(int batch, double lossSum, long samples, long correct, Map<String, String> loader) {
    private static final String BATCH = "epoch_batch";
    private static final String LOSS_SUM = "epoch_loss_sum";
    private static final String SAMPLES = "epoch_samples";
    private static final String CORRECT = "epoch_correct";
    private static final String LOADER = "loader.";
    private static final String CLASS = LOADER + "class";

    /** The position after {@code batch} batches of {@code loader}'s current epoch, with the epoch's sums so far. */
    static EpochPosition of(BatchLoader loader, int batch, double lossSum, long samples, long correct) {
        return new EpochPosition(batch, lossSum, samples, correct, settingsOf(loader));
    }

    /**
     * The settings of {@code loader} that decide which batches an epoch gives from a position on: a stream's workers
     * (which share its examples out), a {@link DataLoader}'s shuffle, sampler and data set size (which order its
     * examples; its workers do not change its batches; a {@link DistributedSampler}'s world size, seed, shuffle and
     * drop-last, not its rank), and both's batch size, seed and drop-last.
     */
    static Map<String, String> settingsOf(BatchLoader loader) {
        Map<String, String> s = new LinkedHashMap<>();
        s.put(CLASS, loader.getClass().getSimpleName());
        if (loader instanceof IterableDataLoader stream) {
            s.put(LOADER + "workers", Integer.toString(stream.workers()));
            s.put(LOADER + "batch_size", Integer.toString(stream.batchSize()));
            s.put(LOADER + "seed", Long.toString(stream.seed()));
            s.put(LOADER + "drop_last", Boolean.toString(stream.dropLast()));
        } else if (loader instanceof DataLoader d) {
            s.put(LOADER + "batch_size", Integer.toString(d.batchSize()));
            s.put(LOADER + "seed", Long.toString(d.seed()));
            s.put(LOADER + "shuffle", Boolean.toString(d.shuffle()));
            s.put(LOADER + "drop_last", Boolean.toString(d.dropLast()));
            s.put(LOADER + "sampler", d.sampler() == null ? "none" : d.sampler().getClass().getSimpleName());
            s.put(LOADER + "dataset_size", Integer.toString(d.dataset().size()));
            s.put(LOADER + "examples_per_epoch", Integer.toString(d.examplesPerEpoch()));
            if (d.sampler() instanceof DistributedSampler ranks) {
                // Not the rank: every rank resumes from the checkpoint rank 0 wrote.
                s.put(LOADER + "sampler_world_size", Integer.toString(ranks.worldSize()));
                s.put(LOADER + "sampler_seed", Long.toString(ranks.seed()));
                s.put(LOADER + "sampler_shuffle", Boolean.toString(ranks.shuffle()));
                s.put(LOADER + "sampler_drop_last", Boolean.toString(ranks.dropLast()));
            }
        }
        return s;
    }

    /** The checkpoint metadata entries of this position (the sum as Java's shortest exact decimal). */
    Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BATCH, Integer.toString(batch));
        m.put(LOSS_SUM, Double.toString(lossSum));
        m.put(SAMPLES, Long.toString(samples));
        m.put(CORRECT, Long.toString(correct));
        m.putAll(loader);
        return m;
    }

    /**
     * The position recorded in checkpoint {@code file}'s {@code metadata}, or null for a checkpoint written at an
     * epoch's end.
     *
     * @throws IllegalArgumentException naming the file and entry when an entry is missing or not a number
     */
    static EpochPosition read(Map<String, String> metadata, Path file) {
        if (!metadata.containsKey(BATCH)) {
            return null;
        }
        entry(metadata, CLASS, file);
        Map<String, String> loader = new LinkedHashMap<>();
        metadata.forEach((k, v) -> {
            if (k.startsWith(LOADER)) {
                loader.put(k, v);
            }
        });
        return new EpochPosition(Math.toIntExact(number(metadata, BATCH, file)),
                Double.parseDouble(entry(metadata, LOSS_SUM, file)), number(metadata, SAMPLES, file),
                number(metadata, CORRECT, file), loader);
    }

    /**
     * Refuses to resume epoch {@code epoch} on {@code loader} when its settings differ from the run's: it would give
     * other batches from this position on.
     */
    void check(BatchLoader loader, int epoch) {
        Map<String, String> resuming = settingsOf(loader);
        if (!resuming.equals(this.loader)) {
            throw new IllegalArgumentException("Trainer.fit: the checkpoint was written after batch " + batch
                    + " of epoch " + epoch + " of " + describe(this.loader) + ", but this loader is "
                    + describe(resuming) + ", which gives other batches; resume with the run's loader settings");
        }
    }

    /** "a DataLoader with batch size 8, seed 5, ...": the loader's class, then its other settings. */
    private static String describe(Map<String, String> settings) {
        List<String> parts = new ArrayList<>();
        settings.forEach((k, v) -> {
            if (!k.equals(CLASS)) {
                parts.add(k.substring(LOADER.length()).replace('_', ' ') + " " + v);
            }
        });
        return "a " + settings.get(CLASS) + " with " + String.join(", ", parts);
    }

    private static long number(Map<String, String> metadata, String key, Path file) {
        String v = entry(metadata, key, file);
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(file + ": metadata " + key + " is '" + v + "', not an integer");
        }
    }

    private static String entry(Map<String, String> metadata, String key, Path file) {
        String v = metadata.get(key);
        if (v == null) {
            throw new IllegalArgumentException(file + ": metadata has " + BATCH + " but no " + key
                    + ": a checkpoint written within an epoch records both");
        }
        return v;
    }
}
