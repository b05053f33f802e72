package dev.kiln.engine;

import java.nio.LongBuffer;

/**
 * PyTorch's {@code cummax} and {@code cummin} along one axis: the running maximum (minimum) and where along the axis it
 * was, by a Hillis-Steele scan over (value, index) pairs, as {@link CumsumOps} scans sums: ceil(log2 n) rounds, each
 * comparing every pair with the one 2^r places before it. A later element wins ties, as PyTorch's {@code >=}
 * ({@code <=}) gives, and NaN beats every number, the later NaN beating an earlier one, so the values propagate NaN
 * from the first NaN on with the index of the latest NaN; both rules are associative, so the scan gives what
 * PyTorch's loop gives. The values' gradient goes to the positions the indices name ({@code scatter_add}, as
 * PyTorch's).
 */
final class CumulativeExtremaOps {
    private CumulativeExtremaOps() {
    }

    static IndexedValues cummax(Tensor x, int axis) {
        return scan("cummax", x, axis, true);
    }

    static IndexedValues cummin(Tensor x, int axis) {
        return scan("cummin", x, axis, false);
    }

    private static IndexedValues scan(String op, Tensor x, int axis, boolean max) {
        Checks.open(op, x);
        Checks.floating(op, x);
        int a = Axes.axis(op, x.shape(), axis);
        Tensor indices = Composite.untracked(() -> indices(x, a, max));
        Tensor values = Composite.op(op, x, () -> x.gather(a, indices),
                (out, g) -> g.fullLike(0).scatterAdd(a, indices, g));
        return new IndexedValues(values, indices);
    }

    /** The index (I64) of the running maximum (minimum) at each position along {@code axis}. */
    private static Tensor indices(Tensor x, int axis, boolean max) {
        int n = x.dim(axis);
        Tensor values = x;
        Tensor indices = positions(x, axis);
        double identity = max ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        for (int shift = 1; shift < n; shift *= 2) {
            try (Scope round = Scope.open()) {
                Tensor earlierValues = PadOps.padAxis(values, axis, shift, -shift, identity);
                Tensor earlierIndices = PadOps.padAxis(indices, axis, shift, -shift, 0);
                // The earlier pair wins where it is strictly beyond the later one, or NaN beside a number.
                Tensor beyond = max ? earlierValues.gt(values) : earlierValues.lt(values);
                Tensor earlierWins = beyond.add(earlierValues.isnan().mul(values.isnan().eq(0))).gt(0);
                Tensor nextValues = round.keep(Tensor.where(earlierWins, earlierValues, values));
                Tensor nextIndices = round.keep(Tensor.where(earlierWins.to(DType.I64), earlierIndices, indices));
                if (values != x) {
                    values.close();
                }
                indices.close();
                values = nextValues;
                indices = nextIndices;
            }
        }
        return indices;
    }

    /** 0, 1, ..., n - 1 along {@code axis} (I64, x's shape, on x's backend). */
    private static Tensor positions(Tensor x, int axis) {
        int n = x.dim(axis);
        long[] ramp = new long[n];
        for (int i = 0; i < n; i++) {
            ramp[i] = i;
        }
        Tensor line = x.emptyLike(Shape.of(n), DType.I64);
        x.backend().copyFromHost(LongBuffer.wrap(ramp), line);
        int[] dims = new int[x.rank()];
        java.util.Arrays.fill(dims, 1);
        dims[axis] = n;
        return line.reshape(dims).expand(x.shape().dims());
    }
}
