package dev.kiln.distributions;

import dev.kiln.engine.DType;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The categorical distribution with classes written as one-hot vectors, as PyTorch's
 * {@code torch.distributions.OneHotCategorical(probs=...)} or {@code (logits=...)}: parameters as
 * {@link Categorical}'s, [batch..., K]; the batch shape is theirs less the last axis and events are [K], in the
 * parameter's dtype. {@code logProb} takes the class of each one-hot value; entropy is the categorical's; the mean is
 * probs and the variance probs (1 - probs). Discrete: no {@code rsample}.
 */
public sealed class OneHotCategorical extends Distribution permits OneHotCategoricalStraightThrough {
    private final Categorical categorical;

    OneHotCategorical(Categorical categorical) {
        super(categorical.batchShape(), Shape.of(categorical.numEvents()), categorical.validatesArgs());
        this.categorical = categorical;
    }

    /** One-hot classes of probabilities proportional to {@code probs} [batch..., K], validated as the default says. */
    public static OneHotCategorical ofProbs(Tensor probs) {
        return new OneHotCategorical(Categorical.ofProbs(probs));
    }

    /** One-hot classes of probabilities proportional to {@code probs}, checking them when {@code validateArgs}. */
    public static OneHotCategorical ofProbs(Tensor probs, boolean validateArgs) {
        return new OneHotCategorical(Categorical.ofProbs(probs, validateArgs));
    }

    /** One-hot classes of probabilities softmax({@code logits}) over [batch..., K], validated as the default says. */
    public static OneHotCategorical ofLogits(Tensor logits) {
        return new OneHotCategorical(Categorical.ofLogits(logits));
    }

    /** One-hot classes of probabilities softmax({@code logits}), checking them when {@code validateArgs}. */
    public static OneHotCategorical ofLogits(Tensor logits, boolean validateArgs) {
        return new OneHotCategorical(Categorical.ofLogits(logits, validateArgs));
    }

    /** The categorical distribution of the classes. */
    public Categorical categorical() {
        return categorical;
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
        return oneHot(categorical.sample(sampleShape), categorical.probs());
    }

    @Override
    public Tensor logProb(Tensor value) {
        return categorical.logProbOf(checkedValue("logProb", value).argmax(-1, false));
    }

    @Override
    public Tensor entropy() {
        return categorical.entropy();
    }

    @Override
    public Tensor mean() {
        return categorical.probs();
    }

    @Override
    public Tensor variance() {
        Tensor probs = categorical.probs();
        return probs.mul(probs.neg().add(1));
    }

    @Override
    public Constraint support() {
        return Constraint.oneHot();
    }

    /** The most probable class as a one-hot vector, in the parameter's dtype. */
    @Override
    public Tensor mode() {
        Tensor probs = categorical.probs();
        return oneHot(probs.argmax(-1, false), probs);
    }

    /** {@code classes} [...] as one-hot vectors [..., K] in {@code probs}' dtype. */
    private Tensor oneHot(Tensor classes, Tensor probs) {
        Tensor all = Tensor.arange(0, categorical.numEvents(), 1, DType.I64).to(probs.backend());
        return classes.unsqueeze(-1).eq(all).to(probs.dtype());
    }

    @Override
    public boolean hasEnumerateSupport() {
        return true;
    }

    /** The K one-hot vectors: [K, batch..., K] when {@code expand}, else [K, 1 for each batch axis..., K]. */
    @Override
    public Tensor enumerateSupport(boolean expand) {
        Tensor probs = categorical.probs();
        Tensor classes = categorical.enumerateSupport(expand);
        return oneHot(classes, probs);
    }

    @Override
    public OneHotCategorical expand(int... batchShape) {
        return new OneHotCategorical(categorical.expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "OneHot" + categorical;
    }
}
