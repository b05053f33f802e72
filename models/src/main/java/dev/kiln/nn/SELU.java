package dev.kiln.nn;

import dev.kiln.engine.Tensor;

/**
 * Scaled ELU, {@code scale * (x for x > 0, else alpha * (exp(x) - 1))}, element-wise (any shape, e.g.
 * [batch, features] to the same), like PyTorch's {@code torch.nn.SELU} with its self-normalising constants
 * {@link #ALPHA} and {@link #SCALE}. No parameters.
 */
public class SELU extends Module {
    /** PyTorch's alpha, 1.6732632423543772848170429916717. */
    public static final double ALPHA = 1.6732632423543772848170429916717;
    /** PyTorch's scale, 1.0507009873554804934193349852946. */
    public static final double SCALE = 1.0507009873554804934193349852946;

    @Override
    public Tensor forward(Tensor x) {
        return Temporaries.freedWithoutGradients(() -> x.elu(ALPHA).mul(SCALE));
    }
}
