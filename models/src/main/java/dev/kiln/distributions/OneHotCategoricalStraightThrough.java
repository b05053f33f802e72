package dev.kiln.distributions;

import dev.kiln.engine.Tensor;

/**
 * {@link OneHotCategorical} with the straight-through gradient estimator, as PyTorch's
 * {@code torch.distributions.OneHotCategoricalStraightThrough(probs=...)} or {@code (logits=...)}: parameters
 * [batch..., K], events [K]; {@code rsample} is the one-hot draw plus probs - detach(probs), so its values are the
 * draw's and its gradient is that of probs (Bengio et al., 2013). Everything else, {@link KL} included, is the one-hot
 * categorical's.
 */
public final class OneHotCategoricalStraightThrough extends OneHotCategorical {
    private OneHotCategoricalStraightThrough(Categorical categorical) {
        super(categorical);
    }

    /** One-hot classes of probabilities proportional to {@code probs} [batch..., K], validated as the default says. */
    public static OneHotCategoricalStraightThrough ofProbs(Tensor probs) {
        return new OneHotCategoricalStraightThrough(Categorical.ofProbs(probs));
    }

    /** One-hot classes of probabilities proportional to {@code probs}, checking them when {@code validateArgs}. */
    public static OneHotCategoricalStraightThrough ofProbs(Tensor probs, boolean validateArgs) {
        return new OneHotCategoricalStraightThrough(Categorical.ofProbs(probs, validateArgs));
    }

    /** One-hot classes of probabilities softmax({@code logits}) over [batch..., K], validated as the default says. */
    public static OneHotCategoricalStraightThrough ofLogits(Tensor logits) {
        return new OneHotCategoricalStraightThrough(Categorical.ofLogits(logits));
    }

    /** One-hot classes of probabilities softmax({@code logits}), checking them when {@code validateArgs}. */
    public static OneHotCategoricalStraightThrough ofLogits(Tensor logits, boolean validateArgs) {
        return new OneHotCategoricalStraightThrough(Categorical.ofLogits(logits, validateArgs));
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    /** One-hot draws [sampleShape..., batch..., K] whose gradient is that of the probabilities. */
    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor probs = probs();
        return sample(sampleShape).add(probs.sub(probs.detach()));
    }

    @Override
    public OneHotCategoricalStraightThrough expand(int... batchShape) {
        return new OneHotCategoricalStraightThrough(categorical().expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "OneHotCategoricalStraightThrough(" + categorical() + ")";
    }
}
