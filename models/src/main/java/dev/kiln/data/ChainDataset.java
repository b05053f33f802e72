package dev.kiln.data;

import java.util.Arrays;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Several {@link IterableDataset}s one after another, PyTorch's {@code ChainDataset}: each part's stream in turn,
 * opened when the one before it ends (so one file is open at a time). Every part has the first one's feature shape and
 * number of classes. Sharded by worker when every part is; where only some are, {@link #shardedByWorker()} is refused
 * and {@link #howToShard()} names the parts to shard instead.
 */
public final class ChainDataset implements IterableDataset {
    private final List<IterableDataset> parts;
    private final int[] featureShape;
    private final int classes;

    /** @param parts at least one, each with the first one's {@link #featureShape()} and {@link #classes()} */
    public ChainDataset(IterableDataset... parts) {
        Objects.requireNonNull(parts, "parts");
        if (parts.length == 0) {
            throw new IllegalArgumentException("ChainDataset: needs at least one data set");
        }
        this.parts = List.of(parts);
        this.featureShape = parts[0].featureShape();
        this.classes = parts[0].classes();
        for (int i = 1; i < parts.length; i++) {
            if (!Arrays.equals(parts[i].featureShape(), featureShape) || parts[i].classes() != classes) {
                throw new IllegalArgumentException("ChainDataset: part " + i + " has features "
                        + Arrays.toString(parts[i].featureShape()) + " and " + parts[i].classes() + " classes, but part 0"
                        + " has " + Arrays.toString(featureShape) + " and " + classes);
            }
        }
    }

    @Override
    public int[] featureShape() {
        return featureShape.clone();
    }

    @Override
    public int classes() {
        return classes;
    }

    @Override
    public boolean shardsByWorker() {
        return parts.stream().allMatch(IterableDataset::shardsByWorker);
    }

    /** Whether some parts shard themselves and others do not. */
    @Override
    public boolean shardsPartly() {
        return !shardsByWorker() && parts.stream().anyMatch(p -> p.shardsByWorker() || p.shardsPartly());
    }

    /**
     * For a chain of sharded and unsharded parts, names the parts to shard one by one (sharding the whole chain would
     * shard the others twice); otherwise sharding the whole chain. A part that is itself such a chain is named with the
     * unsharded parts: sharding it is refused with its own advice.
     */
    @Override
    public String howToShard() {
        if (!shardsPartly()) {
            return IterableDataset.super.howToShard();
        }
        List<Integer> unsharded = IntStream.range(0, parts.size()).filter(i -> !parts.get(i).shardsByWorker())
                .boxed().toList();
        return "ChainDataset: parts " + unsharded + " do not shard themselves while the others do: shard parts "
                + unsharded + " with part.shardedByWorker() and chain the parts again (sharding the whole chain would"
                + " shard the others twice)";
    }

    /** Whether every part is {@link IterableDataset#replayable()}. */
    @Override
    public boolean replayable() {
        return parts.stream().allMatch(IterableDataset::replayable);
    }

    @Override
    public String toString() {
        return "ChainDataset" + parts;
    }

    @Override
    public ExampleStream open(WorkerInfo worker) {
        return new Chain(worker);
    }

    private final class Chain implements ExampleStream {
        private final WorkerInfo worker;
        private int part;
        private ExampleStream current;

        Chain(WorkerInfo worker) {
            this.worker = worker;
        }

        @Override
        public boolean hasNext() {
            while (true) {
                if (current != null && current.hasNext()) {
                    return true;
                }
                if (current != null) {
                    current.close();
                    current = null;
                }
                if (part == parts.size()) {
                    return false;
                }
                current = parts.get(part++).open(worker);
            }
        }

        @Override
        public Example next() {
            if (!hasNext()) {
                throw new NoSuchElementException("ChainDataset: no more examples");
            }
            return current.next();
        }

        /** Passes over {@code n} examples part by part, each through its own {@link ExampleStream#skip}. */
        @Override
        public long skip(long n) {
            long skipped = 0;
            while (skipped < n && hasNext()) {
                skipped += current.skip(n - skipped);
            }
            return skipped;
        }

        @Override
        public void close() {
            if (current != null) {
                current.close();
                current = null;
            }
            part = parts.size();
        }
    }
}
