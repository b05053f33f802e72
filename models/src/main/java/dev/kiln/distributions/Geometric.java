package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The geometric distribution: the number of failures before the first success of Bernoulli trials of success
 * probability p, as PyTorch's {@code torch.distributions.Geometric(probs=...)} or {@code (logits=...)}: the batch
 * shape is the parameter's; values are whole counts 0, 1, 2, ... in the parameter's dtype; events are scalars.
 * Log-odds and probabilities convert as {@link Bernoulli}'s.
 * <pre>
 * logProb(k) = k log(1 - p) + log(p)        (k log(1 - p) taken as 0 at k = 0, p = 1)
 * entropy    = (softplus(logits) - logits p) / p,  mean = 1/p - 1,  variance = (1/p - 1) / p,  mode = 0
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} is {@code floor(log(u) / log(1 - p))} for u uniform in [tiny, 1).
 */
public final class Geometric extends ProbsOrLogits {
    private Geometric(Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super("Geometric", probs, logits, fromProbs, validateArgs);
        if (fromProbs) {
            // A success probability of 0 would never end the trials (PyTorch checks it apart too).
            checkParameter("probs", probs, Constraint.positive());
        }
    }

    /** Success probability {@code probs} (in (0, 1]), validated as {@link Distribution#defaultValidateArgs()} says. */
    public static Geometric ofProbs(Tensor probs) {
        return ofProbs(probs, defaultValidateArgs());
    }

    /** Success probability {@code probs}, checking that they lie in (0, 1] when {@code validateArgs}. */
    public static Geometric ofProbs(Tensor probs, boolean validateArgs) {
        return new Geometric(probs, logitsOf(probs), true, validateArgs);
    }

    /** Success probability sigmoid(logits), validated as {@link Distribution#defaultValidateArgs()} says. */
    public static Geometric ofLogits(Tensor logits) {
        return ofLogits(logits, defaultValidateArgs());
    }

    /** Success probability sigmoid(logits), checking that the log-odds are not NaN when {@code validateArgs}. */
    public static Geometric ofLogits(Tensor logits, boolean validateArgs) {
        return new Geometric(logits.sigmoid(), logits, false, validateArgs);
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        double tiny = Finfo.tiny(probs.dtype());
        Tensor u = Tensors.uniform(probs, tiny, 1, extendedShape(sampleShape));
        return u.log().div(probs.neg().log1p()).floor();
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor k = checkedValue("logProb", value);
        // As PyTorch: p taken as 0 in the failures' term where p = 1 and k = 0, whose 0 log(0) is 0.
        Tensor certain = probs.eq(1).mul(k.eq(0));
        Tensor failures = Tensor.where(certain, probs.fullLike(0), probs);
        return k.mul(failures.neg().log1p()).add(probs.log());
    }

    @Override
    public Tensor entropy() {
        return F.softplus(logits).sub(logits.mul(probs)).div(probs);
    }

    @Override
    public Tensor mean() {
        return probs.reciprocal().sub(1);
    }

    @Override
    public Tensor mode() {
        return probs.fullLike(0);
    }

    @Override
    public Tensor variance() {
        return probs.reciprocal().sub(1).div(probs);
    }

    @Override
    public Constraint support() {
        return Constraint.nonNegativeInteger();
    }

    @Override
    public Geometric expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return fromProbs ? ofProbs(Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(Tensors.expandTo(logits, shape), validatesArgs());
    }
}
