package dev.kiln.engine;

import java.util.Map;
import java.util.TreeMap;

/**
 * A tensor's gradient that a backward pass gathers from the gradients of views narrowed from it along one axis, each
 * copied into its slice: the slices no view has written yet hold whatever the memory held until {@link #complete}
 * zeroes them. The three views of a packed query-key-value projection then cost three slice copies, where a
 * zero-filled gradient of the whole per view cost three fills of the whole, three slice copies and two sums of the
 * whole; only the slices that no view's gradient reaches (a split's unused pieces) are ever zeroed.
 */
final class SlicedGradient {
    private final Tensor whole;
    private final int axis;
    /** The slices written so far, start to end along the axis; they never overlap. */
    private final TreeMap<Integer, Integer> written = new TreeMap<>();

    /** {@code whole}: uninitialised, of the viewed tensor's shape; {@code axis}: the one its views narrow. */
    SlicedGradient(Tensor whole, int axis) {
        this.whole = whole;
        this.axis = axis;
    }

    /** Whether a view's gradient for [start, start + length) along {@code axis} may be written: none of it is yet. */
    boolean isUnwritten(int axis, int start, int length) {
        if (axis != this.axis) {
            return false;
        }
        Map.Entry<Integer, Integer> before = written.floorEntry(start);
        Integer after = written.higherKey(start);
        return (before == null || before.getValue() <= start) && (after == null || after >= start + length);
    }

    /** Copies {@code gradient}, a view's, into its slice from {@code start}, which {@link #isUnwritten} allowed. */
    void write(Tensor gradient, int start) {
        int length = gradient.dim(axis);
        whole.backend().copySlices(gradient, axis, 0, whole, start, length);
        if (length > 0) {
            written.put(start, start + length);
        }
    }

    /** Zeroes the slices no view wrote. */
    void complete() {
        int at = 0;
        for (Map.Entry<Integer, Integer> slice : written.entrySet()) {
            zero(at, slice.getKey());
            at = slice.getValue();
        }
        zero(at, whole.dim(axis));
    }

    private void zero(int start, int end) {
        if (start >= end) {
            return;
        }
        Shape sliceShape = whole.shape().with(axis, end - start);
        if (whole.shape().outer(axis) == 1) {
            Tensor slice = whole.view(start * whole.shape().inner(axis), sliceShape);
            whole.backend().fill(slice, 0);
            slice.close();
        } else {
            Tensor zeros = whole.emptyLike(sliceShape, whole.dtype());
            whole.backend().fill(zeros, 0);
            whole.backend().copySlices(zeros, axis, 0, whole, start, end - start);
            zeros.close();
        }
    }

    /**
     * Adds {@code gradient}, a view's, into its slice from {@code start} along {@code axis} of {@code whole}, a
     * complete gradient that may be summed into in place: through a view where the slice is contiguous, else through
     * a copy of the slice.
     */
    static void addInto(Tensor whole, Tensor gradient, int axis, int start) {
        Backend backend = whole.backend();
        if (whole.shape().outer(axis) == 1) {
            Tensor slice = whole.view(start * whole.shape().inner(axis), gradient.shape());
            backend.binary(BinaryOp.ADD, slice, gradient, slice);
            slice.close();
        } else {
            int length = gradient.dim(axis);
            Tensor slice = whole.emptyLike(gradient.shape(), gradient.dtype());
            backend.copySlices(whole, axis, start, slice, 0, length);
            backend.binary(BinaryOp.ADD, slice, gradient, slice);
            backend.copySlices(slice, axis, 0, whole, start, length);
            slice.close();
        }
    }
}
