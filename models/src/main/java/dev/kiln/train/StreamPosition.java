package dev.kiln.train;

import dev.kiln.data.IterableDataLoader;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Where a {@link Trainer} run over a stream ({@link IterableDataLoader}) stood within an epoch when it wrote a
 * checkpoint ({@link Trainer#checkpointEverySteps}): the batches of the epoch trained, the epoch's sums so far (so that
 * the resumed epoch reports what the whole one would), and the loader's settings that decide its batches, which the
 * resuming loader must share. It is what torchdata's {@code StatefulDataLoader.state_dict()} keeps, in Kiln's terms:
 * a replayable stream's batches follow from the seed, the epoch and the workers, so the batch number replaces each
 * worker's read position.
 *
 * @param batch     batches of the epoch trained, each optimizer step of them taken
 * @param lossSum   sum over those batches of loss * batch size
 * @param samples   examples in those batches
 * @param correct   of them classified correctly
 * @param workers   the loader's {@link IterableDataLoader#workers()}
 * @param batchSize the loader's {@link IterableDataLoader#batchSize()}
 * @param seed      the loader's {@link IterableDataLoader#seed()}
 * @param dropLast  the loader's {@link IterableDataLoader#dropLast()}
 */
record StreamPosition(int batch, double lossSum, long samples, long correct, int workers, int batchSize, long seed,
                      boolean dropLast) {
    private static final String BATCH = "stream_batch";
    private static final String LOSS_SUM = "stream_loss_sum";
    private static final String SAMPLES = "stream_samples";
    private static final String CORRECT = "stream_correct";
    private static final String WORKERS = "stream_workers";
    private static final String BATCH_SIZE = "stream_batch_size";
    private static final String SEED = "stream_seed";
    private static final String DROP_LAST = "stream_drop_last";

    /** The position after {@code batch} batches of {@code loader}'s current epoch, with the epoch's sums so far. */
    static StreamPosition of(IterableDataLoader loader, int batch, double lossSum, long samples, long correct) {
        return new StreamPosition(batch, lossSum, samples, correct, loader.workers(), loader.batchSize(), loader.seed(),
                loader.dropLast());
    }

    /** The checkpoint metadata entries of this position (the sum as Java's shortest exact decimal). */
    Map<String, String> metadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(BATCH, Integer.toString(batch));
        m.put(LOSS_SUM, Double.toString(lossSum));
        m.put(SAMPLES, Long.toString(samples));
        m.put(CORRECT, Long.toString(correct));
        m.put(WORKERS, Integer.toString(workers));
        m.put(BATCH_SIZE, Integer.toString(batchSize));
        m.put(SEED, Long.toString(seed));
        m.put(DROP_LAST, Boolean.toString(dropLast));
        return m;
    }

    /**
     * The position recorded in checkpoint {@code file}'s {@code metadata}, or null for a checkpoint written at an
     * epoch's end.
     *
     * @throws IllegalArgumentException naming the file and entry when an entry is missing or not a number
     */
    static StreamPosition read(Map<String, String> metadata, Path file) {
        if (!metadata.containsKey(BATCH)) {
            return null;
        }
        return new StreamPosition(Math.toIntExact(number(metadata, BATCH, file)),
                Double.parseDouble(entry(metadata, LOSS_SUM, file)), number(metadata, SAMPLES, file),
                number(metadata, CORRECT, file), Math.toIntExact(number(metadata, WORKERS, file)),
                Math.toIntExact(number(metadata, BATCH_SIZE, file)), number(metadata, SEED, file),
                Boolean.parseBoolean(entry(metadata, DROP_LAST, file)));
    }

    /**
     * Refuses to resume epoch {@code epoch} on {@code loader} when its settings differ from the run's: it would give
     * other batches from this position on.
     */
    void check(IterableDataLoader loader, int epoch) {
        StreamPosition resuming = of(loader, batch, lossSum, samples, correct);
        if (!resuming.equals(this)) {
            throw new IllegalArgumentException("Trainer.fit: the checkpoint was written after batch " + batch
                    + " of epoch " + epoch + " of a stream loaded with " + settings() + ", but this loader has "
                    + resuming.settings() + ", which gives other batches; resume with the run's loader settings");
        }
    }

    private String settings() {
        return "workers " + workers + ", batch size " + batchSize + ", seed " + seed + ", dropLast " + dropLast;
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
                    + ": a checkpoint written within an epoch of a stream records both");
        }
        return v;
    }
}
