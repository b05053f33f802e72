package dev.kiln.engine;

import java.util.List;
import java.util.function.IntFunction;

/**
 * PyTorch's {@code take}, out-of-place {@code put}, {@code index_put} ({@code x[i, j] = v}) and advanced indexing
 * {@code x[i, j]}, all on flat positions: the index tensors, negative values counted from the end as PyTorch counts
 * them, become one index into the leading axes flattened, which {@code gather}, {@code indexSelect}, {@code indexAdd}
 * and {@code indexCopy} use, so their gradients are those ops' and can be differentiated again.
 */
final class AdvancedIndexOps {
    private AdvancedIndexOps() {
    }

    static Tensor take(Tensor x, Tensor index) {
        String op = "take";
        Checks.open(op, x, index);
        Checks.index(op, index);
        Checks.sameBackend(op, x, index);
        Tensor flat = wrapped(op, index, x.size(), "the " + x.size() + " elements of " + x.shape());
        Tensor out = SelectionOps.takeAlongDim(x, flat);
        Tensor.releaseIntermediate(flat, index, out);
        return out;
    }

    static Tensor put(Tensor x, Tensor index, Tensor source, boolean accumulate) {
        String op = "put";
        Checks.compatible(op, x, source);
        Checks.open(op, index);
        Checks.index(op, index);
        Checks.sameBackend(op, x, index);
        if (index.size() != source.size()) {
            throw new IllegalArgumentException(op + ": index " + index.shape() + " and source " + source.shape()
                    + " must hold as many elements, got " + index.size() + " and " + source.size());
        }
        Tensor flat = wrapped(op, index, x.size(), "the " + x.size() + " elements of " + x.shape());
        Tensor out = ScatterOps.recorded(() -> assign(x.reshape(-1), flat.reshape(-1), source.reshape(-1), accumulate)
                .reshape(x.shape().dims()), x, source);
        Tensor.releaseIntermediate(flat, index, out);
        return out;
    }

    static Tensor indexPut(Tensor x, List<Tensor> indices, Tensor values, boolean accumulate) {
        String op = "indexPut";
        Checks.compatible(op, x, values);
        Positions at = positions(op, x, indices, axisOf(x));
        Shape target = at.selected(x.shape());
        try {
            checkValues(op, values.shape(), target);
        } catch (IllegalArgumentException e) {
            at.flat().close();
            throw e;
        }
        Tensor out = ScatterOps.recorded(() -> {
            Tensor spread = values.shape().equals(target) ? values : values.expand(target.dims());
            Tensor rows = spread.reshape(at.rows(x.shape()).with(0, (int) at.flat().size()).dims());
            return assign(x.reshape(at.rows(x.shape()).dims()), at.flat(), rows, accumulate).reshape(x.shape().dims());
        }, x, values);
        Tensor.releaseIntermediate(at.flat(), x, out);
        return out;
    }

    /** Refuses {@code values} that do not broadcast to the indexed shape {@code target}. */
    static void checkValues(String op, Shape values, Shape target) {
        if (!Shape.broadcast(op + " (values and the indexed shape)", values, target).equals(target)) {
            throw new IllegalArgumentException(op + ": values " + values + " must broadcast to the indexed shape "
                    + target);
        }
    }

    static Tensor index(Tensor x, List<Tensor> indices) {
        return index("index", x, indices, axisOf(x));
    }

    /** {@link #index} as op {@code op}, where an index out of range is reported as out of the axis {@code of} names. */
    static Tensor index(String op, Tensor x, List<Tensor> indices, IntFunction<String> of) {
        Checks.open(op, x);
        Positions at = positions(op, x, indices, of);
        Tensor out = ScatterOps.recorded(() -> x.reshape(at.rows(x.shape()).dims()).indexSelect(0, at.flat())
                .reshape(at.selected(x.shape()).dims()), x);
        Tensor.releaseIntermediate(at.flat(), x, out);
        return out;
    }

    /** Adds {@code rows} into x's rows at {@code flat}, or copies them there (the last of repeated ones wins). */
    private static Tensor assign(Tensor x, Tensor flat, Tensor rows, boolean accumulate) {
        return accumulate ? x.indexAdd(0, flat, rows) : ScatterOps.indexCopy(x, 0, flat, rows);
    }

