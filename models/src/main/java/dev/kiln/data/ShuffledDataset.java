package dev.kiln.data;

import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/** {@link IterableDataset#shuffled(int)}: a bounded shuffle buffer over another data set's stream. */
final class ShuffledDataset implements IterableDataset {
    private final IterableDataset source;
    private final int bufferSize;

    ShuffledDataset(IterableDataset source, int bufferSize) {
        if (bufferSize < 1) {
            throw new IllegalArgumentException("IterableDataset.shuffled: bufferSize must be at least 1, got "
                    + bufferSize);
        }
        this.source = source;
        this.bufferSize = bufferSize;
    }

    @Override
    public int[] featureShape() {
        return source.featureShape();
    }

    @Override
    public int classes() {
        return source.classes();
    }

    @Override
    public boolean shardsByWorker() {
        return source.shardsByWorker();
    }

    @Override
    public boolean shardsPartly() {
        return source.shardsPartly();
    }

    @Override
    public String howToShard() {
        return source.howToShard();
    }

    /** As replayable as the source: the buffer's draws come from the epoch's seed alone. */
    @Override
    public boolean replayable() {
        return source.replayable();
    }

    @Override
    public String toString() {
        return source + ".shuffled(" + bufferSize + ")";
    }

    @Override
    public ExampleStream open(WorkerInfo worker) {
        // Its own stream of the epoch's seed, apart from the one an augmentation might draw from.
        long seed = Datasets.mix(worker.seed() ^ 0x5DEECE66DL);
        return new Buffer(source.open(worker), bufferSize, new SplittableRandom(seed));
    }

    private static final class Buffer implements ExampleStream {
        private final ExampleStream source;
        private final int capacity;
        private final SplittableRandom random;
        private final List<Example> buffer;

        Buffer(ExampleStream source, int capacity, SplittableRandom random) {
            this.source = source;
            this.capacity = capacity;
            this.random = random;
            // Grown as it fills: a large buffer over a short stream costs only what the stream holds.
            this.buffer = new ArrayList<>(Math.min(capacity, 1024));
        }

        @Override
        public boolean hasNext() {
            while (buffer.size() < capacity && source.hasNext()) {
                buffer.add(source.next());
            }
            return !buffer.isEmpty();
        }

        @Override
        public Example next() {
            if (!hasNext()) {
                throw new NoSuchElementException("shuffled stream: no more examples");
            }
            int i = random.nextInt(buffer.size());
            Example drawn = buffer.get(i);
            if (source.hasNext()) {
                buffer.set(i, source.next());
            } else {
                // Draining: swap the last into the hole, an O(1) removal.
                buffer.set(i, buffer.get(buffer.size() - 1));
                buffer.remove(buffer.size() - 1);
            }
            return drawn;
        }

        @Override
        public void close() {
            buffer.clear();
            source.close();
        }
    }
}
