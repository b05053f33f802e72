package dev.kiln.distributions;

import dev.kiln.distributions.transforms.SigmoidTransform;
import dev.kiln.distributions.transforms.Transform;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The relaxed (concrete) Bernoulli distribution, as PyTorch's {@code RelaxedBernoulli(temperature, probs=...)} or
 * {@code (logits=...)}: the sigmoid of a {@link LogitRelaxedBernoulli} draw, a reparameterised value in [0, 1] that
 * approaches a Bernoulli draw of success probability p as the temperature approaches 0 (a draw exceeds 1/2 with
 * probability p at every temperature). Shapes as the base's: the batch shape is the parameter's, the temperature
 * broadcasts with it, events are scalars. logProb(y) is the base's at logit(y) less log(y (1 - y)) (the sigmoid's
 * Jacobian), y clamped as {@link SigmoidTransform}'s. The support is [0, 1]; moments and entropy are unsupported, as
 * in PyTorch.
 */
public final class RelaxedBernoulli extends TransformedDistribution {
    private final LogitRelaxedBernoulli logitRelaxed;

    private RelaxedBernoulli(LogitRelaxedBernoulli base) {
        super(base, List.<Transform>of(new SigmoidTransform()), base.validatesArgs());
        this.logitRelaxed = base;
    }

    /** Relaxed 1 with probability {@code probs} (in [0, 1]), validated as the default says. */
    public static RelaxedBernoulli ofProbs(Tensor temperature, Tensor probs) {
        return new RelaxedBernoulli(LogitRelaxedBernoulli.ofProbs(temperature, probs));
    }

    /** Relaxed 1 with probability {@code probs}, checking them, the temperature and values when validating. */
    public static RelaxedBernoulli ofProbs(Tensor temperature, Tensor probs, boolean validateArgs) {
        return new RelaxedBernoulli(LogitRelaxedBernoulli.ofProbs(temperature, probs, validateArgs));
    }

    /** Relaxed 1 with probability sigmoid(logits), validated as the default says. */
    public static RelaxedBernoulli ofLogits(Tensor temperature, Tensor logits) {
        return new RelaxedBernoulli(LogitRelaxedBernoulli.ofLogits(temperature, logits));
    }

    /** Relaxed 1 with probability sigmoid(logits), checking them, the temperature and values when validating. */
    public static RelaxedBernoulli ofLogits(Tensor temperature, Tensor logits, boolean validateArgs) {
        return new RelaxedBernoulli(LogitRelaxedBernoulli.ofLogits(temperature, logits, validateArgs));
    }

    /** The temperature. */
    public Tensor temperature() {
        return logitRelaxed.temperature();
    }

    /** The success probabilities. */
    public Tensor probs() {
        return logitRelaxed.probs();
    }

    /** The log-odds of success. */
    public Tensor logits() {
        return logitRelaxed.logits();
    }

    @Override
    public RelaxedBernoulli expand(int... batchShape) {
        return new RelaxedBernoulli(logitRelaxed.expand(expandedBatch(batchShape).dims()));
    }

    @Override
    public String toString() {
        return "RelaxedBernoulli(" + (logitRelaxed.fromProbs ? "probs: " : "logits: ") + probs().shape()
                + ", temperature: " + temperature().shape() + ")";
    }
}
