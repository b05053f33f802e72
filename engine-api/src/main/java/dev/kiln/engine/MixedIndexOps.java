package dev.kiln.engine;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;
import java.util.stream.IntStream;
import java.util.stream.LongStream;

/**
 * PyTorch's subscripts {@code x[...]} that mix integers, slices, new axes, an ellipsis, index tensors and masks
 * ({@link Idx}), read and written. Reading applies the basic entries first (narrow, indexSelect for a step, squeeze,
 * unsqueeze), turns each mask into index tensors of its non-zero positions, moves the advanced axes first and gathers
 * them with {@link AdvancedIndexOps#index}, then moves the broadcast index shape to where PyTorch puts it. All of these
 * are recorded ops, so the gradient is theirs: the gather's is a scatter-add, which sums repeated positions. Writing
 * reads the same subscript from a tensor of x's flat positions and {@link Tensor#put}s the values there.
 */
final class MixedIndexOps {
    private MixedIndexOps() {
    }

    static Tensor index(Tensor x, Idx[] indices) {
        Checks.open("index", x);
        return Composite.composed(() -> select("index", x, indices), x);
    }

    static Tensor indexPut(Tensor x, Idx[] indices, Tensor values, boolean accumulate) {
        String op = "indexPut";
        Checks.compatible(op, x, values);
        // The selected positions lie in x by construction; recording that spares put a read-back of them.
        Tensor positions = Composite.untracked(() -> select(op, flatPositions(x), indices))
                .withValueRange(0, Math.max(0, x.size() - 1));
        Shape target = positions.shape();
        try {
            AdvancedIndexOps.checkValues(op, values.shape(), target);
        } catch (IllegalArgumentException e) {
            positions.close();
            throw e;
        }
        Tensor out = Composite.composed(() -> x.put(positions,
                values.shape().equals(target) ? values : values.expand(target.dims()), accumulate), x, values);
        Tensor.releaseIntermediate(positions, x, out);
        return out;
    }

    static Tensor indexPut(Tensor x, Idx[] indices, double value, boolean accumulate) {
        Checks.open("indexPut", x);
        Tensor scalar = x.fullLike(value, Shape.scalar());
        Tensor out;
        try {
            out = indexPut(x, indices, scalar, accumulate);
        } catch (RuntimeException e) {
            scalar.close();
            throw e;
        }
        Tensor.releaseIntermediate(scalar, x, out);
        return out;
    }

    /**
     * {@code [0, 1, ..., n - 1]} in x's shape, I64 on x's backend: what a subscript of x selects, as positions. Summed
     * on the backend from each axis's positions times its stride, so that the host writes the axes' sizes, not n.
     */
    private static Tensor flatPositions(Tensor x) {
        long[] strides = x.shape().strides();
        Tensor sum = HostValues.longs(x, new long[] {0});
        for (int k = 0; k < x.rank(); k++) {
            long stride = strides[k];
            int[] dims = new int[x.rank()];
            Arrays.fill(dims, 1);
            dims[k] = x.dim(k);
            Tensor along = HostValues.longs(x, LongStream.range(0, x.dim(k)).map(i -> i * stride).toArray(), dims);
            sum = ElementwiseOps.integerArithmetic(BinaryOp.ADD, sum, along);
        }
        return sum;
    }

    /** x[indices]; errors name {@code op} and x's axes. */
    private static Tensor select(String op, Tensor x, Idx[] indices) {
        Tensor y = x;
        List<Tensor> advanced = new ArrayList<>(); // for each axis of y, its index tensor or null
        List<Integer> origins = new ArrayList<>(); // for each axis of y, the axis of x it was (for errors)
        int axis = 0;
        for (Idx entry : withoutEllipsis(op, x, indices)) {
            int at = advanced.size();
            if (selectsOnePosition(entry)) {
                y = y.narrow(at, wrapped(op, position(op, entry), x, axis), 1).squeeze(at);
                axis++;
            } else if (entry instanceof Idx.Slice s) {
                y = sliced(y, at, s);
                advanced.add(null);
                origins.add(axis++);
            } else if (entry instanceof Idx.NewAxis) {
                y = y.unsqueeze(at);
                advanced.add(null);
                origins.add(-1);
            } else if (entry instanceof Idx.IndexTensor t) {
                advanced.add(t.index());
                origins.add(axis++);
            } else if (entry instanceof Idx.Mask m) {
                for (Tensor coordinate : maskCoordinates(op, x, axis, m.mask())) {
                    advanced.add(coordinate);
                    origins.add(axis++);
                }
            }
        }
        while (advanced.size() < y.rank()) {
            advanced.add(null);
            origins.add(axis++);
        }
        return gathered(op, y, advanced, k -> "axis " + origins.get(k) + " of " + x.shape());
    }

    /**
     * The entries with the ellipsis replaced by whole axes; refuses a null entry, more than one ellipsis and entries
     * for more axes than x has.
     */
    private static List<Idx> withoutEllipsis(String op, Tensor x, Idx[] indices) {
        int covered = 0;
        int ellipses = 0;
        for (int k = 0; k < indices.length; k++) {
            Idx entry = indices[k];
            if (entry == null) {
                // Skipped, it would select as if absent; a Python user may mean None, a new axis.
                throw new IllegalArgumentException(op + ": entry " + k + " of the subscript is null (PyTorch's None is"
                        + " Idx.newAxis())");
            }
            if (entry instanceof Idx.Mask m) {
                covered += m.mask().rank();
            } else if (entry instanceof Idx.Ellipsis) {
                ellipses++;
            } else if (!(entry instanceof Idx.NewAxis)) {
                covered++;
            }
        }
        if (ellipses > 1) {
            throw new IllegalArgumentException(op + ": a subscript may hold one ellipsis, got " + ellipses);
        }
        if (covered > x.rank()) {
            throw new IllegalArgumentException(op + ": too many indices for " + x.shape() + ": they index " + covered
                    + " axes, its rank is " + x.rank());
        }
        List<Idx> entries = new ArrayList<>();
        for (Idx entry : indices) {
            if (entry instanceof Idx.Ellipsis) {
                for (int k = covered; k < x.rank(); k++) {
                    entries.add(Idx.all());
                }
            } else {
                entries.add(entry);
            }
        }
        return entries;
    }

