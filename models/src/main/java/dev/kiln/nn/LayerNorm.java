package dev.kiln.nn;

import dev.kiln.engine.DType;
import dev.kiln.engine.F;
import dev.kiln.engine.Tensor;

/**
 * Layer normalisation over the last axis, like PyTorch's {@code torch.nn.LayerNorm(features)}: input
 * [batch, features] (or [..., features]), output the same shape;
 * {@code y = (x - mean) / sqrt(var + eps) * weight + bias} with the mean and <em>biased</em> variance of
 * each row, eps 1e-5. Parameters {@code weight} [features] (ones) and {@code bias} [features] (zeros), or none
 * without the elementwise affine ({@code elementwise_affine=False}). The same in training and evaluation mode.
 * One {@link F#layerNorm} op each way, on the backend's fused kernels.
 */
public class LayerNorm extends Module {
    private final int features;
    private final double eps;

    /** eps 1e-5, PyTorch's default. */
    public LayerNorm(int features) {
        this(features, 1e-5);
    }

    public LayerNorm(int features, double eps) {
        this(features, eps, true);
    }

    /** With {@code elementwiseAffine} false, no weight and bias: the normalised rows themselves. */
    public LayerNorm(int features, double eps, boolean elementwiseAffine) {
        if (features <= 0 || !(eps > 0)) {
            throw new IllegalArgumentException("LayerNorm: needs features > 0 and eps > 0, got " + features + ", " + eps);
        }
        this.features = features;
        this.eps = eps;
        registerParameter("weight", elementwiseAffine ? unscoped(() -> Tensor.ones(DType.F32, features)) : null);
        registerParameter("bias", elementwiseAffine ? unscoped(() -> Tensor.zeros(DType.F32, features)) : null);
    }

    /** [features], or null without the elementwise affine. */
    public Tensor weight() {
        return param("weight");
    }

    /** [features], or null without the elementwise affine. */
    public Tensor bias() {
        return param("bias");
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.rank() == 0 || x.dim(-1) != features) {
            throw new IllegalArgumentException("LayerNorm(" + features + "): input " + x.shape() + " must end in " + features
                    + " features");
        }
        return F.layerNorm(x, weight(), bias(), eps);
    }

    /** PyTorch's {@code extra_repr}. */
    @Override
    protected String extraRepr() {
        return PythonRepr.tuple(features) + ", eps=" + PythonRepr.number(eps) + ", elementwise_affine="
                + PythonRepr.bool(weight() != null);
    }

    /** The epsilon added to the variance. */
    public double eps() {
        return eps;
    }
}
