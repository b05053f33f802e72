package dev.kiln.engine;

import java.util.Arrays;

/**
 * PyTorch 2's {@code F.scaled_dot_product_attention} in its reference form:
 * {@code dropout(softmax(q k^T / sqrt(E) + bias)) v}, the bias built from the causal mask or the caller's mask.
 * Query, key and value share their leading axes. Composed of public ops, so its gradients (to queries, keys, values and a float mask) are theirs.
 */
final class ScaledDotProductAttention {
    private static final String OP = "scaledDotProductAttention";

    private ScaledDotProductAttention() {
    }

    /** See {@link F#scaledDotProductAttention}. */
    static Tensor apply(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal) {
        check(q, k, v, attnMask, dropoutP, isCausal);
        // Without a graph the batched views and the steps are freed on the way out; with one they live as long as it.
        return Composite.composed(() -> attention(q, k, v, attnMask, dropoutP, isCausal), q, k, v, attnMask);
    }

    private static Tensor attention(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal) {
        int queries = q.dim(-2);
        int keys = k.dim(-2);
        int[] scoreDims = q.shape().dims();
        scoreDims[scoreDims.length - 1] = keys;
        // matmul takes 3-D batches: the leading axes run as one batch axis, the scores keep them for the mask.
        Tensor scores = batched(q).matmul(batched(k).transpose(1, 2)).mul(1 / Math.sqrt(q.dim(-1))).reshape(scoreDims);
        if (isCausal) {
            // Query i may attend to keys 0..i: PyTorch's ones(L, S).tril() as the mask of allowed keys.
            scores = scores.maskedFill(q.fullLike(1, Shape.of(queries, keys)).triu(1), Double.NEGATIVE_INFINITY);
        } else if (attnMask != null && !attnMask.dtype().isFloating()) {
            scores = scores.maskedFill(attnMask.eq(0), Double.NEGATIVE_INFINITY);
        } else if (attnMask != null) {
            scores = scores.add(attnMask);
        }
        Tensor weights = F.dropout(F.softmax(scores, -1), dropoutP, true);
        int[] outDims = q.shape().dims();
        outDims[outDims.length - 1] = v.dim(-1);
        return batched(weights).matmul(batched(v)).reshape(outDims);
    }

    /** {@code t} [..., n, m] as [batch, n, m], a view. */
    private static Tensor batched(Tensor t) {
        return t.reshape(-1, t.dim(-2), t.dim(-1));
    }

    private static void check(Tensor q, Tensor k, Tensor v, Tensor attnMask, double dropoutP, boolean isCausal) {
        Checks.floating(OP, q);
        if (q.rank() < 2 || k.rank() < 2 || v.rank() < 2) {
            throw new IllegalArgumentException(OP + ": query " + q.shape() + ", key " + k.shape() + " and value "
                    + v.shape() + " must be [..., L, E], [..., S, E] and [..., S, Ev]");
        }
        Shape leading = Shape.of(Arrays.copyOf(q.shape().dims(), q.rank() - 2));
        if (!leading.equals(Shape.of(Arrays.copyOf(k.shape().dims(), k.rank() - 2)))
                || !leading.equals(Shape.of(Arrays.copyOf(v.shape().dims(), v.rank() - 2)))) {
            throw new IllegalArgumentException(OP + ": query " + q.shape() + ", key " + k.shape() + " and value "
                    + v.shape() + " must have the same leading axes");
        }
        if (q.dim(-1) != k.dim(-1)) {
            throw new IllegalArgumentException(OP + ": query " + q.shape() + " and key " + k.shape()
                    + " must have the same last dimension E");
        }
        if (k.dim(-2) != v.dim(-2)) {
            throw new IllegalArgumentException(OP + ": key " + k.shape() + " and value " + v.shape()
                    + " must have the same length S (dimension -2)");
        }
        if (!(dropoutP >= 0 && dropoutP < 1)) {
            throw new IllegalArgumentException(OP + ": dropoutP must be in [0, 1), got " + dropoutP);
        }
        if (attnMask == null) {
            return;
        }
        if (isCausal) {
            throw new IllegalArgumentException(OP + ": give either attnMask " + attnMask.shape()
                    + " or isCausal, not both (as PyTorch)");
        }
        int[] scores = q.shape().dims();
        scores[scores.length - 1] = k.dim(-2);
        boolean fits = attnMask.rank() <= scores.length;
        for (int i = 1; fits && i <= attnMask.rank(); i++) {
            int dim = attnMask.dim(attnMask.rank() - i);
            fits = dim == 1 || dim == scores[scores.length - i];
        }
        if (!fits) {
            throw new IllegalArgumentException(OP + ": attnMask " + attnMask.shape() + " must broadcast to the scores "
                    + Shape.of(scores) + " [..., L, S]");
        }
    }
}
