package dev.kiln.distributions;

import dev.kiln.engine.F;
import dev.kiln.engine.Shape;
import dev.kiln.engine.Tensor;
import java.util.Arrays;

/**
 * A mixture of k distributions of one family, as PyTorch's
 * {@code torch.distributions.MixtureSameFamily(mixture_distribution, component_distribution)}: a {@link Categorical}
 * picks component j with probability p_j and the value is drawn from component j. The components are one distribution
 * of batch shape [batch..., k] (a Gaussian mixture over vectors is
 * {@code new MixtureSameFamily(Categorical.ofLogits(w), new Independent(new Normal(means, stds), 1))} with means
 * [batch..., k, d]); the mixture's batch shape broadcasts with [batch...] and its class count is k. The batch shape is
 * [batch...] and the event shape the components'. A mixture batch wider than [batch...] is accepted and logProb, cdf
 * and the moments broadcast to it, as in PyTorch, but {@code sample} is refused (PyTorch's fails): expand the components.
 * <pre>
 * logProb(x) = logsumexp over j of (log p_j + component_j.logProb(x))
 * cdf(x)     = sum over j of p_j component_j.cdf(x)       (scalar events)
 * mean       = sum over j of p_j mean_j,  variance = sum over j of p_j (variance_j + (mean_j - mean)^2)
 * </pre>
 * Gradients flow to the weights and the components' parameters through logProb, cdf and the moments; there is no
 * {@code rsample} (the choice of component is discrete), as in PyTorch. The support is the components'.
 */
public final class MixtureSameFamily extends Distribution {
    private final Categorical mixture;
    private final Distribution components;
    private final int eventRank;

    /** The mixture of {@code components} weighted by {@code mixture}, validated as the default says. */
    public MixtureSameFamily(Categorical mixture, Distribution components) {
        this(mixture, components, defaultValidateArgs());
    }

    /**
     * The mixture of {@code components} weighted by {@code mixture}, checking values when {@code validateArgs}.
     *
     * @throws IllegalArgumentException where the components have no batch axis, the mixture's class count is not the
     *     components' last batch size, or the mixture's batch shape does not broadcast with the rest of theirs
     */
    public MixtureSameFamily(Categorical mixture, Distribution components, boolean validateArgs) {
        super(mixtureBatch(mixture, components), components.eventShape(), validateArgs);
        this.mixture = mixture;
        this.components = components;
        this.eventRank = components.eventShape().rank();
    }

    /** The components' batch shape less its last axis, after checking it against the mixture's. */
    private static Shape mixtureBatch(Categorical mixture, Distribution components) {
        Shape componentBatch = components.batchShape();
        if (componentBatch.rank() == 0) {
            throw new IllegalArgumentException("MixtureSameFamily: the components " + components + " need a batch"
                    + " axis of the k components, [batch..., k], got batch shape " + componentBatch);
        }
        int k = componentBatch.dim(componentBatch.rank() - 1);
        if (mixture.numEvents() != k) {
            throw new IllegalArgumentException("MixtureSameFamily: the mixture " + mixture + " has "
                    + mixture.numEvents() + " classes, the components " + components + " " + k + " (the last axis of"
                    + " batch shape " + componentBatch + ")");
        }
        Shape batch = Tensors.leading(componentBatch, componentBatch.rank() - 1);
        Shape mixtureBatch = mixture.batchShape();
        for (int i = 1; i <= Math.min(batch.rank(), mixtureBatch.rank()); i++) {
            int a = batch.dim(batch.rank() - i);
            int b = mixtureBatch.dim(mixtureBatch.rank() - i);
            if (a != 1 && b != 1 && a != b) {
                throw new IllegalArgumentException("MixtureSameFamily: the mixture's batch shape " + mixtureBatch
                        + " does not broadcast with the components' " + batch + " (their batch shape "
                        + componentBatch + " less the components' axis)");
            }
        }
        return batch;
    }

    /** The distribution of the component's index. */
    public Categorical mixture() {
        return mixture;
    }

