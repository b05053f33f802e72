package dev.kiln.nn;

import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;
import java.util.Locale;

/**
 * Bags of embeddings reduced to one vector each, like PyTorch's {@code torch.nn.EmbeddingBag}: the sum, mean
 * (PyTorch's default) or element-wise maximum of the rows of a lookup table that each bag's indices name. Sum and mean
 * add each looked-up row into its bag (an index add), so bags of any lengths cost their entries alone; max lays the
 * bags out as [bags, longest bag, embeddingDim]. Two input forms, as PyTorch's:
 * <ul>
 *   <li>2-D indices [bags, length]: a bag per row, all of one length;
 *   <li>1-D indices [n] with 1-D offsets [bags]: bag b is {@code indices[offsets[b] .. offsets[b + 1])}, the last
 *       bag running to the end; with {@code includeLastOffset} the offsets are [bags + 1], the last one closing the
 *       last bag (what comes after it is left out). Offsets start at 0 and never decrease.
 * </ul>
 * Output [bags, embeddingDim]. Parameter {@code weight} [numEmbeddings, embeddingDim], drawn from N(0, 1) as in
 * PyTorch. In sum mode, per-sample weights (the input's shape) scale each index's row before the sum, with gradients
 * for both.
 *
 * <p>With a padding index, that row starts at zero, and indices equal to it are left out of every bag: they add
 * nothing, do not count in a mean, and never win a maximum, so their row gets no gradient. An empty bag gives zeros.
 * A maximum's gradient goes to the bag's first row holding it, element by element, as in PyTorch.
 *
 * <p>{@code EmbeddingBag.builder(10000, 64).mode(EmbeddingBag.Mode.SUM).paddingIdx(0).build()}.
 */
public class EmbeddingBag extends Module implements TwoInputForward {
    /** How a bag's rows combine, PyTorch's {@code mode}. */
    public enum Mode { SUM, MEAN, MAX }

    private final int numEmbeddings;
    private final int embeddingDim;
    private final Mode mode;
    private final int paddingIdx;
    private final boolean includeLastOffset;
    private final boolean sparse;

    /** Mean bags (PyTorch's default mode) without a padding index. */
    public EmbeddingBag(int numEmbeddings, int embeddingDim) {
        this(numEmbeddings, embeddingDim, Mode.MEAN);
    }

    /** Bags reduced by {@code mode}, without a padding index. */
    public EmbeddingBag(int numEmbeddings, int embeddingDim, Mode mode) {
        this(numEmbeddings, embeddingDim, mode, null, false, false);
    }

    private EmbeddingBag(int numEmbeddings, int embeddingDim, Mode mode, Integer paddingIdx, boolean includeLastOffset,
                         boolean sparse) {
        String name = "EmbeddingBag(" + numEmbeddings + ", " + embeddingDim + ")";
        if (numEmbeddings <= 0 || embeddingDim <= 0) {
            throw new IllegalArgumentException(name + ": sizes must be positive, got " + numEmbeddings + " x "
                    + embeddingDim);
        }
        if (mode == null) {
            throw new IllegalArgumentException(name + ": mode must be SUM, MEAN or MAX, got null");
        }
        if (paddingIdx != null && (paddingIdx < -numEmbeddings || paddingIdx >= numEmbeddings)) {
            throw new IllegalArgumentException(name + ": padding index " + paddingIdx + " is outside [-"
                    + numEmbeddings + ", " + numEmbeddings + ")");
        }
        if (sparse && mode == Mode.MAX) {
            throw new IllegalArgumentException(name + ": max mode does not support sparse gradients, as in PyTorch;"
                    + " use mode sum or mean, or dense gradients");
        }
        this.numEmbeddings = numEmbeddings;
        this.embeddingDim = embeddingDim;
        this.mode = mode;
        this.paddingIdx = paddingIdx == null ? -1 : paddingIdx < 0 ? paddingIdx + numEmbeddings : paddingIdx;
        this.includeLastOffset = includeLastOffset;
        this.sparse = sparse;
        registerParameter("weight", Embedding.table(numEmbeddings, embeddingDim, this.paddingIdx));
    }

