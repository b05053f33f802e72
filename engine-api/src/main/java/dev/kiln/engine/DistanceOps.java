package dev.kiln.engine;

import java.util.Arrays;
import java.util.List;

/**
 * PyTorch's {@code cdist} and {@code pdist}: p-norm distances between rows, composed of Tensor ops. The Euclidean
 * distance between many rows goes through one matrix product, as PyTorch's default compute mode
 * ("use_mm_for_euclid_dist_if_necessary": p = 2 with more than 25 rows on either side) does, as
 * {@code sqrt(max(|a|^2 - 2 a.b + |b|^2, 0))}, recorded as one node with PyTorch's {@code _euclidean_dist_backward}
 * (0 where the distance is 0). Every other case takes the norm of the row differences, whose gradient is
 * {@link Tensor#norm}'s: PyTorch's {@code _cdist_backward}, 0 at zero distance. For p = infinity each of the tied
 * largest differences gets all of the gradient, as PyTorch's (where amax would share it); p = 0 counts the differing
 * coordinates, with a zero gradient.
 */
final class DistanceOps {
    /** Rows on either side above which PyTorch's default mode takes Euclidean distances by a matrix product. */
    private static final int MATRIX_PRODUCT_ROWS = 25;

    private DistanceOps() {
    }

    static Tensor cdist(Tensor x1, Tensor x2, double p) {
        String op = "cdist";
        Checks.compatible(op, x1, x2);
        Checks.floating(op, x1);
        checkOrder(op, p);
        requireRows(op, "x1", x1);
        requireRows(op, "x2", x2);
        int r = x1.rank();
        if (x1.dim(r - 1) != x2.dim(x2.rank() - 1)) {
            throw new IllegalArgumentException("cdist: x1 " + x1.shape() + " and x2 " + x2.shape()
                    + " must have rows of one length (the last axis), got " + x1.dim(r - 1) + " and "
                    + x2.dim(x2.rank() - 1));
        }
        Shape batch = Shape.broadcast(op, batchOf(x1), batchOf(x2));
        int rank = batch.rank() + 2;
        boolean byProduct = p == 2
                && (x1.dim(x1.rank() - 2) > MATRIX_PRODUCT_ROWS || x2.dim(x2.rank() - 2) > MATRIX_PRODUCT_ROWS);
        // The inputs broadcast to one batch are copies: steps, freed with the others where no graph reads them.
        return Composite.composed(() -> {
            Tensor a = withBatch(x1, batch);
            Tensor b = withBatch(x2, batch);
            return byProduct ? euclideanByProduct(a, b) : norm(a.unsqueeze(rank - 1).sub(b.unsqueeze(rank - 2)), p);
        }, x1, x2);
    }

    static Tensor pdist(Tensor x, double p) {
        String op = "pdist";
        Checks.open(op, x);
        Checks.floating(op, x);
        checkOrder(op, p);
        if (x.rank() != 2) {
            throw new IllegalArgumentException("pdist: input must be 2-D [N, M], got " + x.shape());
        }
        return Composite.composed(() -> {
            Tensor pairs = TriangleIndexOps.indices("pdist", x.dim(0), x.dim(0), 1, false).to(x.backend());
            return norm(x.indexSelect(0, pairs.narrow(0, 0, 1).reshape(-1))
                    .sub(x.indexSelect(0, pairs.narrow(0, 1, 1).reshape(-1))), p);
        }, x);
    }

    private static void checkOrder(String op, double p) {
        if (!(p >= 0)) {
            throw new IllegalArgumentException(op + ": p must be >= 0 (or Double.POSITIVE_INFINITY), got " + p);
        }
    }

    private static void requireRows(String op, String name, Tensor t) {
        if (t.rank() < 2) {
            throw new IllegalArgumentException(op + ": " + name + " must have at least 2 dimensions [..., rows, M], "
                    + "got " + t.shape());
        }
    }

    private static Shape batchOf(Tensor t) {
        int[] dims = t.shape().dims();
        return Shape.of(Arrays.copyOf(dims, dims.length - 2));
    }

    /** t with its batch axes broadcast to {@code batch}; t itself where they already are. */
    private static Tensor withBatch(Tensor t, Shape batch) {
        if (batchOf(t).equals(batch)) {
            return t;
        }
        int[] dims = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dims[batch.rank()] = t.dim(t.rank() - 2);
        dims[batch.rank() + 1] = t.dim(t.rank() - 1);
        Tensor lifted = t;
        while (lifted.rank() < dims.length) {
            lifted = lifted.unsqueeze(0);
        }
        return lifted.expand(dims);
    }

    /** The p-norm over the last axis; for p = 0 the count of non-zero elements, with a zero gradient. */
    private static Tensor norm(Tensor differences, double p) {
        int last = differences.rank() - 1;
        if (p == 0) {
            return Composite.op("cdist", differences, () -> differences.ne(0).sum(last, false),
                    (out, g) -> differences.fullLike(0));
        }
        if (p == Double.POSITIVE_INFINITY) {
            return Composite.op("cdist", differences, () -> differences.abs().amax(new int[] {last}, false),
                    (out, g) -> {
                        Tensor largest = differences.abs().eq(out.unsqueeze(last));
                        return differences.sign().mul(largest).mul(g.unsqueeze(last));
                    });
        }
        return differences.norm(p, new int[] {last}, false);
    }

    /**
     * PyTorch's {@code _euclidean_dist}: {@code [-2a, |a|^2, 1] . [b, 1, |b|^2]}, clamped at 0, square-rooted; the
     * gradient {@code a sum_r(g / d) - (g / d) b} for a and its transpose for b, with g / d taken as 0 where d = 0.
     */
    private static Tensor euclideanByProduct(Tensor a, Tensor b) {
        if (a.rank() > 3) {
            // matmul takes one batch axis: the batch axes run as one, and the distances get them back.
            int[] dims = a.shape().dims();
            dims[dims.length - 1] = b.dim(b.rank() - 2);
            return euclideanByProduct(a.reshape(-1, a.dim(a.rank() - 2), a.dim(a.rank() - 1)),
                    b.reshape(-1, b.dim(b.rank() - 2), b.dim(b.rank() - 1))).reshape(dims);
        }
        int rank = a.rank();
        Tensor out = Composite.untracked(() -> {
            Tensor squaresA = a.square().sum(rank - 1, true);
            Tensor squaresB = b.square().sum(rank - 1, true);
            Tensor left = Tensor.cat(List.of(a.mul(-2), squaresA, squaresA.fullLike(1)), rank - 1);
            Tensor right = Tensor.cat(List.of(b, squaresB.fullLike(1), squaresB), rank - 1);
            return left.matmul(right.transpose(rank - 2, rank - 1)).clampMin(0).sqrt();
        });
        out.record("cdist", new Tensor[] {a, b}, Node.differentiable(g -> Composite.gradients(() -> {
            Tensor ratio = g.div(out).maskedFill(out.eq(0), 0);
            return new Tensor[] {
                a.requiresGrad() ? a.mul(ratio.sum(rank - 1, true)).sub(ratio.matmul(b)) : null,
                b.requiresGrad() ? b.mul(ratio.sum(rank - 2, true).transpose(rank - 2, rank - 1))
                        .sub(ratio.transpose(rank - 2, rank - 1).matmul(a)) : null};
        })));
        return out;
    }
}
