package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The multinomial distribution: the counts of each of K classes over {@code totalCount} independent categorical
 * draws, as PyTorch's {@code torch.distributions.Multinomial(total_count, probs=...)} or {@code (total_count,
 * logits=...)}: the parameter is [batch..., K], normalised as {@link Categorical}'s; the batch shape is its shape less
 * the last axis; events are [K] count vectors, in the parameter's dtype. As in PyTorch, totalCount is one whole
 * number for the whole batch, and logProb scores count vectors of any total (its factorials are of the value's own).
 * <pre>
 * logProb(x) = log((sum x)!) - sum log(x_k!) + sum x_k logits_k   (x_k logits_k as 0 where x_k = 0, logits_k = -inf)
 * mean = n p,  variance = n p (1 - p)
 * entropy    = n H(Categorical(p)) - log(n!) + sum over classes k and counts j = 1..n of Binomial(n, p_k)(j) log(j!)
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} draws the counts class by class, each a binomial draw of the trials
 * left at the class's share of the probability left ({@link CountSampling}), the last class taking the rest.
 */
public final class Multinomial extends Distribution {
    private final int totalCount;
    private final Categorical categorical;
    private final boolean fromProbs;

    private Multinomial(int totalCount, Categorical categorical, boolean fromProbs, boolean validateArgs) {
        super(categorical.batchShape(), Shape.of(categorical.numEvents()), validateArgs);
        this.totalCount = totalCount;
        this.categorical = categorical;
        this.fromProbs = fromProbs;
    }

    /**
     * {@code totalCount} draws of class probabilities proportional to {@code probs} [batch..., K], validated as the default says.
     */
    public static Multinomial ofProbs(int totalCount, Tensor probs) {
        return ofProbs(totalCount, probs, defaultValidateArgs());
    }

    /** {@code totalCount} draws of probabilities proportional to {@code probs}, checked when {@code validateArgs}. */
    public static Multinomial ofProbs(int totalCount, Tensor probs, boolean validateArgs) {
        return new Multinomial(checkedCount(totalCount), Categorical.ofProbs(probs, validateArgs), true,
                validateArgs);
    }

    /**
     * {@code totalCount} draws of class probabilities softmax({@code logits}) [batch..., K], validated as the default says.
     */
    public static Multinomial ofLogits(int totalCount, Tensor logits) {
        return ofLogits(totalCount, logits, defaultValidateArgs());
    }

    /** {@code totalCount} draws of class probabilities softmax({@code logits}), checked when {@code validateArgs}. */
    public static Multinomial ofLogits(int totalCount, Tensor logits, boolean validateArgs) {
        return new Multinomial(checkedCount(totalCount), Categorical.ofLogits(logits, validateArgs), false,
                validateArgs);
    }

    private static int checkedCount(int totalCount) {
        if (totalCount < 0) {
            throw new IllegalArgumentException("Multinomial: totalCount must be 0 or more, got " + totalCount);
        }
        return totalCount;
    }

    /** The number of draws n. */
    public int totalCount() {
        return totalCount;
    }

    /** The normalised class probabilities [batch..., K]. */
    public Tensor probs() {
        return categorical.probs();
    }

    /** The normalised log-probabilities [batch..., K]. */
    public Tensor logits() {
        return categorical.logits();
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        int[] dims = extendedShape(sampleShape);
        Shape shape = Shape.of(Arrays.copyOf(dims, dims.length - 1));
        Tensor probs = categorical.probs();
        int classes = categorical.numEvents();
        Tensor left = probs.fullLike(totalCount, shape);
        List<Tensor> counts = new ArrayList<>();
        for (int k = 0; k < classes - 1; k++) {
            // The probability left is summed afresh rather than decremented, which would accumulate rounding.
            Tensor share = probs.narrow(-1, k, 1).squeeze(-1);
            Tensor rest = probs.narrow(-1, k, classes - k).sum(-1, false);
            Tensor conditional = Tensor.where(rest.gt(0), share.div(rest).clamp(0, 1), share.fullLike(0));
            Tensor count = CountSampling.binomial(left, Tensors.expandTo(conditional, shape), shape);
            counts.add(count);
            left = left.sub(count);
        }
        counts.add(left);
        return Tensor.stack(counts, dims.length - 1);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        Shape shape = Shape.broadcast("Multinomial.logProb", x.shape(), categorical.logits().shape());
        Tensor counts = Tensors.expandTo(x, shape);
        Tensor logits = Tensors.expandTo(categorical.logits(), shape);
        Tensor impossibleUnused = counts.eq(0).mul(logits.eq(Double.NEGATIVE_INFINITY));
        Tensor logPowers = logits.mul(counts).maskedFill(impossibleUnused, 0).sum(-1, false);
        return counts.sum(-1, false).add(1).lgamma()
                .sub(counts.add(1).lgamma().sum(-1, false)).add(logPowers);
    }

    @Override
    public Tensor entropy() {
        Tensor probs = categorical.probs();
        Tensor n = probs.fullLike(totalCount, Shape.scalar());
        Tensor term1 = categorical.entropy().mul(totalCount).sub(n.add(1).lgamma());
        if (totalCount == 0) {
            return term1;
        }
        Binomial binomial = Binomial.ofProbs(n, probs, false);
        Tensor support = binomial.enumerateSupport(false).narrow(0, 1, totalCount);
        Tensor weighted = binomial.logProb(support).exp().mul(support.add(1).lgamma());
        return term1.add(weighted.sum(0, false).sum(-1, false));
    }

    @Override
    public Tensor mean() {
        return categorical.probs().mul(totalCount);
    }

    @Override
    public Tensor variance() {
        Tensor probs = categorical.probs();
        return probs.mul(totalCount).mul(probs.neg().add(1));
    }

    @Override
    public Constraint support() {
        return Constraint.multinomial(totalCount);
    }

    @Override
    public Multinomial expand(int... batchShape) {
        return new Multinomial(totalCount, categorical.expand(expandedBatch(batchShape).dims()), fromProbs,
                validatesArgs());
    }

    @Override
    public String toString() {
        return "Multinomial(totalCount: " + totalCount + ", " + (fromProbs ? "probs: " : "logits: ")
                + categorical.probs().shape() + ")";
    }
}
