package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.Tensor;

/**
 * Group normalisation, like PyTorch's {@code torch.nn.GroupNorm(num_groups, num_channels)}: input
 * [batch, channels, *] (e.g. [batch, channels, height, width]), output the same shape. The channels are split
 * into {@code numGroups} groups of consecutive channels; each sample's group is normalised by its own mean and
 * <em>biased</em> variance over its channels and every position,
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias}, eps 1e-5. Parameters {@code weight} [channels] (ones)
 * and {@code bias} [channels] (zeros), or none without the affine ({@code affine=False}). No running statistics:
 * the same in training and evaluation mode, and independent of the batch size.
 */
public class GroupNorm extends Module {
    private final int numGroups;
    private final int numChannels;
    private final double eps;

    /** eps 1e-5 and a weight and bias, PyTorch's defaults. */
    public GroupNorm(int numGroups, int numChannels) {
        this(numGroups, numChannels, 1e-5, true);
    }

    /**
     * @throws IllegalArgumentException naming the layer when a count is not positive, eps is not, or
     *     {@code numChannels} is not a multiple of {@code numGroups}
     */
    public GroupNorm(int numGroups, int numChannels, double eps, boolean affine) {
        if (numGroups <= 0 || numChannels <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("GroupNorm: needs numGroups > 0, numChannels > 0 and eps > 0, got "
                    + numGroups + ", " + numChannels + ", " + eps);
        }
        if (numChannels % numGroups != 0) {
            throw new IllegalArgumentException("GroupNorm: numChannels " + numChannels + " must be divisible by numGroups "
                    + numGroups);
        }
        this.numGroups = numGroups;
        this.numChannels = numChannels;
        this.eps = eps;
        registerParameter("weight", affine ? unscoped(() -> Tensor.ones(DType.F32, numChannels)) : null);
        registerParameter("bias", affine ? unscoped(() -> Tensor.zeros(DType.F32, numChannels)) : null);
    }

    public int numGroups() {
        return numGroups;
    }

    /** Added to the variance before its square root. */
    public double eps() {
        return eps;
    }

    /** [channels], or null without the affine. */
    public Tensor weight() {
        return param("weight");
    }

    /** [channels], or null without the affine. */
    public Tensor bias() {
        return param("bias");
    }

    /**
     * [batch, channels, *] to the same shape.
     *
     * @throws IllegalArgumentException naming this layer and the input shape when it has fewer than 2 axes or
     *     other channels
     */
    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() < 2 || x.dim(1) != numChannels) {
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " must be [batch, " + numChannels + ", *]");
        }
        if (x.size() == numGroups) {
            // PyTorch's check: one value per group for the whole batch normalises every value to 0.
            throw new IllegalArgumentException(describe() + ": input " + x.shape() + " holds one value per group; expected"
                    + " more than one, as PyTorch does");
        }
        return GroupNormalization.normalise(x, numGroups, eps, weight(), bias());
    }

    /** PyTorch's {@code extra_repr}: {@code 2, 4, eps=1e-05, affine=True}. */
    @Override
    protected String extraRepr() {
        return numGroups + ", " + numChannels + ", eps=" + PythonRepr.number(eps) + ", affine="
                + PythonRepr.bool(weight() != null);
    }
}
