package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The binomial distribution: the number of successes in {@code totalCount} Bernoulli trials of success probability p,
 * as PyTorch's {@code torch.distributions.Binomial(total_count, probs=...)} or {@code (total_count, logits=...)}:
 * totalCount (whole numbers 0 or more) and the parameter broadcast to the batch shape, totalCount taken in the
 * parameter's dtype; values are whole counts in [0, totalCount]; events are scalars. Log-odds and probabilities
 * convert as {@link Bernoulli}'s.
 * <pre>
 * logProb(k) = k logits - log(k!) - log((n - k)!) - (n max(logits, 0) + n log(1 + exp(-|logits|)) - log(n!))
 * mean = n p,  variance = n p (1 - p),  mode = min(floor((n + 1) p), n)
 * entropy    = -sum over k of P(k) log P(k), for a totalCount the same across the batch (as PyTorch)
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} draws exact counts ({@link CountSampling}).
 */
public final class Binomial extends Distribution {
    private final Tensor totalCount;
    private final Tensor probs;
    private final Tensor logits;
    private final boolean fromProbs;

    private Binomial(Tensor totalCount, Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super(probs.shape(), Shape.scalar(), validateArgs);
        this.totalCount = totalCount;
        this.probs = probs;
        this.logits = logits;
        this.fromProbs = fromProbs;
        checkParameter("totalCount", totalCount, Constraint.nonNegativeInteger());
        if (fromProbs) {
            checkParameter("probs", probs, Constraint.unitInterval());
        } else {
            checkParameter("logits", logits, Constraint.real());
        }
    }

    /** {@code totalCount} trials of success probability {@code probs}, validated as the default says. */
    public static Binomial ofProbs(Tensor totalCount, Tensor probs) {
        return ofProbs(totalCount, probs, defaultValidateArgs());
    }

    /** {@code totalCount} trials of success probability {@code probs} in [0, 1], checked when {@code validateArgs}. */
    public static Binomial ofProbs(Tensor totalCount, Tensor probs, boolean validateArgs) {
        Tensor[] parameters = Tensors.broadcastAll("Binomial", totalCount.to(probs.dtype()), probs);
        Tensor p = parameters[1];
        return new Binomial(parameters[0], p, ProbsOrLogits.logitsOf(p), true, validateArgs);
    }

    /** {@code totalCount} trials of success probability sigmoid(logits), validated as the default says. */
    public static Binomial ofLogits(Tensor totalCount, Tensor logits) {
        return ofLogits(totalCount, logits, defaultValidateArgs());
    }

    /** {@code totalCount} trials of success probability sigmoid(logits), checked when {@code validateArgs}. */
    public static Binomial ofLogits(Tensor totalCount, Tensor logits, boolean validateArgs) {
        Tensor[] parameters = Tensors.broadcastAll("Binomial", totalCount.to(logits.dtype()), logits);
        return new Binomial(parameters[0], parameters[1].sigmoid(), parameters[1], false, validateArgs);
    }

    /** The number of trials, broadcast to the batch shape, in the parameter's dtype. */
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
        return CountSampling.binomial(totalCount, probs, Shape.of(extendedShape(sampleShape)));
    }

    @Override
    public Tensor logProb(Tensor value) {
        return mass(checkedValue("logProb", value));
    }

    private Tensor mass(Tensor k) {
        // PyTorch's _clamp_by_zero: max(logits, 0), with the gradient 1/2 at 0.
        Tensor positivePart = logits.clampMin(0).add(logits).sub(logits.clampMax(0)).div(2);
        Tensor normaliser = totalCount.mul(positivePart)
                .add(totalCount.mul(logits.abs().neg().exp().log1p()))
                .sub(totalCount.add(1).lgamma());
        return k.mul(logits).sub(k.add(1).lgamma())
                .sub(totalCount.sub(k).add(1).lgamma()).sub(normaliser);
    }

    @Override
    public Tensor entropy() {
        Tensor logProb = mass(supportValues(false, "entropy"));
        return logProb.exp().mul(logProb).sum(0, false).neg();
    }

    @Override
    public Tensor mean() {
        return totalCount.mul(probs);
    }

    @Override
    public Tensor mode() {
        return totalCount.add(1).mul(probs).floor().minimum(totalCount);
    }

    @Override
    public Tensor variance() {
        return totalCount.mul(probs).mul(probs.neg().add(1));
    }

    @Override
    public Constraint support() {
        return Constraint.integerIntervalUpTo(totalCount, "totalCount");
    }

    @Override
    public boolean hasEnumerateSupport() {
        return true;
    }

    /** 0, 1, ..., totalCount, for a totalCount the same across the batch. */
    @Override
    public Tensor enumerateSupport(boolean expand) {
        return supportValues(expand, "enumerateSupport");
    }

    private Tensor supportValues(boolean expand, String method) {
        double most = totalCount.size() == 0 ? 0 : totalCount.max().item();
        double least = totalCount.size() == 0 ? 0 : totalCount.min().item();
        if (most != least) {
            throw new UnsupportedOperationException(this + "." + method + ": totalCount ranges from " + least + " to "
                    + most + "; only a totalCount the same across the batch is supported (as in PyTorch)");
        }
        Tensor values = Tensor.arange(0, most + 1, 1, probs.dtype()).to(probs.backend());
        return enumerated(values, expand);
    }

    @Override
    public Binomial expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        Tensor n = Tensors.expandTo(totalCount, shape);
        return fromProbs ? ofProbs(n, Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(n, Tensors.expandTo(logits, shape), validatesArgs());
    }

    @Override
    public String toString() {
        return "Binomial(totalCount: " + totalCount.shape() + ", " + (fromProbs ? "probs: " : "logits: ")
                + probs.shape() + ")";
    }
}
