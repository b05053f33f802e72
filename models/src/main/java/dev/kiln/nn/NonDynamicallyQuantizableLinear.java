package dev.kiln.nn;

/**
 * {@link MultiHeadAttention}'s {@code out_proj}: a {@link Linear} [embedDim, embedDim] under PyTorch's class name
 * ({@code torch.nn.modules.linear.NonDynamicallyQuantizableLinear}), so that the attention prints as PyTorch's, and so
 * that {@link Quantization#quantizeDynamic}, which takes exact classes, leaves it in float as PyTorch's does: the
 * attention reads it as a Linear.
 */
public final class NonDynamicallyQuantizableLinear extends Linear {
    /** {@code in} to {@code out} features, with a bias unless {@code bias} is false. */
    public NonDynamicallyQuantizableLinear(int inFeatures, int outFeatures, boolean bias) {
        super(inFeatures, outFeatures, bias);
    }
}