    /** A builder of mean bags without padding index whose offsets start the bags; change what differs. */
    public static Builder builder(int numEmbeddings, int embeddingDim) {
        return new Builder(numEmbeddings, embeddingDim);
    }

    /** Mode, padding index and {@code include_last_offset} of an {@link EmbeddingBag}. */
    public static final class Builder {
        private final int numEmbeddings;
        private final int embeddingDim;
        private Mode mode = Mode.MEAN;
        private Integer paddingIdx;
        private boolean includeLastOffset;
        private boolean sparse;

        private Builder(int numEmbeddings, int embeddingDim) {
            this.numEmbeddings = numEmbeddings;
            this.embeddingDim = embeddingDim;
        }

        public Builder mode(Mode m) {
            mode = m;
            return this;
        }

        /** The row (in [-numEmbeddings, numEmbeddings), negative counting from the end) left out of every bag. */
        public Builder paddingIdx(int index) {
            paddingIdx = index;
            return this;
        }

        /** Offsets [bags + 1], the last one the end of the last bag (PyTorch's {@code include_last_offset}). */
        public Builder includeLastOffset(boolean include) {
            includeLastOffset = include;
            return this;
        }

        /**
         * Sparse gradients of the weight (PyTorch's {@code sparse=True}), sum and mean modes only: a backward pass adds
         * each looked-up index's gradient to {@code weight().sparseGrad()} and leaves {@code weight().grad()} alone (see
         * {@link Embedding#sparse(boolean)}).
         */
        public Builder sparse(boolean sparseGradients) {
            sparse = sparseGradients;
            return this;
        }

        /**
         * @throws IllegalArgumentException for non-positive sizes, a null mode, a padding index out of range or sparse
         *     gradients in max mode
         */
        public EmbeddingBag build() {
            return new EmbeddingBag(numEmbeddings, embeddingDim, mode, paddingIdx, includeLastOffset, sparse);
        }
    }

    /** [numEmbeddings, embeddingDim]. */
    public Tensor weight() {
        return param("weight");
    }

    public Mode mode() {
        return mode;
    }

    /** The padding row, or -1 for none. */
    public int paddingIdx() {
        return paddingIdx;
    }

    public boolean includeLastOffset() {
        return includeLastOffset;
    }

    /** Whether the weight's gradient is sparse ({@link Builder#sparse(boolean)}). */
    public boolean isSparse() {
        return sparse;
    }

    /**
     * Bags of one length: indices [bags, length] to [bags, embeddingDim].
     *
     * @throws IllegalArgumentException naming this layer when the input is not 2-D or an index is out of range
     */
    @Override
    public Tensor forward(Tensor indices) {
        return forward(indices, null, null);
    }

    /**
     * Bags by offsets: indices [n] and offsets [bags] ([bags + 1] with {@code includeLastOffset}) to
     * [bags, embeddingDim]; or, with null offsets, as {@link #forward(Tensor)}. The offsets are read on the host.
     *
     * @throws IllegalArgumentException naming this layer and the values when the offsets do not start at 0, decrease,
     *     or pass the input's end, and as {@link #forward(Tensor)}
     */
    @Override
    public Tensor forward(Tensor indices, Tensor offsets) {
        return forward(indices, offsets, null);
    }

    /**
     * As {@link #forward(Tensor, Tensor)}, each index's row scaled by its per-sample weight (the indices' shape, the
     * weight's dtype; null for none) before the sum. Sum mode only, as in PyTorch.
     *
     * @throws IllegalArgumentException naming this layer when the per-sample weights are given in another mode or do
     *     not have the indices' shape, and as {@link #forward(Tensor, Tensor)}
     */
    public Tensor forward(Tensor indices, Tensor offsets, Tensor perSampleWeights) {
        Bags bags = Bags.of(describe(), indices, offsets, includeLastOffset);
        Tensor scales = scales(perSampleWeights, indices, bags);
        Tensor weight = weight();
        if (bags.longest() == 0) {
            return Temporaries.freedWithoutGradients(
                    () -> Tensor.zeros(weight.dtype(), bags.count(), embeddingDim).to(weight.backend()));
        }
        try {
            return Temporaries.freedWithoutGradients(
                    () -> mode == Mode.MAX ? maxima(bags, weight) : sums(bags, weight, scales));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(describe() + ": indices " + indices.shape() + ": " + e.getMessage(), e);
        }
    }

