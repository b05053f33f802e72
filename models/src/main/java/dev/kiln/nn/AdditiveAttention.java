package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Bahdanau et al.'s (2015) additive attention, {@code score(q, k) = v . tanh(W_q q + W_k k + b)}: a one-layer
 * network scores each query-key pair, so queries and keys may differ in width. Parameters (each a
 * {@link Linear} with PyTorch's initialisation): {@code query.weight} [hidden, queryDim], {@code key.weight}
 * [hidden, keyDim] and {@code key.bias} [hidden], {@code v.weight} [1, hidden]. Shapes as in
 * {@link Attention}; the work per pair is O(hidden), against O(d) for a dot product.
 */
public class AdditiveAttention extends Attention {
    private final int queryDim;
    private final int keyDim;
    private final int hidden;

    public AdditiveAttention(int queryDim, int keyDim, int hidden) {
        this.queryDim = queryDim;
        this.keyDim = keyDim;
        this.hidden = hidden;
        registerModule("query", new Linear(queryDim, hidden, false));
        registerModule("key", new Linear(keyDim, hidden));
        registerModule("v", new Linear(hidden, 1, false));
    }

    /** W_k k + b [batch, S, hidden], computed once for all queries. */
    @Override
    public Tensor prepareKeys(Tensor keys) {
        return module("key").call(keys);
    }

    @Override
    protected Tensor scores(Tensor queries, Tensor preparedKeys) {
        int batch = queries.dim(0);
        int steps = queries.dim(1);
        int keys = preparedKeys.dim(1);
        Tensor q = module("query").call(queries);
        Tensor pairs = q.unsqueeze(2).add(preparedKeys.unsqueeze(1)).tanh();
        return module("v").call(pairs).reshape(batch, steps, keys);
    }
}
