package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Attention scored by the dot product of query and key, {@code score(q, k) = q . k} (Luong et al. 2015,
 * "dot"), or, scaled, {@code q . k / sqrt(d)} (Vaswani et al. 2017, the scaled dot-product attention of the
 * Transformer), which keeps the softmax out of saturation when d is large. No parameters; queries and keys
 * must have the same width d. Shapes as in {@link Attention}.
 */
public class DotProductAttention extends Attention {
    private final boolean scaled;

    /** Luong's dot attention when {@code scaled} is false, the Transformer's when true. */
    public DotProductAttention(boolean scaled) {
        this.scaled = scaled;
    }

    public boolean isScaled() {
        return scaled;
    }

    @Override
    protected Tensor scores(Tensor queries, Tensor keys) {
        if (queries.dim(2) != keys.dim(2)) {
            throw new IllegalArgumentException(describe() + ": queries " + queries.shape() + " and keys " + keys.shape()
                    + " must have the same width");
        }
        Tensor scores = consume(keys.transpose(1, 2), queries::matmul);
        return scaled ? consume(scores, t -> t.mul(1 / Math.sqrt(queries.dim(2)))) : scores;
    }

    /** Kiln's setting in PyTorch's style: {@code scaled=True}. */
    @Override
    protected String extraRepr() {
        return "scaled=" + PythonRepr.bool(scaled);
    }
}
