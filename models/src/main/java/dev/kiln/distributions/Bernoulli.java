package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The Bernoulli distribution: 1 with probability p, else 0, as PyTorch's
 * {@code torch.distributions.Bernoulli(probs=...)} or {@code (logits=...)}; the batch shape is the parameter's;
 * values are 0 or 1 in the parameter's dtype; events are scalars. From probabilities, the log-odds are
 * {@code log(p') - log(1 - p')} with p' clamped to [eps, 1 - eps], eps the dtype's machine epsilon, as in PyTorch;
 * from log-odds, the probabilities are their sigmoid.
 * <pre>
 * logProb(x) = x logits - softplus(logits)       (minus binary cross-entropy with logits)
 * entropy    = softplus(logits) - probs logits,  mean = probs,  variance = probs (1 - probs)
 * </pre>
 * Discrete: no {@code rsample}; {@code sample} is {@code u < probs} for u uniform in [0, 1).
 */
public final class Bernoulli extends ProbsOrLogits {
    private Bernoulli(Tensor probs, Tensor logits, boolean fromProbs, boolean validateArgs) {
        super("Bernoulli", probs, logits, fromProbs, validateArgs);
    }

    /** 1 with probability {@code probs} (in [0, 1]), validated as {@link Distribution#defaultValidateArgs()} says. */
    public static Bernoulli ofProbs(Tensor probs) {
        return ofProbs(probs, defaultValidateArgs());
    }

    /** 1 with probability {@code probs}, checking that they lie in [0, 1] when {@code validateArgs}. */
    public static Bernoulli ofProbs(Tensor probs, boolean validateArgs) {
        return new Bernoulli(probs, logitsOf(probs), true, validateArgs);
    }

    /** 1 with probability sigmoid(logits), validated as {@link Distribution#defaultValidateArgs()} says. */
    public static Bernoulli ofLogits(Tensor logits) {
        return ofLogits(logits, defaultValidateArgs());
    }

    /** 1 with probability sigmoid(logits), checking that the log-odds are not NaN when {@code validateArgs}. */
    public static Bernoulli ofLogits(Tensor logits, boolean validateArgs) {
        return new Bernoulli(logits.sigmoid(), logits, false, validateArgs);
    }

    @Override
    protected Tensor draw(int... sampleShape) {
        return Tensors.uniform(probs, 0, 1, extendedShape(sampleShape)).lt(probs);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor x = checkedValue("logProb", value);
        return logits.mul(x).sub(F.softplus(logits));
    }

    @Override
    public Tensor entropy() {
        return F.softplus(logits).sub(logits.mul(probs));
    }

    @Override
    public Tensor mean() {
        return probs;
    }

    @Override
    public Tensor variance() {
        return probs.mul(probs.neg().add(1));
    }

    @Override
    public Constraint support() {
        return Constraint.binary();
    }

    /** 1 where p > 1/2, 0 where p < 1/2, NaN at 1/2 (PyTorch's). */
    @Override
    public Tensor mode() {
        return probs.ge(0.5).maskedFill(probs.eq(0.5), Double.NaN);
    }

    @Override
    public boolean hasEnumerateSupport() {
        return true;
    }

    /** 0 and 1 in the parameter's dtype. */
    @Override
    public Tensor enumerateSupport(boolean expand) {
        return enumerated(Tensor.arange(0, 2, 1, probs.dtype()).to(probs.backend()), expand);
    }

    @Override
    public Bernoulli expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return fromProbs ? ofProbs(Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(Tensors.expandTo(logits, shape), validatesArgs());
    }
}
