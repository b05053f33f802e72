package dev.kiln.engine;

import java.util.Arrays;
import java.util.BitSet;
import java.util.stream.IntStream;

/**
 * A tensor of an einsum on its way to the result, with one label per axis ({@link EinsumEquation}'s ints), and the
 * einsum operand it came from (null for a product of two), which is never closed. Each step makes a new term of
 * recorded ops and releases the tensor before it once nothing records it ({@link Tensor#releaseIntermediate}).
 */
final class EinsumTerm {
    private final Tensor tensor;
    private final int[] labels;
    private final Tensor operand;

    EinsumTerm(Tensor tensor, int[] labels, Tensor operand) {
        this.tensor = tensor;
        this.labels = labels;
        this.operand = operand;
    }

    Tensor tensor() {
        return tensor;
    }

    int[] labels() {
        return labels.clone();
    }

    boolean has(int label) {
        return axisOf(label) >= 0;
    }

    /** The size of the axis labelled {@code label}, which this term has. */
    int size(int label) {
        return tensor.dim(axisOf(label));
    }

    private int axisOf(int label) {
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == label) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Without its axes of size 1 whose label has another size ({@code sizes}): such an axis broadcasts, the same as
     * an operand that lacks it. A view.
     */
    EinsumTerm withoutBroadcastAxes(int[] sizes) {
        int[] kept = IntStream.range(0, labels.length)
                .filter(i -> tensor.dim(i) != 1 || sizes[labels[i]] == 1).toArray();
        if (kept.length == labels.length) {
            return this;
        }
        int[] keptLabels = Arrays.stream(kept).map(i -> labels[i]).toArray();
        return next(tensor.reshape(Arrays.stream(kept).map(tensor::dim).toArray()), keptLabels);
    }

    /** With each label that repeats replaced by one axis: the diagonal of the repeated axes ({@code ii->i}). */
    EinsumTerm diagonals() {
        EinsumTerm term = this;
        for (int at = 0; at < term.labels.length; at++) {
            int label = term.labels[at];
            if (Arrays.stream(term.labels).filter(l -> l == label).count() > 1) {
                term = term.diagonal(label);
            }
        }
        return term;
    }

    /**
     * The diagonal of the axes labelled {@code label}, at the first of them: the axes are brought together there and
     * merged into one of n^r elements, where the diagonal's elements lie {@code 1 + n + ... + n^(r-1)} apart, and
     * those are selected.
     */
    private EinsumTerm diagonal(int label) {
        int first = axisOf(label);
        int repeats = (int) Arrays.stream(labels).filter(l -> l == label).count();
        int n = tensor.dim(first);
        int[] together = IntStream.concat(IntStream.rangeClosed(0, first), IntStream.concat(
                IntStream.range(first + 1, labels.length).filter(i -> labels[i] == label),
                IntStream.range(first + 1, labels.length).filter(i -> labels[i] != label))).toArray();
        EinsumTerm merged = permuted(together).merged(first, repeats);
        if (n <= 1) {
            return merged;
        }
        long stride = 0;
        for (int r = 0; r < repeats; r++) {
            stride = stride * n + 1;
        }
        long apart = stride;
        long[] positions = new long[n];
        Arrays.setAll(positions, i -> i * apart);
        Tensor index = HostValues.longs(merged.tensor, positions, n);
        Tensor selected = merged.tensor.indexSelect(first, index);
        Tensor.releaseIntermediate(index, null, selected);
        return merged.next(selected, merged.labels);
    }

    /** Axes {@code [first, first + count)}, all of one label, merged into one axis of that label. A view. */
    private EinsumTerm merged(int first, int count) {
        int[] dims = tensor.shape().dims();
        long size = 1;
        for (int i = first; i < first + count; i++) {
            size *= dims[i];
        }
        int[] mergedDims = new int[dims.length - count + 1];
        int[] mergedLabels = new int[mergedDims.length];
        System.arraycopy(dims, 0, mergedDims, 0, first);
        System.arraycopy(labels, 0, mergedLabels, 0, first + 1);
        mergedDims[first] = Checks.dimension("einsum", "the diagonal's " + count + " axes " + tensor.shape(), size);
        System.arraycopy(dims, first + count, mergedDims, first + 1, dims.length - first - count);
        System.arraycopy(labels, first + count, mergedLabels, first + 1, dims.length - first - count);
        return next(tensor.reshape(mergedDims), mergedLabels);
    }

    /** With the axes whose labels {@code needed} lacks summed over. */
    EinsumTerm summedOver(BitSet needed) {
        EinsumTerm term = this;
        for (int axis = labels.length - 1; axis >= 0; axis--) {
            if (!needed.get(term.labels[axis])) {
                int[] rest = new int[term.labels.length - 1];
                System.arraycopy(term.labels, 0, rest, 0, axis);
                System.arraycopy(term.labels, axis + 1, rest, axis, rest.length - axis);
                term = term.next(term.tensor.sum(axis, false), rest);
            }
        }
        return term;
    }

    /** True when the axes already come in the order of {@code order}'s labels (each label once). */
    boolean isIn(int[] order) {
        return Arrays.equals(labels, order);
    }

    /** The axes in the order of {@code order}'s labels (each label once): this term itself when they already are. */
    EinsumTerm arranged(int[] order) {
        return isIn(order) ? this : permuted(Arrays.stream(order).map(this::axisOf).toArray());
    }

    private EinsumTerm permuted(int[] axes) {
        boolean identity = true;
        for (int i = 0; i < axes.length; i++) {
            identity &= axes[i] == i;
        }
        return identity ? this : next(tensor.permute(axes), Arrays.stream(axes).map(i -> labels[i]).toArray());
    }

    /** The term of {@code result}, made from this one's tensor, which is released unless the graph reads it. */
    private EinsumTerm next(Tensor result, int[] resultLabels) {
        release(result);
        return new EinsumTerm(result, resultLabels, operand);
    }

    /** Closes this term's tensor, an intermediate of {@code result}, unless it is the operand or recorded. */
    void release(Tensor result) {
        Tensor.releaseIntermediate(tensor, operand, result);
    }

    /** As {@link #release(Tensor)}, with {@code view}, a view of this term's tensor that {@code result} was made of. */
    void release(Tensor view, Tensor result) {
        Tensor.releaseIntermediate(view, operand, result);
        release(result);
    }
}
