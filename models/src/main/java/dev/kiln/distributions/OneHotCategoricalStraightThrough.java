package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * {@link OneHotCategorical} with the straight-through gradient estimator, as PyTorch's
 * {@code torch.distributions.OneHotCategoricalStraightThrough(probs=...)} or {@code (logits=...)}: parameters
 * [batch..., K], events [K]; {@code rsample} is the one-hot draw plus probs - detach(probs), so its values are the
 * draw's and its gradient is that of probs (Bengio et al., 2013). Everything else is the one-hot categorical's.
 */
public final class OneHotCategoricalStraightThrough extends Distribution {
    private final OneHotCategorical oneHot;

    private OneHotCategoricalStraightThrough(OneHotCategorical oneHot) {
        super(oneHot.batchShape(), oneHot.eventShape(), oneHot.validatesArgs());
        this.oneHot = oneHot;
    }

    /** One-hot classes of probabilities proportional to {@code probs} [batch..., K], validated as the default says. */
    public static OneHotCategoricalStraightThrough ofProbs(Tensor probs) {
        return new OneHotCategoricalStraightThrough(OneHotCategorical.ofProbs(probs));
    }

    /** One-hot classes of probabilities proportional to {@code probs}, checking them when {@code validateArgs}. */
    public static OneHotCategoricalStraightThrough ofProbs(Tensor probs, boolean validateArgs) {
        return new OneHotCategoricalStraightThrough(OneHotCategorical.ofProbs(probs, validateArgs));
    }

    /** One-hot classes of probabilities softmax({@code logits}) over [batch..., K], validated as the default says. */
    public static OneHotCategoricalStraightThrough ofLogits(Tensor logits) {
        return new OneHotCategoricalStraightThrough(OneHotCategorical.ofLogits(logits));
    }

    /** One-hot classes of probabilities softmax({@code logits}), checking them when {@code validateArgs}. */
    public static OneHotCategoricalStraightThrough ofLogits(Tensor logits, boolean validateArgs) {
        return new OneHotCategoricalStraightThrough(OneHotCategorical.ofLogits(logits, validateArgs));
    }

    /** The normalised class probabilities [batch..., K]. */
    public Tensor probs() {
        return oneHot.probs();
    }

    /** The normalised log-probabilities [batch..., K]. */
    public Tensor logits() {
        return oneHot.logits();
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    /** One-hot draws [sampleShape..., batch..., K] whose gradient is that of the probabilities. */
    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor probs = oneHot.probs();
        return oneHot.sample(sampleShape).add(probs.sub(probs.detach()));
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        return oneHot.sample(sampleShape);
    }

    @Override
    public Tensor logProb(Tensor value) {
        return oneHot.logProb(value);
    }

    @Override
    public Tensor entropy() {
        return oneHot.entropy();
    }

    @Override
    public Tensor mean() {
        return oneHot.mean();
    }

    @Override
    public Tensor variance() {
        return oneHot.variance();
    }

    @Override
    public Tensor mode() {
        return oneHot.mode();
    }

    @Override
    public Constraint support() {
        return oneHot.support();
    }

    @Override
    public boolean hasEnumerateSupport() {
        return true;
    }

    @Override
    public Tensor enumerateSupport(boolean expand) {
        return oneHot.enumerateSupport(expand);
    }

    @Override
    public OneHotCategoricalStraightThrough expand(int... batchShape) {
        return new OneHotCategoricalStraightThrough(oneHot.expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "OneHotCategoricalStraightThrough(" + oneHot.categorical() + ")";
    }
}
