package dev.kiln.engine;

/**
 * Where a scatter of I32/I64 {@code index} (its values checked to lie in the axis) along {@code axis} writes, computed
 * on the device in F64 (exact for counts below 2^53): how many index entries hit each destination element and, when
 * asked, each entry's place among the entries of its line that hit the same element, in position order along the
 * axis. The place is the entry's position in a stable sort of its line minus the number of entries with a smaller
 * index (an exclusive running sum of the counts), so no index is read on the host. It tells the last writer (a plain
 * scatter's winner) and gives the entries hitting one element distinct slots (the dense layout the scatter's max, min
 * and product reduce over).
 *
 * @param counts F64, the destination's shape: how many entries hit each element
 */
record ScatterTargets(Tensor counts, int axis, Tensor index) {

    /** The targets of {@code index} scattered into {@code shape} along {@code axis}. */
    static ScatterTargets of(Shape shape, int axis, Tensor index) {
        Tensor counts = Composite.untracked(() -> filled(index, shape, 0).scatterAdd(axis, index,
                filled(index, index.shape(), 1)));
        return new ScatterTargets(counts, axis, index);
    }

    /** 1 where some entry hits the destination element, else 0 (F64, the destination's shape). */
    Tensor written() {
        return Composite.untracked(() -> counts.gt(0));
    }

    /** Each entry's place among those hitting its element, 0 for the first along the axis (F64, the index's shape). */
    Tensor places() {
        return Composite.untracked(() -> {
            IndexedValues sorted = index.sort(axis, false);
            Tensor starts = counts.cumsum(axis).sub(counts);
            Tensor positions = filled(index, index.shape(), 1).cumsum(axis).sub(1);
            Tensor sortedPlaces = positions.sub(starts.gather(axis, sorted.values()));
            return filled(index, index.shape(), 0).scatterAdd(axis, sorted.indices(), sortedPlaces);
        });
    }

    /** 1 for each entry that no later entry of its line overwrites, else 0 (F64, the index's shape). */
    Tensor last() {
        return Composite.untracked(() -> places().eq(counts.gather(axis, index).sub(1)));
    }

    /** The most entries that hit one element, read on the host (0 for an empty index). */
    int most() {
        if (counts.size() == 0) {
            return 0;
        }
        try (Tensor most = counts.max()) {
            return (int) most.item();
        }
    }

    /** Frees the counts. */
    void close() {
        counts.close();
    }

    /** An F64 tensor of {@code shape} on {@code like}'s backend with every element {@code value}. */
    static Tensor filled(Tensor like, Shape shape, double value) {
        Tensor t = like.emptyLike(shape, DType.F64);
        like.backend().fill(t, value);
        return t;
    }
}
