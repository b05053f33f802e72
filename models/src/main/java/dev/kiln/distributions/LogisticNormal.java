package dev.kiln.distributions;

import dev.kiln.distributions.transforms.StickBreakingTransform;
import dev.kiln.engine.Tensor;
import java.util.List;

/**
 * The logistic-normal distribution on the simplex, as PyTorch's {@code torch.distributions.LogisticNormal(loc,
 * scale)}: a {@link Normal} of loc and scale [batch..., K - 1] (broadcast) pushed through the
 * {@link StickBreakingTransform}, so events are probability vectors [K] and the batch is the parameters' less their
 * last axis; a scalar Normal is taken as one of [1] (events [2]), as PyTorch's. {@code logProb} is the Normal's at the
 * inverse less the stick-breaking log-det; {@code rsample} is reparameterised. No mean, variance or entropy (no closed
 * form, as PyTorch's).
 */
public final class LogisticNormal extends TransformedDistribution {
    private final Normal normal;

    /** The Normal(loc, scale) pushed onto the simplex, validated as the default says. */
    public LogisticNormal(Tensor loc, Tensor scale) {
        this(loc, scale, defaultValidateArgs());
    }

    /**
     * The Normal(loc, scale) pushed onto the simplex, checking that loc is real and scale positive (and values lie on
     * the simplex) when {@code validateArgs}.
     */
    public LogisticNormal(Tensor loc, Tensor scale, boolean validateArgs) {
        this(atLeastOneAxis(new Normal(loc, scale, validateArgs)), validateArgs);
    }

    private LogisticNormal(Normal normal, boolean validateArgs) {
        super(normal, List.of(new StickBreakingTransform()), validateArgs);
        this.normal = normal;
    }

    private static Normal atLeastOneAxis(Normal normal) {
        return normal.batchShape().rank() == 0 ? normal.expand(1) : normal;
    }

    /** The Normal's mean, [batch..., K - 1]. */
    public Tensor loc() {
        return normal.loc();
    }

    /** The Normal's standard deviation, [batch..., K - 1]. */
    public Tensor scale() {
        return normal.scale();
    }

    /** The same distribution over a larger batch: the Normal expanded to [batchShape..., K - 1]. */
    @Override
    public LogisticNormal expand(int... batchShape) {
        int[] dims = Tensors.concat(expandedBatch(batchShape).dims(), new int[] {normal.batchShape().dim(-1)});
        return new LogisticNormal(normal.expand(dims), validatesArgs());
    }

    @Override
    public String toString() {
        return "LogisticNormal(loc: " + loc().shape() + ", scale: " + scale().shape() + ")";
    }
}
