package dev.kiln.data;

import java.util.concurrent.LinkedBlockingQueue;

/**
 * The arrays of full-size batches that consumers gave back ({@link HostBatch#recycle()}), for a loader's worker
 * threads to fill again instead of allocating new ones. Shared by the loader's iterations; safe between the
 * workers that take and the training thread that gives back. Holds at most as many pairs as can be in
 * flight at once (the prefetched batches, those being filled and the one in use); a pair beyond that, or of
 * another length (an epoch's smaller last batch), is left to the garbage collector.
 */
final class BatchArrays {
    private final int batchSize;
    private final int featureSize;
    // Linked, not an array: a large capacity (many workers, deep prefetch) costs nothing until pairs come back.
    private final LinkedBlockingQueue<Pair> free;

    private record Pair(float[] features, long[] labels) {
    }

    /** Arrays for batches of {@code batchSize} examples of {@code featureSize} floats each. */
    BatchArrays(int batchSize, int featureSize, int capacity) {
        this.batchSize = batchSize;
        this.featureSize = featureSize;
        this.free = new LinkedBlockingQueue<>(capacity);
    }

    /**
     * A batch of {@code examples} examples, its arrays given back earlier where there are some of that size, else
     * new ones. Reused arrays hold an earlier batch's values: the caller overwrites every element.
     */
    HostBatch fill(int examples, int[] featureShape, Filler filler) {
        Pair reused = examples == batchSize ? free.poll() : null;
        float[] features = reused != null ? reused.features() : new float[Math.multiplyExact(examples, featureSize)];
        long[] labels = reused != null ? reused.labels() : new long[examples];
        filler.fill(features, labels);
        return new HostBatch(features, labels, examples, featureShape, this);
    }

    /** Writes every element of a batch's arrays. */
    @FunctionalInterface
    interface Filler {
        void fill(float[] features, long[] labels);
    }

    void giveBack(float[] features, long[] labels) {
        if (labels.length == batchSize && features.length == (long) batchSize * featureSize) {
            free.offer(new Pair(features, labels));
        }
    }

    /** Pairs ready to be filled again. */
    int available() {
        return free.size();
    }
}
