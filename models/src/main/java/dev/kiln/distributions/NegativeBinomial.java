package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The negative binomial distribution: the number of successes of Bernoulli trials of success probability p before the
 * {@code totalCount}-th failure, as PyTorch's {@code torch.distributions.NegativeBinomial(total_count, probs=...)} or
 * {@code (total_count, logits=...)}: totalCount (0 or more, not necessarily whole) and the parameter broadcast to the
 * batch shape, totalCount taken in the parameter's dtype; p in [0, 1); values are whole counts 0, 1, 2, ... in the
 * parameter's dtype; events are scalars. Log-odds and probabilities convert as {@link Bernoulli}'s.
 * <pre>
 * logProb(k) = n logsigmoid(-logits) + k logsigmoid(logits) + lgamma(n + k) - lgamma(k + 1) - lgamma(n)
 *              (the gamma terms taken as 0 where n + k = 0)
 * mean = n exp(logits),  variance = mean / sigmoid(-logits),  mode = max(floor((n - 1) exp(logits)), 0)
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} is, as PyTorch's, a Poisson draw ({@link CountSampling}) of a rate drawn
 * from Gamma(n, exp(-logits)) ({@link StandardGamma}). PyTorch 1.13 has no entropy for it.
 */
public final class NegativeBinomial extends Distribution {
    private final Tensor totalCount;
    private final Tensor probs;
    private final Tensor logits;
    private final boolean fromProbs;

    private NegativeBinomial(Tensor totalCount, Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super(probs.shape(), Shape.scalar(), validateArgs);
        this.totalCount = totalCount;
        this.probs = probs;
        this.logits = logits;
        this.fromProbs = fromProbs;
        checkParameter("totalCount", totalCount, Constraint.nonNegative());
        if (fromProbs) {
            // A success probability of 1 would never reach the failures.
            checkParameter("probs", probs, Constraint.halfOpenInterval(0, 1));
        } else {
            checkParameter("logits", logits, Constraint.real());
        }
    }

    /** Successes before failure number {@code totalCount}, success probability {@code probs}; default validation. */
    public static NegativeBinomial ofProbs(Tensor totalCount, Tensor probs) {
        return ofProbs(totalCount, probs, defaultValidateArgs());
    }

    /** As {@link #ofProbs(Tensor, Tensor)}, checking totalCount >= 0 and probs in [0, 1) when {@code validateArgs}. */
    public static NegativeBinomial ofProbs(Tensor totalCount, Tensor probs, boolean validateArgs) {
        Tensor[] parameters = Tensors.broadcastAll("NegativeBinomial", totalCount.to(probs.dtype()), probs);
        Tensor p = parameters[1];
        return new NegativeBinomial(parameters[0], p, ProbsOrLogits.logitsOf(p), true, validateArgs);
    }

    /** Successes before failure number {@code totalCount}, success probability sigmoid(logits); default validation. */
    public static NegativeBinomial ofLogits(Tensor totalCount, Tensor logits) {
        return ofLogits(totalCount, logits, defaultValidateArgs());
    }

    /** As {@link #ofLogits(Tensor, Tensor)}, checking totalCount >= 0 and logits not NaN when {@code validateArgs}. */
    public static NegativeBinomial ofLogits(Tensor totalCount, Tensor logits, boolean validateArgs) {
        Tensor[] parameters = Tensors.broadcastAll("NegativeBinomial", totalCount.to(logits.dtype()), logits);
        return new NegativeBinomial(parameters[0], parameters[1].sigmoid(), parameters[1], false, validateArgs);
    }

    /** The number of failures that ends the trials, broadcast to the batch shape, in the parameter's dtype. */
    public Tensor totalCount() {
        return totalCount;
    }

    /** The success probabilities, broadcast to the batch shape. */
    public Tensor probs() {
        return probs;
    }

    /** The log-odds of success, broadcast to the batch shape. */
    public Tensor logits() {
        return logits;
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        Tensor rate = new Gamma(totalCount, logits.neg().exp(), false).sample(sampleShape);
        return CountSampling.poisson(rate, rate.shape());
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor k = checkedValue("logProb", value);
        Tensor unnormalised = totalCount.mul(logSigmoid(logits.neg())).add(k.mul(logSigmoid(logits)));
        Tensor sum = totalCount.add(k);
        Tensor none = sum.eq(0);
        // lgamma(0) is infinite (PyTorch's, where no trials end with successes); the arguments are kept positive so
        // that neither the value nor the gradient meets the series' NaN there.
        Tensor noFailures = totalCount.eq(0);
        Tensor normalisation = k.add(1).lgamma()
                .sub(Tensor.where(none, sum.fullLike(1), sum).lgamma())
                .add(Tensor.where(noFailures, totalCount.fullLike(1), totalCount).lgamma())
                .maskedFill(noFailures, Double.POSITIVE_INFINITY).maskedFill(none, 0);
        return unnormalised.sub(normalisation);
    }

    /** log(sigmoid(x)) = -softplus(-x), without overflow. */
    private static Tensor logSigmoid(Tensor x) {
        return F.softplus(x.neg()).neg();
    }

    /** PyTorch 1.13 has none. */
    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy (as in PyTorch 1.13)");
    }

    @Override
    public Tensor mean() {
        return totalCount.mul(logits.exp());
    }

    @Override
    public Tensor mode() {
        return totalCount.sub(1).mul(logits.exp()).floor().clampMin(0);
    }

    @Override
    public Tensor variance() {
        return mean().div(logits.neg().sigmoid());
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegativeInteger();
    }

    @Override
    public NegativeBinomial expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        Tensor n = Tensors.expandTo(totalCount, shape);
        return fromProbs ? ofProbs(n, Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(n, Tensors.expandTo(logits, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "NegativeBinomial(totalCount: " + totalCount.shape() + ", " + (fromProbs ? "probs: " : "logits: ")
                + probs.shape() + ")";
    }
}
