package dev.kiln.data;

import java.util.NoSuchElementException;

/** {@link IterableDataset#shardedByWorker()}: worker {@code id} of {@code n} keeps examples id, id + n, id + 2n, ... */
final class ShardedDataset implements IterableDataset {
    private final IterableDataset source;

    ShardedDataset(IterableDataset source) {
        this.source = source;
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

        @Override
        public void close() {
            all.close();
        }
    }
}
