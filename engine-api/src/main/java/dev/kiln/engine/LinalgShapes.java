package dev.kiln.engine;

import java.nio.IntBuffer;
import java.util.function.IntFunction;

/**
 * The argument checks and shapes shared by {@link Linalg}'s ops: batches of matrices {@code [..., rows, cols]}, their
 * batch axes broadcast as PyTorch's, and flattened to {@code [batch, rows, cols]} for the Backend SPI.
 */
final class LinalgShapes {
    private LinalgShapes() {
    }

    /**
     * Identity matrices {@code [..., n, n]} for {@code diagonals} {@code [..., n]}, in {@code like}'s dtype and on its
     * backend, made there (a diagonal of ones), not uploaded from the host.
     */
    static Tensor identities(Tensor like, Shape diagonals) {
        Tensor ones = like.fullLike(1, diagonals);
        Tensor eye = ones.diagEmbed(0, -2, -1);
        ones.close();
        return eye;
    }

    /** Checks that {@code t} is an open F32 or F64 batch of square matrices {@code [..., n, n]}. */
    static void square(String op, String name, Tensor t) {
        matrices(op, name, t);
        if (t.dim(-1) != t.dim(-2)) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape()
                    + " must be a batch of square matrices [..., n, n]");
        }
    }

    /**
     * {@link #square}'s check in the words of PyTorch's matrix functions (matrix_power, matrix_exp, cond,
     * cholesky_inverse), which name the matrices' size.
     */
    static void squareMatrices(String op, String name, Tensor t) {
        matrices(op, name, t);
        if (t.dim(-1) != t.dim(-2)) {
            throw new IllegalArgumentException(op + ": A must be batches of square matrices, but they are "
                    + t.dim(-2) + " by " + t.dim(-1) + " matrices (" + name + " " + t.shape() + ")");
        }
    }

    /** Checks that {@code t} is an open F32 or F64 batch of matrices {@code [..., rows, cols]}. */
    static void matrices(String op, String name, Tensor t) {
        Checks.open(op, t);
        Checks.floating(op, t);
        if (t.rank() < 2) {
            throw new IllegalArgumentException(op + ": " + name + " " + t.shape()
                    + " must have at least 2 dimensions, matrices in the last two");
        }
    }

    /**
     * {@code a} {@code [..., n, n]} and {@code b} {@code [..., rows, cols]} whose {@code rows} (or {@code cols} when
     * not {@code left}) is n, expanded to their broadcast batch axes; the same dtype and backend.
     */
    static Tensor[] broadcast(String op, String aName, Tensor a, String bName, Tensor b, boolean left) {
        Checks.compatible(op, a, b);
        int n = a.dim(-1);
        int matching = left ? b.dim(-2) : b.dim(-1);
        if (matching != n) {
            throw new IllegalArgumentException(op + ": " + aName + " " + a.shape() + " and " + bName + " " + b.shape()
                    + ": " + bName + "'s " + (left ? "rows" : "columns") + " must number " + n + ", as "
                    + aName + "'s");
        }
        Shape batch = Shape.broadcast(op + ": batch axes of " + aName + " " + a.shape() + " and " + bName + " "
                + b.shape(), batchOf(a), batchOf(b));
        return new Tensor[] {expand(a, batch), expand(b, batch)};
    }

    /** The batch axes of matrices {@code [..., rows, cols]}. */
    static Shape batchOf(Tensor t) {
        return t.shape().without(-1).without(-1);
    }

    private static Tensor expand(Tensor t, Shape batch) {
        Shape target = batch.insert(batch.rank(), t.dim(-2)).insert(batch.rank() + 1, t.dim(-1));
        return t.shape().equals(target) ? t : t.expand(target.dims());
    }

    /** Matrices {@code [..., rows, cols]} as {@code [batch, rows, cols]} (a view). */
    static Tensor flat(Tensor t) {
        return t.reshape(Math.toIntExact(batchOf(t).size()), t.dim(-2), t.dim(-1));
    }

    /** A flattened result back in the batch axes {@code like} has, with its own last two dimensions. */
    static Tensor unflat(Tensor t, Tensor like) {
        Shape batch = batchOf(like);
        return t.reshape(batch.insert(batch.rank(), t.dim(-2)).insert(batch.rank() + 1, t.dim(-1)).dims());
    }

    /** The transposes of the matrices in the last two axes (a copy). */
    static Tensor transposed(Tensor t) {
        return t.transpose(-2, -1);
    }

    /**
     * PyTorch's error text for a failed factorisation: the flattened batch index of the first matrix with a non-zero
     * {@code info}, unless the input is one matrix, then {@code message} with that info; null where every info is 0.
     */
    static String failure(String op, Tensor input, int[] info, IntFunction<String> message) {
        for (int b = 0; b < info.length; b++) {
            if (info[b] != 0) {
                String element = input.rank() > 2 ? "(Batch element " + b + "): " : "";
                return op + ": " + element + message.apply(info[b]) + " (input " + input.shape() + ")";
            }
        }
        return null;
    }

    /** The I32 {@code info} of a factorisation, on the host. */
    static int[] read(Tensor info) {
        int[] values = new int[Math.toIntExact(info.size())];
        info.backend().copyToHost(info, IntBuffer.wrap(values));
        return values;
    }
}