    /**
     * Whether {@code entry} is an integer: {@link Idx.At}, or an index tensor of no axes, with which PyTorch selects
     * as with an integer, so that it neither separates the index tensors around it nor broadcasts with them.
     */
    private static boolean selectsOnePosition(Idx entry) {
        return entry instanceof Idx.At || entry instanceof Idx.IndexTensor t && t.index().rank() == 0;
    }

    /** The position an entry that {@link #selectsOnePosition} names; a tensor's is read on the host, as in PyTorch. */
    private static long position(String op, Idx entry) {
        if (entry instanceof Idx.At a) {
            return a.index();
        }
        Tensor index = ((Idx.IndexTensor) entry).index();
        Checks.open(op, index);
        Checks.index(op, index);
        return index.toLongArray()[0];
    }

    /** Integer {@code index} into axis {@code axis} of x, negative counted from the end. */
    private static int wrapped(String op, long index, Tensor x, int axis) {
        int n = x.dim(axis);
        if (index < -n || index >= n) {
            throw new IllegalArgumentException(op + ": index " + index + " is out of range [" + -n + ", " + n
                    + ") for axis " + axis + " of " + x.shape());
        }
        return (int) (index < 0 ? index + n : index);
    }

    /** Axis {@code at} of y sliced as Python slices: bounds clipped to the axis, negative ones counted from its end. */
    private static Tensor sliced(Tensor y, int at, Idx.Slice s) {
        int n = y.dim(at);
        int start = clipped(s.start(), n);
        int stop = clipped(s.stop(), n);
        int length = stop > start ? (int) (((long) stop - start + s.step() - 1) / s.step()) : 0;
        if (s.step() == 1) {
            return length == n ? y : y.narrow(at, start, length);
        }
        long[] picks = LongStream.range(0, length).map(k -> start + k * s.step()).toArray();
        return y.indexSelect(at, HostValues.longs(y, picks, length));
    }

    private static int clipped(int bound, int n) {
        return bound < 0 ? Math.max(0, bound + n) : Math.min(bound, n);
    }

    /**
     * One I64 vector per axis of the mask: the coordinates of its non-zero elements in row-major order. The mask must
     * have the shape of x's axes from {@code axis} on that it covers; it is read on the host.
     */
    private static List<Tensor> maskCoordinates(String op, Tensor x, int axis, Tensor mask) {
        Checks.open(op, mask);
        Checks.sameBackend(op, x, mask);
        int rank = mask.rank();
        Shape covered = Shape.of(Arrays.copyOfRange(x.shape().dims(), axis, axis + rank));
        if (rank == 0 || !covered.equals(mask.shape())) {
            throw new IllegalArgumentException(op + ": mask " + mask.shape() + " does not match the axes from " + axis
                    + " of " + x.shape() + ", which are " + covered);
        }
        double[] values = mask.toDoubleArray();
        int[] selected = IntStream.range(0, values.length).filter(i -> values[i] != 0).toArray();
        long[] strides = mask.shape().strides();
        List<Tensor> coordinates = new ArrayList<>();
        for (int k = 0; k < rank; k++) {
            int d = k;
            long[] along = IntStream.of(selected).mapToLong(i -> i / strides[d] % mask.dim(d)).toArray();
            coordinates.add(HostValues.longs(x, along, along.length));
        }
        return coordinates;
    }

    /**
     * y gathered at the index tensors of {@code advanced} (null for an axis taken whole): their broadcast shape takes
     * the place of the indexed axes where these are adjacent, else it leads, as in PyTorch; {@code axisName} names
     * axis k of y in errors.
     */
    private static Tensor gathered(String op, Tensor y, List<Tensor> advanced, IntFunction<String> axisName) {
        int[] indexed = IntStream.range(0, advanced.size()).filter(k -> advanced.get(k) != null).toArray();
        if (indexed.length == 0) {
            return y;
        }
        int[] whole = IntStream.range(0, advanced.size()).filter(k -> advanced.get(k) == null).toArray();
        int[] order = IntStream.concat(IntStream.of(indexed), IntStream.of(whole)).toArray();
        boolean inOrder = IntStream.range(0, order.length).allMatch(k -> order[k] == k);
        Tensor leading = inOrder ? y : y.permute(order);
        List<Tensor> tensors = IntStream.of(indexed).mapToObj(advanced::get).toList();
        Tensor out = AdvancedIndexOps.index(op, leading, tensors, j -> axisName.apply(indexed[j]));
        int first = indexed[0];
        boolean adjacent = indexed[indexed.length - 1] - first == indexed.length - 1;
        int broadcastRank = out.rank() - whole.length;
        if (!adjacent || first == 0 || broadcastRank == 0) {
            return out;
        }
        return out.movedim(IntStream.range(0, broadcastRank).toArray(),
                IntStream.range(first, first + broadcastRank).toArray());
    }
}
