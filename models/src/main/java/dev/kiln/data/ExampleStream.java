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
