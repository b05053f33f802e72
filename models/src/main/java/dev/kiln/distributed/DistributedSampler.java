package dev.kiln.distributed;

import dev.kiln.data.Datasets;
import dev.kiln.data.Sampler;

/**
 * PyTorch's {@code DistributedSampler(dataset, num_replicas=worldSize, rank=rank, shuffle, seed, drop_last)}: the
 * share of a data set's indices that rank {@code rank} visits, so that the ranks together see each example once per
 * epoch. The epoch's order (a permutation of the {@code size} examples, or {@code 0 .. size - 1} without shuffling)
 * is made divisible by the world size, either padded by repeating its first indices or cut short
 * ({@code dropLast}), and rank {@code r} takes {@code indices[r::worldSize]}: PyTorch's split exactly.
 *
 * <p>The permutation depends on the seed and the epoch alone, so every rank draws the same one (Kiln's own
 * permutation: not the one {@code torch.randperm} draws). Iterating by hand, call {@link #setEpoch} before each epoch
 * and read {@link #indices()}, as PyTorch's loop calls {@code set_epoch}. In a {@link dev.kiln.data.DataLoader}
 * ({@code loader.withSampler(sampler)}) the loader's seed for the epoch takes the place of the epoch (with the
 * sampler's own seed), so no {@code setEpoch} is needed there and a resumed epoch sees the same batches; give every
 * rank's loader the same seed.
 */
public final class DistributedSampler implements Sampler {
    private final int dataSize;
    private final int worldSize;
    private final int rank;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;
    private final int numSamples;
    private int epoch;

    /** PyTorch's defaults: shuffled with seed 0, the tail padded. */
    public DistributedSampler(int dataSize, ProcessGroup group) {
        this(dataSize, group.worldSize(), group.rank(), true, 0, false);
    }

    /**
     * @param dataSize  the examples of the data set, at least 1
     * @param worldSize the ranks, at least 1
     * @param rank      this rank, in [0, worldSize)
     * @param shuffle   whether each epoch visits a permutation
     * @param seed      the permutations' seed, the same on every rank
     * @param dropLast  cut the order to a multiple of the world size, rather than pad it with its first indices
     */
    public DistributedSampler(int dataSize, int worldSize, int rank, boolean shuffle, long seed, boolean dropLast) {
        if (dataSize < 1) {
            throw new IllegalArgumentException("DistributedSampler: dataSize must be at least 1, got " + dataSize);
        }
        if (worldSize < 1) {
            throw new IllegalArgumentException("DistributedSampler: worldSize must be at least 1, got " + worldSize);
        }
        if (rank < 0 || rank >= worldSize) {
            throw new IllegalArgumentException("DistributedSampler: rank " + rank + " is outside [0, " + worldSize
                    + ")");
        }
        this.dataSize = dataSize;
        this.worldSize = worldSize;
        this.rank = rank;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
        // PyTorch: ceil((n - W) / W) when dropping an uneven tail, which is floor(n / W); else ceil(n / W).
        this.numSamples = dropLast ? dataSize / worldSize : (dataSize + worldSize - 1) / worldSize;
    }

    /** Sets the epoch whose permutation {@link #indices()} gives (PyTorch's {@code set_epoch}). */
    public void setEpoch(int epoch) {
        this.epoch = epoch;
    }

    /** The epoch {@link #indices()} gives. */
    public int epoch() {
        return epoch;
    }

    /** The ranks that share each epoch (PyTorch's {@code num_replicas}). */
    public int worldSize() {
        return worldSize;
    }

    /** Whether each epoch visits a permutation. */
    public boolean shuffle() {
        return shuffle;
    }

    /** The permutations' seed, the same on every rank. */
    public long seed() {
        return seed;
    }

    /** Whether the order is cut to a multiple of the world size rather than padded. */
    public boolean dropLast() {
        return dropLast;
    }

    /** Indices this rank visits per epoch (PyTorch's {@code len(sampler)}). */
    @Override
    public int size() {
        return numSamples;
    }

    /** Indices all ranks visit together per epoch: {@code size() * worldSize}. */
    public int totalSize() {
        return numSamples * worldSize;
    }

    /** This rank's indices for the epoch set by {@link #setEpoch}: [size()]. */
    public int[] indices() {
        return split(order(seed + epoch));
    }

    /** This rank's indices for the epoch whose seed a {@link dev.kiln.data.DataLoader} passes: [size()]. */
    @Override
    public int[] indices(long loaderSeed) {
        return split(order(seed * 0x9E3779B97F4A7C15L ^ loaderSeed));
    }

    private int[] order(long permutationSeed) {
        if (shuffle) {
            return Datasets.permutation(dataSize, permutationSeed);
        }
        int[] identity = new int[dataSize];
        for (int i = 0; i < dataSize; i++) {
            identity[i] = i;
        }
        return identity;
    }

    /** Pads (repeating the order from its start, as often as needed) or cuts to totalSize, then takes every W-th. */
    private int[] split(int[] order) {
        int[] mine = new int[numSamples];
        for (int k = 0; k < numSamples; k++) {
            mine[k] = order[(rank + k * worldSize) % dataSize];
        }
        return mine;
    }
}