    /** The components, of batch shape [batch..., k]. */
    public Distribution components() {
        return components;
    }

    /**
     * Picks a component per batch element and gathers its draw.
     *
     * @throws UnsupportedOperationException where the mixture's batch shape does not expand to the batch shape (it has
     *     more axes, or a longer one), as PyTorch's sample fails there: a draw has one choice per batch element
     */
    @Override
    protected Tensor draw(int... sampleShape) {
        checkDrawable();
        int[] batch = batchShape().dims();
        Categorical picker = mixture.batchShape().equals(batchShape()) ? mixture : mixture.expand(batch);
        Tensor picks = picker.sample(sampleShape);
        Tensor drawn = components.sample(sampleShape);
        int gatherAxis = sampleShape.length + batch.length;
        int[] indexShape = Tensors.concat(picks.shape().dims(), new int[] {1}, eventShape().dims());
        int[] ones = Tensors.concat(picks.shape().dims(), new int[eventRank + 1]);
        Arrays.fill(ones, picks.rank(), ones.length, 1);
        Tensor index = picks.reshape(ones).expand(indexShape);
        return drawn.gather(gatherAxis, index).squeeze(gatherAxis);
    }

    /** Refuses a mixture whose batch the draws' [sample..., batch..., event...] has no place for, naming both. */
    private void checkDrawable() {
        Shape widened = Shape.broadcast(toString(), batchShape(), mixture.batchShape());
        if (!widened.equals(batchShape())) {
            throw new UnsupportedOperationException(this + ".sample: the mixture's batch shape " + mixture.batchShape()
                    + " is wider than the batch shape " + batchShape() + " (the components' "
                    + components.batchShape() + " less their last axis), so a draw has no place for its choices"
                    + " (PyTorch's sample fails too); expand the components to batch shape "
                    + widened.insert(widened.rank(), mixture.numEvents()));
        }
    }

    @Override
    public Tensor logProb(Tensor value) {
        Tensor perComponent = components.logProb(padded(checkedValue("logProb", value)));
        return perComponent.add(F.logSoftmax(mixture.logits(), -1)).logsumexp(-1, false);
    }

    @Override
    public Tensor cdf(Tensor value) {
        Tensor perComponent = components.cdf(padded(checkedValue("cdf", value)));
        return perComponent.mul(mixture.probs()).sum(-1, false);
    }

    @Override
    public Tensor mean() {
        return weights().mul(components.mean()).sum(-1 - eventRank, false);
    }

    /** The law of total variance: the mean of the components' variances and the variance of their means. */
    @Override
    public Tensor variance() {
        Tensor weights = weights();
        Tensor meanOfVariances = weights.mul(components.variance()).sum(-1 - eventRank, false);
        Tensor varianceOfMeans = weights.mul(components.mean().sub(padded(mean())).square()).sum(-1 - eventRank, false);
        return meanOfVariances.add(varianceOfMeans);
    }

    @Override
    public Tensor entropy() {
        throw new UnsupportedOperationException(this + " has no entropy: no closed form (as in PyTorch)");
    }

    @Override
    public Constraint support() {
        return components.support();
    }

    /** {@code x} [..., event...] with the components' axis before the event: [..., 1, event...]. */
    private Tensor padded(Tensor x) {
        return x.unsqueeze(x.rank() - eventRank);
    }

    /**
     * The mixture's probabilities [mixture batch..., k] as [mixture batch..., k, 1 for each event axis], which
     * broadcasts with the components' [batch..., k, event...] from the right, as the mixture's batch does with theirs.
     */
    private Tensor weights() {
        Tensor probs = mixture.probs();
        int[] dims = new int[probs.rank() + eventRank];
        Arrays.fill(dims, 1);
        System.arraycopy(probs.shape().dims(), 0, dims, 0, probs.rank());
        return probs.reshape(dims);
    }

    @Override
    public String toString() {
        return "MixtureSameFamily(" + mixture + ", " + components + ")";
    }
}
