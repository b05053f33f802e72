package dev.kiln.engine;

/**
 * PyTorch's {@code outer} and {@code kron}: every product of an element of a with an element of b, as one broadcast
 * multiplication of the two reshaped so that their axes interleave, then reshaped to the result. Differentiable to any
 * order through the multiplication; F32 or F64 of one dtype.
 */
final class OuterProductOps {
    private OuterProductOps() {
    }

    /** a [n] and b [m] to [n, m], element (i, j) = a[i] b[j]. */
    static Tensor outer(Tensor a, Tensor b) {
        String op = "outer";
        Checks.compatible(op, a, b);
        Checks.floating(op, a);
        if (a.rank() != 1 || b.rank() != 1) {
            throw new IllegalArgumentException(op + ": needs two vectors, got shapes " + a.shape() + " and " + b.shape());
        }
        return Tensor.consume(a.reshape(a.dim(0), 1), a, column -> Tensor.consume(b.reshape(1, b.dim(0)), b,
                column::mul));
    }

    /**
     * The Kronecker product: both taken to the larger rank r with leading 1s, the result [a0 b0, ..., a(r-1) b(r-1)]
     * holds a[i] b[j] at {@code i_k * b_k + j_k} along each axis k.
     */
    static Tensor kron(Tensor a, Tensor b) {
        String op = "kron";
        Checks.compatible(op, a, b);
        Checks.floating(op, a);
        int rank = Math.max(a.rank(), b.rank());
        int[] da = padded(a.shape(), rank);
        int[] db = padded(b.shape(), rank);
        int[] interleavedA = new int[2 * rank];
        int[] interleavedB = new int[2 * rank];
        int[] out = new int[rank];
        for (int k = 0; k < rank; k++) {
            interleavedA[2 * k] = da[k];
            interleavedA[2 * k + 1] = 1;
            interleavedB[2 * k] = 1;
            interleavedB[2 * k + 1] = db[k];
            out[k] = Checks.dimension(op, "axis " + k, (long) da[k] * db[k]);
        }
        Tensor product = Tensor.consume(a.reshape(interleavedA), a, blocks -> Tensor.consume(b.reshape(interleavedB), b,
                blocks::mul));
        return Tensor.consume(product, a, p -> p.reshape(out));
    }

    /** The dimensions of {@code shape} with leading 1s up to {@code rank}. */
    private static int[] padded(Shape shape, int rank) {
        int[] d = new int[rank];
        java.util.Arrays.fill(d, 1);
        System.arraycopy(shape.dims(), 0, d, rank - shape.rank(), shape.rank());
        return d;
    }
}
