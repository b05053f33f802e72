package dev.kiln.data;

import java.util.Iterator;

/**
 * One pass over an {@link IterableDataset}'s examples. It may hold a file or a connection open until it is exhausted
 * or closed: {@link IterableDataLoader} closes every stream it opens, and a caller iterating by hand should use
 * try-with-resources. Used by one thread.
 */
public interface ExampleStream extends Iterator<Example>, AutoCloseable {
    /** Releases what the stream holds (files, buffers); closing twice does nothing. */
    @Override
    void close();

    /**
     * Passes over the next {@code n} examples, or as many as are left: what a resumed
     * {@link IterableDataLoader#epoch(int, int)} does with the batches trained before the checkpoint. This default
     * reads each one with {@link #next()} and drops it; a stream that can pass over an example for less than reading
     * it (a CSV file's record without converting its values) overrides it.
     *
     * @return the examples passed over: {@code n}, or fewer when the stream ended
     */
    default long skip(long n) {
        long skipped = 0;
        while (skipped < n && hasNext()) {
            next();
            skipped++;
        }
        return skipped;
    }

    /** A stream over {@code examples} that holds nothing to release. */
    static ExampleStream of(Iterator<Example> examples) {
        return new ExampleStream() {
            @Override
            public boolean hasNext() {
                return examples.hasNext();
            }

            @Override
            public Example next() {
                return examples.next();
            }

            @Override
            public void close() {
            }
        };
    }
}
