package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Luong et al.'s (2015) "general" multiplicative attention, {@code score(q, k) = q . (W k)}: a bilinear form
 * that lets queries and keys differ in width. Parameter: {@code linear_in.weight} [queryDim, keyDim] (a
 * {@link Linear} without bias, PyTorch's initialisation). Shapes as in {@link Attention}.
 */
public class GeneralAttention extends Attention {
    private final int queryDim;
    private final int keyDim;

    public GeneralAttention(int queryDim, int keyDim) {
        this.queryDim = queryDim;
        this.keyDim = keyDim;
        registerModule("linear_in", new Linear(keyDim, queryDim, false));
    }

    /** W k [batch, S, queryDim], computed once for all queries. */
    @Override
    public Tensor prepareKeys(Tensor keys) {
        return module("linear_in").call(keys);
    }

    @Override
    protected Tensor scores(Tensor queries, Tensor preparedKeys) {
        if (queries.dim(2) != queryDim) {
            throw new IllegalArgumentException(describe() + ": queries " + queries.shape() + " must have " + queryDim + " features");
        }
        return queries.matmul(preparedKeys.transpose(1, 2));
    }
}
