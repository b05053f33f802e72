package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Attention over a set of keys: scores of every query against every key, masked keys removed, a softmax
 * over the keys, and the context as the weighted sum of the values. Subclasses differ only in the score:
 * {@link AdditiveAttention} (Bahdanau), {@link DotProductAttention} (Luong's dot, or scaled as in the
 * Transformer) and {@link GeneralAttention} (Luong's general).
 *
 * <p>Shapes: queries [batch, T, queryDim], keys [batch, S, keyDim], values [batch, S, valueDim]; a mask
 * [batch, 1, S] or [batch, T, S] (or anything that broadcasts to [batch, T, S]) is non-zero where a key must
 * not be attended to, such as padding ({@link #paddingMask}) or the future ({@link #causalMask}). Every
 * query needs at least one unmasked key. A score bias (PyTorch's float {@code attn_mask}; ALiBi, relative
 * position biases, -inf entries) broadcasts to [batch, T, S] likewise and is added to the scores before the
 * masked ones are set to {@link #MASKED_SCORE}.
 *
 * <p>A decoder that asks the same keys at every step prepares them once with {@link #prepareKeys} and calls
 * {@link #attendPrepared}: additive and general attention project the keys, which need not be repeated.
 */
public abstract class Attention extends Module {
    /** What masked scores become: far below any real score, yet finite so that no inf - inf appears. */
    static final double MASKED_SCORE = -1e9;

    /** The keys as {@link #scores} reads them; the keys themselves unless the layer projects them. */
    public Tensor prepareKeys(Tensor keys) {
        return keys;
    }

    /** Scores [batch, T, S] of queries [batch, T, queryDim] against prepared keys [batch, S, *]. */
    protected abstract Tensor scores(Tensor queries, Tensor preparedKeys);

    /** Attends from {@code queries} to {@code keys}; see the class comment for shapes. */
    public AttentionOutput attend(Tensor queries, Tensor keys, Tensor values, Tensor mask) {
        return attend(queries, keys, values, mask, null);
    }

    /**
     * Attends from {@code queries} to {@code keys} with {@code scoreBias} (or null), broadcasting to
     * [batch, T, S], added to the scores before the softmax; see the class comment for shapes.
     */
    public AttentionOutput attend(Tensor queries, Tensor keys, Tensor values, Tensor mask, Tensor scoreBias) {
        checkRank3("keys", keys);
        return attendPrepared(queries, prepareKeys(keys), values, mask, scoreBias);
    }

    /** {@link #attend} with keys already passed through {@link #prepareKeys}. */
    public AttentionOutput attendPrepared(Tensor queries, Tensor preparedKeys, Tensor values, Tensor mask) {
        return attendPrepared(queries, preparedKeys, values, mask, null);
    }

    /** {@link #attend(Tensor, Tensor, Tensor, Tensor, Tensor)} with keys already passed through {@link #prepareKeys}. */
    public AttentionOutput attendPrepared(Tensor queries, Tensor preparedKeys, Tensor values, Tensor mask,
                                          Tensor scoreBias) {
        checkRank3("queries", queries);
        checkRank3("prepared keys", preparedKeys);
        checkRank3("values", values);
        if (queries.dim(0) != values.dim(0) || preparedKeys.dim(0) != values.dim(0) || preparedKeys.dim(1) != values.dim(1)) {
            throw new IllegalArgumentException(describe() + ": queries " + queries.shape() + ", keys " + preparedKeys.shape()
                    + " and values " + values.shape() + " must share the batch, and keys and values the length S");
        }
        Tensor scores = scores(queries, preparedKeys);
        if (scoreBias != null) {
            checkMask("score bias", scoreBias, queries.dim(0), queries.dim(1), preparedKeys.dim(1));
            scores = consume(scores, t -> t.add(scoreBias));
        }
        if (mask != null) {
            checkMask("mask", mask, queries.dim(0), queries.dim(1), preparedKeys.dim(1));
            scores = consume(scores, t -> t.maskedFill(mask, MASKED_SCORE));
        }
        Tensor weights = consume(scores, t -> F.softmax(t, -1));
        return new AttentionOutput(weights.matmul(values), weights);
    }

    /** Self-attention without a mask: the context of {@code x} [batch, T, dim] attending to itself. */
    @Override
    public Tensor forward(Tensor x) {
        return attend(x, x, x, null).context();
    }

    /**
     * A mask [batch, 1, steps] that is 1 at the padded positions of sequences of the given real lengths
     * (each in [1, steps]) and 0 elsewhere, in {@code dtype}.
     */
    public static Tensor paddingMask(int[] lengths, int steps, DType dtype) {
        double[] mask = new double[lengths.length * steps];
        for (int b = 0; b < lengths.length; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException("paddingMask: length " + lengths[b] + " of sequence " + b
                        + " is outside [1, " + steps + "]");
            }
            for (int t = lengths[b]; t < steps; t++) {
                mask[b * steps + t] = 1;
            }
        }
        return Tensor.fromArray(mask, lengths.length, 1, steps).to(dtype);
    }

    /** A mask [1, steps, steps] that is 1 above the diagonal: step t may look at steps 0..t only. */
    public static Tensor causalMask(int steps, DType dtype) {
        double[] mask = new double[steps * steps];
        for (int t = 0; t < steps; t++) {
            for (int s = t + 1; s < steps; s++) {
                mask[t * steps + s] = 1;
            }
        }
        return Tensor.fromArray(mask, 1, steps, steps).to(dtype);
    }

    /**
     * Each dimension of the mask, aligned from the right, must be 1 or the scores' own: maskedFill broadcasts both
     * ways, so a larger mask would silently grow the output.
     */
    private void checkMask(String what, Tensor mask, int batch, int steps, int keySteps) {
        int[] scores = {batch, steps, keySteps};
        boolean fits = mask.rank() >= 1 && mask.rank() <= 3;
        for (int i = 1; fits && i <= mask.rank(); i++) {
            int dim = mask.dim(mask.rank() - i);
            fits = dim == 1 || dim == scores[3 - i];
        }
        if (!fits) {
            throw new IllegalArgumentException(describe() + ": " + what + " " + mask.shape() + " must broadcast to [batch, T, S] = ["
                    + batch + ", " + steps + ", " + keySteps + "]");
        }
    }

    private void checkRank3(String what, Tensor t) {
        if (t.rank() != 3) {
            throw new IllegalArgumentException(describe() + ": " + what + " " + t.shape() + " must be [batch, steps, features]");
        }
    }
}
