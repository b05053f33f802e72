package dev.kiln.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
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
        return new Buffer(source, worker, bufferSize);
    }

    /**
     * The shuffle buffer over one pass of the source. Passing over examples ({@link #skip}) draws as reading them
     * would, but reads from the source only the examples still in the buffer afterwards, passing over the others with
     * the source's own {@link ExampleStream#skip}; it assumes the source goes on, and where it ends sooner, opens it
     * again (it is replayable) and reads and drops instead.
     */
    private static final class Buffer implements ExampleStream {
        private final IterableDataset data;
        private final WorkerInfo worker;
        private final int capacity;
        private final long seed;
        private ExampleStream source;
        private SplittableRandom random;
        private List<Example> buffer;
        // Examples taken from the source, and given out (or passed over), in this pass.
        private long consumed;
        private long given;
        private boolean sourceEnded;

        Buffer(IterableDataset data, WorkerInfo worker, int capacity) {
            this.data = data;
            this.worker = worker;
            this.capacity = capacity;
            // Its own stream of the epoch's seed, apart from the one an augmentation might draw from.
            this.seed = Datasets.mix(worker.seed() ^ 0x5DEECE66DL);
            start();
        }

        private void start() {
            source = data.open(worker);
            random = new SplittableRandom(seed);
            // Grown as it fills: a large buffer over a short stream costs only what the stream holds.
            buffer = new ArrayList<>(Math.min(capacity, 1024));
            consumed = 0;
            given = 0;
            sourceEnded = false;
        }

        @Override
        public boolean hasNext() {
            while (buffer.size() < capacity && sourceHasNext()) {
                buffer.add(fromSource());
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
            if (sourceHasNext()) {
                buffer.set(i, fromSource());
            } else {
                // Draining: swap the last into the hole, an O(1) removal.
                buffer.set(i, buffer.get(buffer.size() - 1));
                buffer.remove(buffer.size() - 1);
            }
            given++;
            return drawn;
        }

        private boolean sourceHasNext() {
            sourceEnded = sourceEnded || !source.hasNext();
            return !sourceEnded;
        }

        private Example fromSource() {
            consumed++;
            return source.next();
        }

        /**
         * Draws {@code n} examples as {@link #next} would while the source goes on, each replaced by the source's next
         * position, then reads the positions left in the buffer and passes over the rest. Read and drop where the
         * source has ended, or is not replayable.
         */
        @Override
        public long skip(long n) {
            if (n <= 0 || sourceEnded || !data.replayable()) {
                return ExampleStream.super.skip(n);
            }
            // positions[i]: the source position slot i will hold, or -1 for the example it holds now.
            long[] positions = new long[capacity];
            long next = consumed;
            for (int i = 0; i < capacity; i++) {
                positions[i] = i < buffer.size() ? -1 : next++;
            }
            while (buffer.size() < capacity) {
                buffer.add(null);
            }
            for (long k = 0; k < n; k++) {
                positions[random.nextInt(capacity)] = next++;
            }
            if (!readPositions(positions, next)) {
                long before = given;
                return replayAndDrop(before + n) - before;
            }
            given += n;
            return n;
        }

        /**
         * Reads the source from {@link #consumed} to {@code end}: the examples at {@code positions} into their slots,
         * the others passed over. False when the source ends first.
         */
        private boolean readPositions(long[] positions, long end) {
            Integer[] slots = new Integer[capacity];
            for (int i = 0; i < capacity; i++) {
                slots[i] = i;
            }
            Arrays.sort(slots, Comparator.comparingLong(i -> positions[i]));
            for (int slot : slots) {
                long p = positions[slot];
                if (p < 0) {
                    continue;
                }
                if (source.skip(p - consumed) < p - consumed || !source.hasNext()) {
                    return false;
                }
                consumed = p;
                buffer.set(slot, fromSource());
            }
            if (source.skip(end - consumed) < end - consumed) {
                return false;
            }
            consumed = end;
            return true;
        }

        /** Starts the pass again and reads and drops its first {@code n} examples: returns how many there were. */
        private long replayAndDrop(long n) {
            source.close();
            start();
            return ExampleStream.super.skip(n);
        }

        @Override
        public void close() {
            buffer.clear();
            source.close();
        }
    }
}
