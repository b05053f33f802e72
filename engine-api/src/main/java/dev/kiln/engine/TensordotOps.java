package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch's {@code tensordot}: a's axes {@code dimsA} summed against b's {@code dimsB} pair by pair. Both are permuted
 * so that the contracted axes meet (a's last, b's first, in the pairs' order; no copy where they already are), flattened
 * to [M, K] and [K, N], multiplied as one matrix product and reshaped to a's free axes then b's. Differentiable to any
 * order through the matrix product; F32 or F64 of one dtype.
 */
final class TensordotOps {
    private TensordotOps() {
    }

    /** a's last {@code dims} axes against b's first {@code dims}, in order. */
    static Tensor tensordot(Tensor a, Tensor b, int dims) {
        Checks.open("tensordot", a, b);
        if (dims < 0 || dims > a.rank() || dims > b.rank()) {
            throw new IllegalArgumentException("tensordot: dims " + dims + " must be in [0, " + Math.min(a.rank(), b.rank())
                    + "] for shapes " + a.shape() + " and " + b.shape());
        }
        int[] dimsA = new int[dims];
        int[] dimsB = new int[dims];
        for (int i = 0; i < dims; i++) {
            dimsA[i] = a.rank() - dims + i;
            dimsB[i] = i;
        }
        return tensordot(a, b, dimsA, dimsB);
    }

    static Tensor tensordot(Tensor a, Tensor b, int[] dimsA, int[] dimsB) {
        String op = "tensordot";
        Checks.compatible(op, a, b);
        Checks.floating(op, a);
        if (dimsA.length != dimsB.length) {
            throw new IllegalArgumentException(op + ": dimsA " + Arrays.toString(dimsA) + " and dimsB "
                    + Arrays.toString(dimsB) + " must pair up, got " + dimsA.length + " and " + dimsB.length + " axes");
        }
        int[] ca = axes(op, a.shape(), dimsA);
        int[] cb = axes(op, b.shape(), dimsB);
        long k = 1;
        for (int i = 0; i < ca.length; i++) {
            if (a.dim(ca[i]) != b.dim(cb[i])) {
                throw new IllegalArgumentException(op + ": axis " + dimsA[i] + " of a " + a.shape() + " has size "
                        + a.dim(ca[i]) + " but axis " + dimsB[i] + " of b " + b.shape() + " has size " + b.dim(cb[i]));
            }
            k *= a.dim(ca[i]);
        }
        int[] freeA = free(a.rank(), ca);
        int[] freeB = free(b.rank(), cb);
        int inner = Checks.dimension(op, "the contracted size", k);
        Tensor left = flattened(a, concat(freeA, ca), size(a, freeA), inner);
        Tensor right = flattened(b, concat(cb, freeB), inner, size(b, freeB));
        int[] out = new int[freeA.length + freeB.length];
        for (int i = 0; i < freeA.length; i++) {
            out[i] = a.dim(freeA[i]);
        }
        for (int i = 0; i < freeB.length; i++) {
            out[freeA.length + i] = b.dim(freeB[i]);
        }
        Tensor product = Tensor.consume(left, a, l -> Tensor.consume(right, b, l::matmul));
        return Tensor.consume(product, a, p -> p.reshape(out));
    }

    /** {@code axes} of {@code shape}, negative ones from the end, in the order given; each named once. */
    private static int[] axes(String op, Shape shape, int[] axes) {
        Axes.distinct(op, shape, axes);
        int[] normalised = new int[axes.length];
        for (int i = 0; i < axes.length; i++) {
            normalised[i] = Axes.axis(op, shape, axes[i]);
        }
        return normalised;
    }

    /** The axes of {@code rank} not in {@code contracted}, in order. */
    private static int[] free(int rank, int[] contracted) {
        return java.util.stream.IntStream.range(0, rank)
                .filter(i -> Arrays.stream(contracted).noneMatch(c -> c == i)).toArray();
    }

    private static int[] concat(int[] first, int[] second) {
        int[] all = Arrays.copyOf(first, first.length + second.length);
        System.arraycopy(second, 0, all, first.length, second.length);
        return all;
    }

    private static int size(Tensor t, int[] axes) {
        long n = 1;
        for (int a : axes) {
            n *= t.dim(a);
        }
        return Checks.dimension("tensordot", "the free size", n);
    }

    /** {@code t} permuted to {@code perm} (no copy where perm is the identity) as a [rows, columns] matrix. */
    private static Tensor flattened(Tensor t, int[] perm, int rows, int columns) {
        for (int i = 0; i < perm.length; i++) {
            if (perm[i] != i) {
                return Tensor.consume(t.permute(perm), t, p -> p.reshape(rows, columns));
            }
        }
        return t.reshape(rows, columns);
    }
}
