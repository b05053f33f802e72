package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The logarithm of a relaxed one-hot categorical variable, as PyTorch's
 * {@code ExpRelaxedCategorical(temperature, probs=...)} or {@code (logits=...)}: the log-softmax of
 * (logits + Gumbel noise) / temperature, whose exp is {@link RelaxedOneHotCategorical}'s draw. Parameters as
 * {@link Categorical}'s, [batch..., K]; the batch shape is theirs less the last axis, events are [K]; the temperature
 * (positive) broadcasts with values [..., K] along the class axis too, so one temperature for the batch is what it
 * means (as in PyTorch). The uniform noise u of the Gumbel draws -log(-log u) is clamped to [eps, 1 - eps].
 * <pre>
 * logProb(x) = sum over classes of (s - logsumexp(s)) + lgamma(K) + (K - 1) log temperature
 *              with s = logits - temperature x
 * </pre>
 * The support is vectors of reals (the true one a submanifold of them); moments and entropy are unsupported, as in
 * PyTorch.
 */
public final class ExpRelaxedCategorical extends Distribution {
    private final Categorical categorical;
    private final Tensor temperature;

    private ExpRelaxedCategorical(Tensor temperature, Categorical categorical) {
        super(categorical.batchShape(), Shape.of(categorical.numEvents()), categorical.validatesArgs());
        this.categorical = categorical;
        this.temperature = temperature;
        checkParameter("temperature", temperature, Constraint.positive());
    }

    /** Relaxed classes of probabilities proportional to {@code probs} [batch..., K], validated as the default says. */
    public static ExpRelaxedCategorical ofProbs(Tensor temperature, Tensor probs) {
        return new ExpRelaxedCategorical(temperature, Categorical.ofProbs(probs));
    }

    /** Relaxed classes of probabilities proportional to {@code probs}, checking them when {@code validateArgs}. */
    public static ExpRelaxedCategorical ofProbs(Tensor temperature, Tensor probs, boolean validateArgs) {
        return new ExpRelaxedCategorical(temperature, Categorical.ofProbs(probs, validateArgs));
    }

    /** Relaxed classes of probabilities softmax({@code logits}) over [batch..., K], validated as the default says. */
    public static ExpRelaxedCategorical ofLogits(Tensor temperature, Tensor logits) {
        return new ExpRelaxedCategorical(temperature, Categorical.ofLogits(logits));
    }

    /** Relaxed classes of probabilities softmax({@code logits}), checking them when {@code validateArgs}. */
    public static ExpRelaxedCategorical ofLogits(Tensor temperature, Tensor logits, boolean validateArgs) {
        return new ExpRelaxedCategorical(temperature, Categorical.ofLogits(logits, validateArgs));
    }

    /** The temperature. */
    public Tensor temperature() {
        return temperature;
    }

    /** The categorical distribution the relaxation is of. */
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
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        Tensor logits = categorical.logits();
        double eps = Finfo.eps(logits.dtype());
        Tensor u = Tensors.uniform(logits, 0, 1, extendedShape(sampleShape)).clamp(eps, 1 - eps);
        Tensor gumbels = u.log().neg().log().neg();
        Tensor scores = logits.add(gumbels).div(temperature);
        return scores.sub(scores.logsumexp(-1, true));
    }

    @Override
    public Tensor logProb(Tensor value) {
        int classes = categorical.numEvents();
        Tensor score = categorical.logits().sub(checkedValue("logProb", value).mul(temperature));
        Tensor normalised = score.sub(score.logsumexp(-1, true)).sum(-1, false);
        return normalised.add(temperature.log().mul(classes - 1).add(logFactorial(classes - 1)));
    }

    /** log(n!) = lgamma(n + 1). */
    private static double logFactorial(int n) {
        double sum = 0;
        for (int i = 2; i <= n; i++) {
            sum += Math.log(i);
        }
        return sum;
    }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy: no closed form (as in PyTorch)");
    }

    @Override
    public Tensor mean() {
        throw new UnsupportedOperationException(this + " has no mean: no closed form (as in PyTorch)");
    }

    @Override
    public Tensor variance() {
        throw new UnsupportedOperationException(this + " has no variance: no closed form (as in PyTorch)");
    }

    @Override
    public Constraint support() {
        return Constraint.realVector();
    }

    @Override
    public ExpRelaxedCategorical expand(int... batchShape) {
        return new ExpRelaxedCategorical(temperature, categorical.expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "ExpRelaxed" + categorical + " at temperature " + temperature.shape();
    }
}
