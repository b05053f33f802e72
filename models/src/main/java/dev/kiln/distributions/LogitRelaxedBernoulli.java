package dev.kiln.distributions;

import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;

/**
 * The logit of a relaxed Bernoulli variable, as PyTorch's {@code LogitRelaxedBernoulli(temperature, probs=...)} or
 * {@code (logits=...)}: X = (L + logits) / temperature with L standard logistic, a real number whose sigmoid is
 * {@link RelaxedBernoulli}'s draw. The batch shape is the parameter's; the temperature (positive) broadcasts with it
 * in draws and log-probabilities (as in PyTorch it is not part of the batch shape); events are scalars. Probabilities
 * and log-odds derive from each other as {@link Bernoulli}'s, and draws clamp the probabilities and the uniform noise
 * u to [eps, 1 - eps] (eps the dtype's machine epsilon), as PyTorch's.
 * <pre>
 * rsample    = (log u - log(1 - u) + log p - log(1 - p)) / temperature
 * logProb(x) = log temperature + d - 2 log(1 + exp(d)),  d = logits - temperature x
 * </pre>
 * Moments and entropy have no closed form (as in PyTorch) and throw {@link UnsupportedOperationException}.
 */
public final class LogitRelaxedBernoulli extends ProbsOrLogits {
    private final Tensor temperature;

    private LogitRelaxedBernoulli(Tensor temperature, Tensor probs, Tensor logits, boolean fromProbs,
                                  boolean validateArgs) {
        super("LogitRelaxedBernoulli", probs, logits, fromProbs, validateArgs);
        this.temperature = temperature;
        checkParameter("temperature", temperature, Constraint.positive());
    }

    /** Relaxed 1 with probability {@code probs} (in [0, 1]), validated as the default says. */
    public static LogitRelaxedBernoulli ofProbs(Tensor temperature, Tensor probs) {
        return ofProbs(temperature, probs, defaultValidateArgs());
    }

    /** Relaxed 1 with probability {@code probs}, checking them and the temperature when {@code validateArgs}. */
    public static LogitRelaxedBernoulli ofProbs(Tensor temperature, Tensor probs, boolean validateArgs) {
        return new LogitRelaxedBernoulli(temperature, probs, logitsOf(probs), true, validateArgs);
    }

    /** Relaxed 1 with probability sigmoid(logits), validated as the default says. */
    public static LogitRelaxedBernoulli ofLogits(Tensor temperature, Tensor logits) {
        return ofLogits(temperature, logits, defaultValidateArgs());
    }

    /** Relaxed 1 with probability sigmoid(logits), checking them and the temperature when {@code validateArgs}. */
    public static LogitRelaxedBernoulli ofLogits(Tensor temperature, Tensor logits, boolean validateArgs) {
        return new LogitRelaxedBernoulli(temperature, logits.sigmoid(), logits, false, validateArgs);
    }

    /** The temperature: the lower, the nearer the sigmoid of draws to 0 and 1. */
    public Tensor temperature() {
        return temperature;
    }

    @Override
    public boolean hasRsample() {
        return true;
    }

    @Override
    public Tensor rsample(int... sampleShape) {
        int[] shape = extendedShape(sampleShape);
        Tensor p = clamped(Tensors.expandTo(probs, Shape.of(shape)));
        Tensor u = clamped(Tensors.uniform(probs, 0, 1, shape));
        return u.log().sub(u.neg().log1p()).add(p.log()).sub(p.neg().log1p()).div(temperature);
    }

    /** {@code p} clamped to [eps, 1 - eps] (PyTorch's {@code clamp_probs}). */
    private static Tensor clamped(Tensor p) {
        double eps = Finfo.eps(p.dtype());
        return p.clamp(eps, 1 - eps);
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor diff = logits.sub(checkedValue("logProb", value).mul(temperature));
        return temperature.log().add(diff).sub(diff.exp().log1p().mul(2));
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
        return Constraint.real();
    }

    @Override
    public LogitRelaxedBernoulli expand(int... batchShape) {
        Shape shape = expandedBatch(batchShape);
        return fromProbs ? ofProbs(temperature, Tensors.expandTo(probs, shape), validatesArgs())
                : ofLogits(temperature, Tensors.expandTo(logits, shape), validatesArgs());
    }
}