    /**
     * Where index tensors into the leading axes point.
     *
     * @param flat  I64, one row of the leading axes flattened for each element of the broadcast index shape
     * @param shape the index tensors' broadcast shape
     * @param axes  how many leading axes they index
     */
    private record Positions(Tensor flat, Shape shape, int axes) {
        /** The shape x[i, j, ...] has: the index shape, then x's axes past the indexed ones. */
        Shape selected(Shape x) {
            int[] dims = new int[shape.rank() + x.rank() - axes];
            System.arraycopy(shape.dims(), 0, dims, 0, shape.rank());
            System.arraycopy(x.dims(), axes, dims, shape.rank(), x.rank() - axes);
            return Shape.of(dims);
        }

        /** x's shape with the indexed axes flattened into one. */
        Shape rows(Shape x) {
            int[] dims = new int[1 + x.rank() - axes];
            dims[0] = Math.toIntExact(x.outer(axes));
            System.arraycopy(x.dims(), axes, dims, 1, x.rank() - axes);
            return Shape.of(dims);
        }
    }

    /** Names axis j of x as the errors of an index out of range name it. */
    private static IntFunction<String> axisOf(Tensor x) {
        return j -> "axis " + j + " of " + x.shape();
    }

    /**
     * The flat row each broadcast combination of {@code indices} (one per leading axis of x) points to; {@code of}
     * names axis j in errors.
     */
    private static Positions positions(String op, Tensor x, List<Tensor> indices, IntFunction<String> of) {
        if (indices.isEmpty() || indices.size() > x.rank()) {
            throw new IllegalArgumentException(op + ": " + indices.size() + " index tensors for " + x.shape()
                    + ", expected 1 to " + x.rank());
        }
        Shape shape = Shape.scalar();
        for (int j = 0; j < indices.size(); j++) {
            Tensor index = indices.get(j);
            Checks.open(op, index);
            Checks.index(op, index);
            Checks.sameBackend(op, x, index);
            shape = Shape.broadcast(op + " (index tensors)", shape, index.shape());
        }
        int axes = indices.size();
        long rows = x.shape().outer(axes);
        Tensor flat = Composite.untracked(() -> {
            Tensor sum = null;
            for (int j = 0; j < axes; j++) {
                Tensor wrapped = wrapped(op, indices.get(j), x.dim(j), of.apply(j));
                long stride = 1;
                for (int k = j + 1; k < axes; k++) {
                    stride *= x.dim(k);
                }
                Tensor whole = wrapped.to(DType.I64);
                Tensor term = ElementwiseOps.integerArithmetic(BinaryOp.MUL, whole,
                        whole.fullLike(stride, Shape.scalar()));
                sum = sum == null ? term : ElementwiseOps.integerArithmetic(BinaryOp.ADD, sum, term);
            }
            return sum;
        });
        Shape broadcast = shape;
        Tensor full = flat.shape().equals(broadcast) ? flat : Tensor.consume(flat, x, f -> f.expand(broadcast.dims()));
        Tensor rowIndex = Tensor.consume(full, x, f -> f.reshape(-1));
        return new Positions(rowIndex.withValueRange(0, rows - 1), shape, axes);
    }

    /**
     * {@code index} with its negative values counted from the end, as PyTorch counts them: the tensor itself where
     * none is negative, else a copy made on the host. Each value must lie in [-n, n); {@code of} names what it indexes.
     */
    static Tensor wrapped(String op, Tensor index, long n, String of) {
        long[] known = index.knownValueRange();
        if (known != null && known[0] >= 0 && known[1] < n) {
            return index;
        }
        long[] values = index.toLongArray();
        boolean negative = false;
        for (long v : values) {
            if (v < -n || v >= n) {
                throw new IllegalArgumentException(op + ": index " + v + " is out of range [" + -n + ", " + n
                        + ") for " + of);
            }
            negative |= v < 0;
        }
        if (!negative) {
            return index;
        }
        for (int k = 0; k < values.length; k++) {
            values[k] = values[k] < 0 ? values[k] + n : values[k];
        }
        return HostValues.longs(index, values, index.shape().dims());
    }
}
