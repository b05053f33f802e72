package dev.kiln.engine;

/**
 * One entry of a PyTorch-style subscript for {@link Tensor#index(Idx...)} and
 * {@link Tensor#indexPut(Idx[], Tensor, boolean)}: {@code x[1:5:2, idx, ..., None]} is
 * {@code x.index(Idx.slice(1, 5, 2), Idx.tensor(idx), Idx.ellipsis(), Idx.newAxis())}.
 *
 * <p>Integers and slices select as Python does (negative values count from the end; slice bounds are clipped to the
 * axis). Index tensors and masks are advanced indices: index tensors broadcast against each other to one shape B, and
 * B takes the place of the indexed axes when they are adjacent, else goes first (PyTorch's rule; an integer is applied
 * before and does not separate them). An index tensor of no axes is an integer, as in PyTorch.
 */
public sealed interface Idx {
    /** Position {@code index} of one axis, which disappears ({@code x[3]}, {@code x[-1]}). */
    record At(int index) implements Idx {
    }

    /** Positions start, start + step, ... below stop along one axis, clipped to it ({@code x[start:stop:step]}). */
    record Slice(int start, int stop, int step) implements Idx {
        public Slice {
            if (step <= 0) {
                throw new IllegalArgumentException("Idx.slice: step must be greater than zero, got " + step);
            }
        }
    }

    /** As many whole axes as the other entries leave unindexed ({@code x[..., i]}). */
    record Ellipsis() implements Idx {
    }

    /** A new axis of size 1 ({@code x[None]}). */
    record NewAxis() implements Idx {
    }

    /**
     * An I32 or I64 index tensor into one axis (negative values count from the end); one of no axes selects as
     * {@link At} does (its value read on the host).
     */
    record IndexTensor(Tensor index) implements Idx {
        public IndexTensor {
            if (index == null) {
                throw new IllegalArgumentException("Idx.tensor: the index tensor is null");
            }
        }
    }

    /** A mask over as many axes as it has, of their sizes: its non-zero positions are selected in row-major order. */
    record Mask(Tensor mask) implements Idx {
        public Mask {
            if (mask == null) {
                throw new IllegalArgumentException("Idx.mask: the mask is null");
            }
        }
    }

    /** Position {@code index} of one axis, which disappears; negative counts from the end. */
    static Idx at(int index) {
        return new At(index);
    }

    /** The whole axis ({@code x[:]}). */
    static Idx all() {
        return new Slice(0, Integer.MAX_VALUE, 1);
    }

    /** {@code x[start:stop]}; negative bounds count from the end, bounds past the axis are clipped. */
    static Idx slice(int start, int stop) {
        return new Slice(start, stop, 1);
    }

    /** {@code x[start:stop:step]}, step &gt; 0 as PyTorch requires. */
    static Idx slice(int start, int stop, int step) {
        return new Slice(start, stop, step);
    }

    /** {@code x[start:]}. */
    static Idx from(int start) {
        return new Slice(start, Integer.MAX_VALUE, 1);
    }

    /** {@code x[:stop]}. */
    static Idx until(int stop) {
        return new Slice(0, stop, 1);
    }

    /** {@code x[...]}: at most one per subscript. */
    static Idx ellipsis() {
        return new Ellipsis();
    }

    /** {@code x[None]}. */
    static Idx newAxis() {
        return new NewAxis();
    }

    /** {@code x[idx]} with an I32 or I64 tensor of any shape. */
    static Idx tensor(Tensor index) {
        return new IndexTensor(index);
    }

    /**
     * {@code x[mask]}: a mask (any dtype, non-zero selects) with the shape of the axes it covers. The selection's
     * length depends on the mask's values, so they are read on the host (a synchronisation on a GPU, as in PyTorch).
     */
    static Idx mask(Tensor mask) {
        return new Mask(mask);
    }
}
