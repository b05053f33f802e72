package dev.kiln.distributions;

import dev.kiln.distributions.transforms.ExpTransform;
import dev.kiln.distributions.transforms.Transform;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The relaxed one-hot categorical (Gumbel-softmax, concrete) distribution, as PyTorch's
 * {@code RelaxedOneHotCategorical(temperature, probs=...)} or {@code (logits=...)}: the softmax of
 * (logits + Gumbel noise) / temperature, the exp of an {@link ExpRelaxedCategorical} draw, a reparameterised
 * probability vector whose largest entry is distributed as the categorical's class at every temperature, and which
 * approaches a one-hot vector as the temperature approaches 0. Parameters [batch..., K]; events are [K]; one
 * temperature for the batch (see {@link ExpRelaxedCategorical}). logProb(y) is the base's at log y less sum(log y).
 * The support is the probability vectors (PyTorch's simplex, summing to 1 within 1e-6); moments and entropy are
 * unsupported, as in PyTorch.
 */
public final class RelaxedOneHotCategorical extends TransformedDistribution {
    private final ExpRelaxedCategorical expRelaxed;

    private RelaxedOneHotCategorical(ExpRelaxedCategorical base) {
        super(base, List.<Transform>of(new ExpTransform()), base.validatesArgs());
        this.expRelaxed = base;
    }

    /** Relaxed one-hot classes of probabilities proportional to {@code probs} [batch..., K], validated as default. */
    public static RelaxedOneHotCategorical ofProbs(Tensor temperature, Tensor probs) {
        return new RelaxedOneHotCategorical(ExpRelaxedCategorical.ofProbs(temperature, probs));
    }

    /** Relaxed one-hot classes of probabilities proportional to {@code probs}, checking when {@code validateArgs}. */
    public static RelaxedOneHotCategorical ofProbs(Tensor temperature, Tensor probs, boolean validateArgs) {
        return new RelaxedOneHotCategorical(ExpRelaxedCategorical.ofProbs(temperature, probs, validateArgs));
    }

    /** Relaxed one-hot classes of probabilities softmax({@code logits}) [batch..., K], validated as default. */
    public static RelaxedOneHotCategorical ofLogits(Tensor temperature, Tensor logits) {
        return new RelaxedOneHotCategorical(ExpRelaxedCategorical.ofLogits(temperature, logits));
    }

    /** Relaxed one-hot classes of probabilities softmax({@code logits}), checking when {@code validateArgs}. */
    public static RelaxedOneHotCategorical ofLogits(Tensor temperature, Tensor logits, boolean validateArgs) {
        return new RelaxedOneHotCategorical(ExpRelaxedCategorical.ofLogits(temperature, logits, validateArgs));
    }

    /** The temperature. */
    public Tensor temperature() {
        return expRelaxed.temperature();
    }

    /** The normalised class probabilities [batch..., K]. */
    public Tensor probs() {
        return expRelaxed.probs();
    }

    /** The normalised log-probabilities [batch..., K]. */
    public Tensor logits() {
        return expRelaxed.logits();
    }

    @Override
    public Constraint support() {
        return Constraint.simplex();
    }

    @Override
    public RelaxedOneHotCategorical expand(int... batchShape) {
        return new RelaxedOneHotCategorical(expRelaxed.expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "RelaxedOneHot" + expRelaxed.categorical() + " at temperature " + temperature().shape();
    }
}
