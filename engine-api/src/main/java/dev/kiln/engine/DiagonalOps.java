package dev.kiln.engine;

/**
 * PyTorch's {@code diagonal}, {@code diag_embed}, {@code diag} and {@code trace}. A diagonal of the matrices in axes
 * (dim1, dim2) is read by moving those axes to the end, flattening them and selecting the flat positions
 * {@code (i + r0) * n2 + (i + c0)} ({@code indexSelect} with an index uploaded from the host, L longs); embedding
 * writes a vector into those positions of zeros ({@code indexAdd}) and moves the axes into place. Each is the other's
 * gradient, so both are differentiable to any order and run on every backend.
 */
final class DiagonalOps {
    private DiagonalOps() {
    }

    /** The diagonal {@code offset} of x's matrices in axes (dim1, dim2): those axes removed, the diagonal last. */
    static Tensor diagonal(Tensor x, int offset, int dim1, int dim2) {
        String op = "diagonal";
        Checks.open(op, x);
        int[] axes = pair(op, x.shape(), dim1, dim2);
        Shape source = x.shape();
        return Composite.op(op, x, () -> selected(x, offset, axes[0], axes[1]),
                (out, g) -> embedded(g, offset, source, axes[0], axes[1]));
    }

    /** x's last axis (n) written on diagonal {@code offset} of new [n + |offset|, n + |offset|] matrices in (dim1, dim2). */
    static Tensor diagEmbed(Tensor x, int offset, int dim1, int dim2) {
        String op = "diagEmbed";
        Checks.open(op, x);
        if (x.rank() < 1) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 1 dimension (vectors in the last),"
                    + " got shape " + x.shape());
        }
        int m = Checks.dimension(op, "the matrix side", x.dim(-1) + Math.abs((long) offset));
        Shape withSides = x.shape().with(x.rank() - 1, m).insert(x.rank(), m);
        int[] axes = pair(op, withSides, dim1, dim2);
        Shape out = placed(withSides, axes[0], axes[1]);
        return Composite.op(op, x, () -> embedded(x, offset, out, axes[0], axes[1]),
                (y, g) -> selected(g, offset, axes[0], axes[1]));
    }

    /** PyTorch's {@code diag}: a vector's matrix with it on diagonal {@code offset}, or a matrix's diagonal. */
    static Tensor diag(Tensor x, int offset) {
        Checks.open("diag", x);
        return switch (x.rank()) {
            case 1 -> diagEmbed(x, offset, 0, 1);
            case 2 -> diagonal(x, offset, 0, 1);
            default -> throw new IllegalArgumentException("diag: needs a vector or a matrix, got shape " + x.shape());
        };
    }

    /** The sum of a matrix's main diagonal, a scalar. */
    static Tensor trace(Tensor x) {
        Checks.open("trace", x);
        if (x.rank() != 2) {
            throw new IllegalArgumentException("trace: needs a matrix, got shape " + x.shape());
        }
        Checks.floating("trace", x);
        return Tensor.consume(diagonal(x, 0, 0, 1), x, Tensor::sum);
    }

    /** (dim1, dim2) of {@code shape}, negative ones counted from the end; they must differ. */
    private static int[] pair(String op, Shape shape, int dim1, int dim2) {
        if (shape.rank() < 2) {
            throw new IllegalArgumentException(op + ": needs a tensor of at least 2 dimensions, got shape " + shape);
        }
        int a = Axes.axis(op, shape, dim1);
        int b = Axes.axis(op, shape, dim2);
        if (a == b) {
            throw new IllegalArgumentException(op + ": dim1 " + dim1 + " and dim2 " + dim2 + " are the same axis " + a
                    + " of shape " + shape + "; they must differ");
        }
        return new int[] {a, b};
    }

    /** The other axes of {@code rank}, in order, then a and b. */
    private static int[] toEnd(int rank, int a, int b) {
        int[] perm = new int[rank];
        int k = 0;
        for (int i = 0; i < rank; i++) {
            if (i != a && i != b) {
                perm[k++] = i;
            }
        }
        perm[k++] = a;
        perm[k] = b;
        return perm;
    }

    private static boolean identity(int[] perm) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] != i) {
                return false;
            }
        }
        return true;
    }

    private static Tensor permuted(Tensor x, int[] perm) {
        return identity(perm) ? x : x.permute(perm);
    }

    /** {@code withSides} [rest..., m, m] with its last two axes moved to a and b (the shape diagEmbed gives). */
    private static Shape placed(Shape withSides, int a, int b) {
        int[] dims = new int[withSides.rank()];
        int[] perm = toEnd(withSides.rank(), a, b);
        for (int i = 0; i < perm.length; i++) {
            dims[perm[i]] = withSides.dim(i);
        }
        return Shape.of(dims);
    }

    /** The flat positions in [n1 * n2] of diagonal {@code offset} of an [n1, n2] matrix, in order. */
    private static long[] positions(int n1, int n2, int offset) {
        long r0 = Math.max(0, -(long) offset);
        long c0 = Math.max(0, (long) offset);
        int length = (int) Math.max(0, Math.min(n1 - r0, n2 - c0));
        long[] flat = new long[length];
        for (int i = 0; i < length; i++) {
            flat[i] = (i + r0) * n2 + (i + c0);
        }
        return flat;
    }

    private static Tensor selected(Tensor x, int offset, int a, int b) {
        int n1 = x.dim(a);
        int n2 = x.dim(b);
        long[] flat = positions(n1, n2, offset);
        Tensor moved = permuted(x, toEnd(x.rank(), a, b));
        Shape rest = moved.shape().without(x.rank() - 1).without(x.rank() - 2);
        Tensor matrices = moved.reshape(rest.insert(rest.rank(), n1 * n2).dims());
        return matrices.indexSelect(-1, HostValues.longs(x, flat, flat.length));
    }

    /** {@code v} [rest..., L] written on diagonal {@code offset} of zeros of shape {@code out} in axes (a, b). */
    private static Tensor embedded(Tensor v, int offset, Shape out, int a, int b) {
        int n1 = out.dim(a);
        int n2 = out.dim(b);
        long[] flat = positions(n1, n2, offset);
        int[] perm = toEnd(out.rank(), a, b);
        Shape rest = v.shape().without(v.rank() - 1);
        Tensor zeros = v.fullLike(0, rest.insert(rest.rank(), n1 * n2));
        Tensor filled = zeros.indexAdd(-1, HostValues.longs(v, flat, flat.length), v);
        Tensor matrices = filled.reshape(rest.insert(rest.rank(), n1).insert(rest.rank() + 1, n2).dims());
        int[] inverse = new int[perm.length];
        for (int i = 0; i < perm.length; i++) {
            inverse[perm[i]] = i;
        }
        return permuted(matrices, inverse);
    }
}