    /** The per-sample weights of the bags' entries, [entries]; null for none. */
    private Tensor scales(Tensor perSampleWeights, Tensor indices, Bags bags) {
        if (perSampleWeights == null) {
            return null;
        }
        if (mode != Mode.SUM) {
            throw new IllegalArgumentException(describe() + ": per-sample weights need mode sum, got mode " + modeName());
        }
        if (!perSampleWeights.shape().equals(indices.shape())) {
            throw new IllegalArgumentException(describe() + ": per-sample weights " + perSampleWeights.shape()
                    + " must have the indices' shape " + indices.shape());
        }
        return perSampleWeights.reshape((int) perSampleWeights.size()).narrow(0, 0, (int) bags.entries().size());
    }

    /** Each bag's (scaled) rows added up, or their mean: [bags, embeddingDim]. */
    private Tensor sums(Bags bags, Tensor weight, Tensor scales) {
        Tensor entries = bags.entries();
        int n = (int) entries.size();
        Tensor rows = !sparse ? F.embedding(entries, weight)
                : paddingIdx >= 0 ? F.sparseEmbedding(entries, weight, paddingIdx) : F.sparseEmbedding(entries, weight);
        if (scales != null) {
            rows = consume(rows, r -> r.mul(scales.reshape(n, 1)));
        }
        Tensor left = paddingIdx >= 0 ? entries.eq(paddingIdx).reshape(n, 1) : null;
        if (left != null) {
            rows = consume(rows, r -> r.maskedFill(left, 0));
        }
        Tensor bagOf = bags.bagOfEachEntry(weight);
        Tensor zeros = Tensor.zeros(weight.dtype(), bags.count(), embeddingDim).to(weight.backend());
        Tensor sums = consume(rows, r -> zeros.indexAdd(0, bagOf, r));
        if (mode == Mode.SUM) {
            return sums;
        }
        Tensor counted = (left == null ? entries.fullLike(1).reshape(n, 1) : left.eq(0)).to(weight.dtype());
        Tensor noCounts = Tensor.zeros(weight.dtype(), bags.count(), 1).to(weight.backend());
        Tensor counts = noCounts.indexAdd(0, bagOf, counted);
        return consume(sums, s -> s.div(counts.clampMin(1)));
    }

    /** Each bag's element-wise maximum over its rows, padding and what fills the bags up to one length left out. */
    private Tensor maxima(Bags bags, Tensor weight) {
        Tensor padded = bags.padded();
        Tensor out = bags.beyondEnd();
        if (paddingIdx >= 0) {
            Tensor isPadding = padded.eq(paddingIdx);
            out = out == null ? isPadding : out.maskedFill(isPadding, 1);
        }
        Tensor rows = F.embedding(padded, weight);
        if (out == null) {
            return consume(rows, r -> r.max(1, false));
        }
        Tensor leftOut = out.unsqueeze(2);
        Tensor maxima = consume(consume(rows, r -> r.maskedFill(leftOut, Double.NEGATIVE_INFINITY)), r -> r.max(1, false));
        Tensor empty = out.eq(0).to(weight.dtype()).sum(1, true).eq(0);
        return consume(maxima, m -> m.maskedFill(empty, 0));
    }

    private String modeName() {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    /** PyTorch's {@code extra_repr}: {@code 10, 3, mode=sum, padding_idx=0} (no sparse or include_last_offset). */
    @Override
    protected String extraRepr() {
        return numEmbeddings + ", " + embeddingDim + ", mode=" + modeName()
                + (paddingIdx >= 0 ? ", padding_idx=" + paddingIdx : "");
    }

    /**
     * One line for messages: the repr's settings, then {@code include_last_offset=True} and {@code sparse=True} where
     * set, which PyTorch's repr leaves out but which explain an offset refused.
     */
    @Override
    public String describe() {
        return "EmbeddingBag(" + extraRepr() + (includeLastOffset ? ", include_last_offset=True" : "")
                + (sparse ? ", sparse=True" : "") + ")";
    }
}
