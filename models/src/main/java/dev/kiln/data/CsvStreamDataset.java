package dev.kiln.data;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.NoSuchElementException;

/**
 * {@link CsvDataset#streaming}: a CSV file read lazily, one record at a time, each pass ({@link #open}) opening the
 * file anew. Labels are class indices written as integers in {@code [0, classes)}: a stream cannot see every label
 * before the first example to encode names as {@link CsvDataset#load} does.
 */
final class CsvStreamDataset implements IterableDataset {
    private final Path file;
    private final CsvOptions options;
    private final int classes;
    private final int[] featureShape;
    private final boolean sharded;

    /** Reads the header (or first row) of {@code file} at once, so that a bad header or shape is reported here. */
    CsvStreamDataset(Path file, CsvOptions options, int classes) throws IOException {
        if (classes < 1) {
            throw new IllegalArgumentException("CsvDataset.streaming: classes must be at least 1, got " + classes);
        }
        this.file = file;
        this.options = options;
        this.classes = classes;
        try (CsvReader reader = CsvReader.open(file, options)) {
            this.featureShape = reader.featureShape();
        }
        this.sharded = false;
    }

    private CsvStreamDataset(CsvStreamDataset whole) {
        this.file = whole.file;
        this.options = whole.options;
        this.classes = whole.classes;
        this.featureShape = whole.featureShape;
        this.sharded = true;
    }

    /**
     * The file with each worker keeping every {@code workers}-th example from its {@code id} on, as
     * {@link IterableDataset#shardedByWorker()} gives them (the same examples in the same order), but each worker parses
     * only its own records: it passes over the others' by finding where they end ({@link CsvShareReader}), so that
     * {@code n} workers share the parsing instead of each parsing the whole file.
     */
    @Override
    public IterableDataset shardedByWorker() {
        ShardedDataset.refuseResharding(this);
        return new CsvStreamDataset(this);
    }

    @Override
    public boolean shardsByWorker() {
        return sharded;
    }

    /** True: a pass reads the same file the same way for the same worker (unless the file changes between passes). */
    @Override
    public boolean replayable() {
        return true;
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    @Override
    public int classes() {
        return classes;
    }

    /** A pass over the whole file; errors of reading come as {@link UncheckedIOException} naming the file and line. */
    @Override
    public ExampleStream open(WorkerInfo worker) {
        try {
            return new Records(reader(worker, 0), worker, Datasets.product(featureShape));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The file as {@code worker} reads it (its share, when sharded), its first {@code hide} examples passed over. */
    private CsvReader reader(WorkerInfo worker, long hide) throws IOException {
        return sharded ? CsvReader.open(file, options, worker.id(), worker.workers(), hide)
                : CsvReader.open(file, options, 0, 1, hide);
    }

    @Override
    public String toString() {
        return "CsvDataset.streaming(" + file + ": " + Arrays.toString(featureShape) + ", " + classes + " classes)"
                + (sharded ? ".shardedByWorker()" : "");
    }

    /** The file's records as examples, one read ahead; closes the file at the end or when closed. */
    private final class Records implements ExampleStream {
        private final WorkerInfo worker;
        private final int featureSize;
        private CsvReader reader;
        // Whether an example has been asked for: until then, a skip can open the file again passing over the first.
        private boolean started;
        private Example next;
        private boolean done;

        Records(CsvReader reader, WorkerInfo worker, int featureSize) {
            this.reader = reader;
            this.worker = worker;
            this.featureSize = featureSize;
        }

        @Override
        public boolean hasNext() {
            started = true;
            if (next == null && !done) {
                next = read();
            }
            return next != null;
        }

        @Override
        public Example next() {
            if (!hasNext()) {
                throw new NoSuchElementException("CsvDataset: " + file + " has no more examples");
            }
            Example e = next;
            next = null;
            return e;
        }

        /**
         * Passes over up to {@code n} records without converting their values (closing the file at the end). At the
         * start of the pass it opens the file again with the first {@code n} hidden from the parser, found by their
         * ends alone ({@link CsvShareReader}), which costs a fraction of splitting them into fields.
         */
        @Override
        public long skip(long n) {
            if (!started && n > 0 && !done) {
                return skipFromStart(n);
            }
            long skipped = 0;
            if (next != null && n > 0) {
                next = null;
                skipped++;
            }
            try {
                while (skipped < n && !done) {
                    if (reader.skip()) {
                        skipped++;
                    } else {
                        close();
                    }
                }
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e);
            }
            return skipped;
        }

        private long skipFromStart(long n) {
            try {
                reader.close();
                reader = reader(worker, n);
            } catch (IOException e) {
                done = true;
                throw new UncheckedIOException(e);
            }
            // Reading the next example reads past the hidden ones, which counts them.
            hasNext();
            return reader.hidden();
        }

        /** The next record as an example, or null (closing the file) at the end. */
        private Example read() {
            try {
                float[] features = new float[featureSize];
                String label = reader.next(features, 0);
                if (label == null) {
                    close();
                    return null;
                }
                return new Example(features, classIndex(label));
            } catch (IOException e) {
                close();
                throw new UncheckedIOException(e);
            }
        }

        private long classIndex(String label) throws IOException {
            long index;
            try {
                index = Long.parseLong(label);
            } catch (NumberFormatException e) {
                index = -1;
            }
            if (index < 0 || index >= classes) {
                throw new IOException(reader.lastLabelPlace() + ": label '" + label + "' is not a class index in [0, "
                        + classes + "); a stream needs integer labels, CsvDataset.load encodes others");
            }
            return index;
        }

        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                reader.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
