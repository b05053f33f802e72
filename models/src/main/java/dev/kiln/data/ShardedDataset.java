package dev.kiln.data;

import java.util.NoSuchElementException;

/** {@link IterableDataset#shardedByWorker()}: worker {@code id} of {@code n} keeps examples id, id + n, id + 2n, ... */
final class ShardedDataset implements IterableDataset {
    private final IterableDataset source;

    ShardedDataset(IterableDataset source) {
        this.source = source;
    }

    /**
     * Refuses to shard {@code data} again: when it shards itself ({@link IterableDataset#shardsByWorker()}) sharding
     * again would keep every {@code (n * n)}-th example; when part of it does ({@link IterableDataset#shardsPartly()})
     * the message says which parts to shard instead.
     */
    static void refuseResharding(IterableDataset data) {
        if (data.shardsByWorker()) {
            throw new IllegalStateException("IterableDataset.shardedByWorker: the data set already yields only each"
                    + " worker's share (shardsByWorker()); sharding it again would keep every (n * n)-th example with n"
                    + " workers");
        }
        if (data.shardsPartly()) {
            throw new IllegalStateException("IterableDataset.shardedByWorker: only part of the data set shards itself; "
                    + data.howToShard());
        }
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
        return true;
    }

    @Override
    public boolean replayable() {
        return source.replayable();
    }

    @Override
    public String toString() {
        return source + ".shardedByWorker()";
    }

    @Override
    public ExampleStream open(WorkerInfo worker) {
        ExampleStream all = source.open(worker);
        if (worker.workers() == 1) {
            return all;
        }
        return new Share(all, worker.id(), worker.workers());
    }

    /** Every {@code step}-th example of {@code all}, from position {@code first}. */
    private static final class Share implements ExampleStream {
        private final ExampleStream all;
        private final int step;
        private int skip;
        private Example next;

        Share(ExampleStream all, int first, int step) {
            this.all = all;
            this.step = step;
            this.skip = first;
        }

        @Override
        public boolean hasNext() {
            while (next == null && all.hasNext()) {
                Example e = all.next();
                if (skip == 0) {
                    next = e;
                    skip = step - 1;
                } else {
                    skip--;
                }
            }
            return next != null;
        }

        @Override
        public Example next() {
            if (!hasNext()) {
                throw new NoSuchElementException("sharded stream: no more examples");
            }
            Example e = next;
            next = null;
            return e;
        }

        /**
         * Passes over {@code n} of its own examples and the others' between them with one {@link ExampleStream#skip}
         * of the source, so that a source that passes over many at once for less (a shuffle buffer) can.
         */
        @Override
        public long skip(long n) {
            long skipped = 0;
            if (next != null && n > 0) {
                next = null;
                skipped++;
            }
            if (skipped == n) {
                return skipped;
            }
            // Own examples are at skip, skip + step, ... of the source from here; pass over the last one wanted.
            long wanted = n - skipped;
            long span = skip + 1 + (wanted - 1) * step;
            long passed = all.skip(span);
            if (passed == span) {
                skip = step - 1;
                return n;
            }
            return skipped + (passed > skip ? (passed - skip - 1) / step + 1 : 0);
        }

        @Override
        public void close() {
            all.close();
        }
    }
}
