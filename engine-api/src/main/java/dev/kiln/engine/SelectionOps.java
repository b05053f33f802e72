package dev.kiln.engine;

/**
 * PyTorch's {@code take_along_dim}, {@code masked_select} and {@code nonzero}/{@code argwhere}. Take-along broadcasts
 * the input and the indices over every axis but the one taken along and gathers ({@code gather}, whose gradient
 * scatters back). Masked selection and nonzero give as many elements as the mask holds non-zeros, so they read the
 * mask on the host (as PyTorch waits for the device) and select with an index uploaded from there
 * ({@code indexSelect}, whose gradient adds back).
 */
final class SelectionOps {
    private SelectionOps() {
    }

    /** Elements of x at {@code indices} along {@code axis}, both broadcast over the other axes. */
    static Tensor takeAlongDim(Tensor x, Tensor indices, int axis) {
        String op = "takeAlongDim";
        Checks.open(op, x, indices);
        Checks.index(op, indices);
        if (indices.rank() != x.rank()) {
            throw new IllegalArgumentException(op + ": indices " + indices.shape() + " must have the rank of the input "
                    + x.shape() + ", " + x.rank() + ", got " + indices.rank());
        }
        int a = Axes.axis(op, x.shape(), axis);
        Shape others = Shape.broadcast(op + " (input and indices outside axis " + a + ")", x.shape().with(a, 1),
                indices.shape().with(a, 1));
        Tensor source = broadcast(x, others.with(a, x.dim(a)));
        Tensor index = broadcast(indices, others.with(a, indices.dim(a)));
        return Tensor.consume(source, x, s -> Tensor.consume(index, indices, i -> s.gather(a, i)));
    }

    /** Elements of x flattened at the flat {@code indices}, in indices' shape. */
    static Tensor takeAlongDim(Tensor x, Tensor indices) {
        Checks.open("takeAlongDim", x, indices);
        Checks.index("takeAlongDim", indices);
        Tensor taken = Tensor.consume(x.reshape(-1), x, flat -> Tensor.consume(indices.reshape(-1), indices,
                i -> flat.gather(0, i)));
        return Tensor.consume(taken, x, t -> t.reshape(indices.shape().dims()));
    }

    private static Tensor broadcast(Tensor t, Shape shape) {
        return t.shape().equals(shape) ? t : t.expand(shape.dims());
    }

    /** The elements of x where {@code mask} (broadcast with x) is non-zero, in row-major order: a vector. */
    static Tensor maskedSelect(Tensor x, Tensor mask) {
        String op = "maskedSelect";
        Checks.open(op, x, mask);
        Checks.sameBackend(op, x, mask);
        Shape shape = Shape.broadcast(op, x.shape(), mask.shape());
        Tensor fullMask = broadcast(mask, shape);
        long[] flat = flatNonzero(fullMask);
        if (fullMask != mask) {
            fullMask.close();
        }
        Tensor index = HostValues.longs(x, flat, flat.length);
        Tensor elements = Tensor.consume(broadcast(x, shape), x, b -> b.reshape(-1));
        return Tensor.consume(index, x, i -> Tensor.consume(elements, x, e -> e.indexSelect(0, i)));
    }

    /** The indices (I64) of x's non-zero elements (NaN included), one row each: [count, rank], row-major order. */
    static Tensor nonzero(Tensor x) {
        Checks.open("nonzero", x);
        long[] flat = flatNonzero(x);
        int rank = x.rank();
        long[] strides = x.shape().strides();
        long[] rows = new long[flat.length * rank];
        for (int i = 0; i < flat.length; i++) {
            for (int k = 0; k < rank; k++) {
                rows[i * rank + k] = flat[i] / strides[k] % x.dim(k);
            }
        }
        return HostValues.longs(x, rows, flat.length, rank);
    }

    /** The row-major positions of t's non-zero elements. */
    private static long[] flatNonzero(Tensor t) {
        double[] values = t.toDoubleArray();
        return java.util.stream.IntStream.range(0, values.length).filter(i -> values[i] != 0).asLongStream().toArray();
    }
}
